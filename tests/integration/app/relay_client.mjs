// A test client for the JSON protocol of `wsrelay serve` (docs/protocol.md), on the npm `ws`
// package: it keeps every event it receives in arrival order and lets a test wait for the next
// one that matches, send requests and await their ack/error by id, and prove a NEGATIVE ("this
// client received nothing") with sync(): a ping round trip. The server handles one connection's
// requests in order and writes to a connection in order, so anything sent to this client
// before the pong was produced arrives before the pong.
import WebSocket from 'ws';
import { timeoutScale } from '../interop/server.mjs';

export const WAIT_MS = 5000 * timeoutScale;

export class RelayClient {
  static async connect(url) {
    const client = new RelayClient(url);
    await client.opened;
    client.welcome = await client.next((m) => m.event === 'welcome');
    client.id = client.welcome.client_id;
    return client;
  }

  constructor(url) {
    this.ws = new WebSocket(url);
    this.inbox = [];       // parsed events not yet taken by next()
    this.all = [];         // every parsed event, for assertions over the whole history
    this.waiters = [];
    this.nextId = 0;
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data, isBinary) => {
      const event = isBinary ? { event: '<binary>', data } : JSON.parse(String(data));
      this.all.push(event);
      this.inbox.push(event);
      this.#wake();
    });
  }

  #wake() {
    for (const waiter of [...this.waiters]) {
      const index = this.inbox.findIndex(waiter.match);
      if (index >= 0) {
        const [event] = this.inbox.splice(index, 1);
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        clearTimeout(waiter.timer);
        waiter.resolve(event);
      }
    }
  }

  // The next event (oldest first) for which match(event) is true; earlier non-matching events
  // stay in the inbox.
  next(match = () => true, what = 'a matching event') {
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${WAIT_MS} ms; inbox: ${JSON.stringify(this.inbox)}`));
      }, WAIT_MS);
      this.waiters.push(waiter);
      this.#wake();
    });
  }

  nextEvent(name) {
    return this.next((m) => m.event === name, `"${name}" event`);
  }

  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  // Sends {event, ...fields, id} and resolves with the ack or error carrying that id.
  async request(event, fields = {}) {
    const id = `${event}-${++this.nextId}`;
    this.send({ event, ...fields, id });
    return this.next((m) => (m.event === 'ack' || m.event === 'error') && m.id === id, `answer to ${id}`);
  }

  // Waits until everything the server sent this client so far has arrived; returns (and
  // removes from the inbox) the events that arrived before the round trip finished.
  async sync() {
    const ack = await this.request('ping');
    if (ack.event !== 'ack') throw new Error(`ping refused: ${JSON.stringify(ack)}`);
    const before = this.inbox.filter((m) => m.event !== 'pong');
    this.inbox = [];
    return before;
  }

  async close() {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    if (this.ws.readyState !== WebSocket.CLOSED) await this.closed;
  }
}

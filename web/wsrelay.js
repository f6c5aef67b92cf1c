/*
 * wsrelay.js — the browser client for wsrelay's JSON protocol (docs/protocol.md).
 * One file, no build step, no dependencies. Documentation: docs/client.md.
 *
 * How it loads, and why it is written this way:
 *  - as a classic script:   <script src="/wsrelay.js"></script>   -> globals WsRelay, sendSignal, receiveSignal
 *  - as an ES module:       import WsRelay, { sendSignal, receiveSignal } from '/wsrelay.mjs';
 *    (web/wsrelay.mjs imports this file for its side effect and re-exports the global; a single
 *    file cannot be both, since a classic script that contains `export` is a syntax error)
 *  - in Node (tests):       const WsRelay = require('./wsrelay.js');  (pass options.WebSocket)
 * The body is strict-mode code without top-level bindings, so it behaves the same whether the
 * browser runs it as a classic script or as a module.
 *
 * Contract of a WsRelay instance:
 *  - It connects on creation and, after any close it did not ask for, reconnects with exponential
 *    backoff and jitter. After each reconnect it re-joins the rooms it was asked to be in and
 *    re-registers its signal listeners before anything else goes out.
 *  - send() while disconnected queues the message (bounded; the oldest is dropped past the bound,
 *    with a 'dropped' event). request() answers with a Promise settled by the server's `ack` or
 *    `error` carrying the same `id`, or by a timeout.
 *  - With a `token`, each connection waits for the server's `welcome`; if it says auth_pending,
 *    the token goes out as the very first message (`auth`), before re-joins and queued messages.
 *    A refused token closes with 1008, reported as 'auth_failed'; reconnecting asks for a token
 *    again, so a function can fetch a fresh one from the page's backend.
 *  - Handlers never break the client: an exception in one is rethrown asynchronously (it still
 *    reaches the console and window.onerror) and the other handlers still run.
 */
(function (root, factory) {
  'use strict';
  var WsRelay = factory(root);
  if (typeof module === 'object' && module && module.exports) {
    module.exports = WsRelay; // CommonJS (Node tests): no globals touched
    return;
  }
  root.WsRelay = WsRelay;
  // The two helpers existing pages already call; they share one connection per page.
  root.sendSignal = WsRelay.sendSignal;
  root.receiveSignal = WsRelay.receiveSignal;
})(typeof globalThis !== 'undefined' ? globalThis : self, function (root) {
  'use strict';

  var DEFAULTS = {
    url: null,              // ws:// or wss:// URL; relative or http(s) URLs are converted
    protocols: undefined,   // WebSocket subprotocols, passed through
    autoConnect: true,      // connect in the constructor
    reconnect: true,        // reconnect after a close we did not ask for
    initialDelay: 500,      // ms before the first reconnect attempt (before jitter)
    maxDelay: 30000,        // ms cap of the backoff
    jitter: 0.5,            // 0..1: each delay is shortened by up to this fraction, at random
    connectTimeout: 10000,  // ms an attempt may stay in CONNECTING before it is abandoned
    queueLimit: 100,        // messages kept while offline; the oldest is dropped past this
    requestTimeout: 10000,  // ms request() waits for its ack/error (0 = forever)
    heartbeatInterval: 30000, // ms of silence after which a `ping` is sent (0 = never)
    heartbeatTimeout: 10000,  // ms to wait for any answer to that ping before reconnecting
    token: null,            // auth token (docs/security.md): a string, or a function returning one
                            // or a Promise of one, called for every connection (fresh tokens)
    WebSocket: null         // constructor to use (default: the global WebSocket)
  };

  // The script element is only known while a classic script first runs; remember its
  // attributes now. data-url on the tag sets the default URL of every connection.
  var currentScript = root.document && root.document.currentScript;
  var scriptUrlAttr = currentScript && currentScript.getAttribute('data-url');
  var scriptSrc = currentScript && currentScript.src; // set by wsrelay.mjs from import.meta.url

  /** An error with a machine-readable `code`: a server error code (docs/protocol.md) or one of
   *  the client's own: 'timeout', 'disconnected', 'queue_full', 'closed'. */
  function WsRelayError(code, message, response) {
    var err = new Error(message || code);
    err.name = 'WsRelayError';
    err.code = code;
    if (response !== undefined) err.response = response;
    return err;
  }

  /** Turns what the caller gave (nothing, '/path', 'http(s)://', 'ws(s)://') into a ws(s) URL.
   *  Without a URL: the data-url of the script tag, else the origin the script came from (the
   *  relay itself when wsrelay serves /wsrelay.js), else the page's own host. */
  function resolveUrl(url) {
    var base = (root.location && root.location.href) || undefined;
    if (!url) url = scriptUrlAttr || (scriptSrc ? new URL('/', scriptSrc).href : null);
    if (!url) {
      if (!base) throw new TypeError('WsRelay: no url given and no page to take the host from');
      url = '/';
    }
    var parsed = new URL(url, base);
    if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
    else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new TypeError('WsRelay: unsupported URL scheme ' + parsed.protocol);
    }
    return parsed.href;
  }

  /** Backoff before reconnect attempt `attempt` (1, 2, ...): initialDelay doubled per attempt,
   *  capped at maxDelay, then shortened at random by up to `jitter` of itself so that many pages
   *  dropped by one server restart do not all come back in the same millisecond. */
  function backoffDelay(attempt, options, random) {
    var base = Math.min(options.maxDelay, options.initialDelay * Math.pow(2, Math.max(0, attempt - 1)));
    var r = random === undefined ? Math.random() : random;
    return Math.max(0, Math.round(base * (1 - options.jitter * r)));
  }

  function rethrowLater(err) {
    setTimeout(function () { throw err; }, 0);
  }

  function WsRelay(url, options) {
    if (!(this instanceof WsRelay)) return new WsRelay(url, options);
    if (url && typeof url === 'object') { options = url; url = undefined; }
    var opts = {};
    var key;
    for (key in DEFAULTS) opts[key] = DEFAULTS[key];
    for (key in options || {}) if (options[key] !== undefined) opts[key] = options[key];
    if (url) opts.url = url;
    this.options = opts;
    this.url = resolveUrl(opts.url);
    this.status = 'idle';        // idle | connecting | open | reconnecting | closed
    this.clientId = null;        // from the server's `welcome`
    this.stats = { sent: 0, received: 0, reconnects: 0, dropped: 0, connectedAt: null };

    this._WebSocket = opts.WebSocket || root.WebSocket;
    if (typeof this._WebSocket !== 'function') {
      throw new TypeError('WsRelay: no WebSocket implementation (pass options.WebSocket)');
    }
    this._ws = null;
    this._attempt = 0;           // reconnect attempts since the last successful open
    this._stopped = true;        // true after close() (or before the first connect())
    this._reconnectTimer = null;
    this._connectTimer = null;
    this._heartbeatTimer = null;
    this._lastInbound = 0;
    this._handlers = new Map();  // event name -> Set of handlers
    this._queue = [];            // { text, id } waiting for an open socket
    this._pending = new Map();   // request id -> { resolve, reject, timer, sent }
    this._nextId = 0;
    this._rooms = new Set();     // rooms asked for; re-joined after every reconnect
    this._leftRooms = new Set(); // rooms explicitly left; left again if the server re-joins us
    this._roomWaiters = new Map(); // room -> [{ resolve, reject }] of joinRoom() calls not yet answered
    this._signals = new Map();   // signal name -> Set of handlers
    this._awaitingWelcome = false; // open, with a token to give once the welcome says so
    this._onOnline = this._onOnline.bind(this);

    // Connect in a microtask rather than now, so that handlers registered right after
    // `new WsRelay()` still see the first 'connecting' (the socket opens asynchronously anyway).
    if (opts.autoConnect) {
      this._stopped = false;
      var self = this;
      Promise.resolve().then(function () { if (!self._stopped && !self._ws) self.connect(); });
    }
  }

  WsRelay.prototype = {
    constructor: WsRelay,

    // ---- events ----------------------------------------------------------------------------

    /** Calls handler(payload) for `event`: a status ('connecting', 'open', 'closed',
     *  'reconnecting', 'status'), a client event ('frame', 'dropped', 'message', 'raw',
     *  'transport_error', 'auth_failed'), or any server event name ('welcome', 'echo', 'broadcast',
     *  'room_message', 'user_joined', 'signal', 'error', ...). Returns a function that removes it. */
    on: function (event, handler) {
      if (typeof handler !== 'function') throw new TypeError('WsRelay.on: handler must be a function');
      var set = this._handlers.get(event);
      if (!set) this._handlers.set(event, (set = new Set()));
      set.add(handler);
      var self = this;
      return function () { self.off(event, handler); };
    },

    off: function (event, handler) {
      var set = this._handlers.get(event);
      if (set) set.delete(handler);
    },

    once: function (event, handler) {
      var off = this.on(event, function (payload) { off(); handler.call(this, payload); });
      return off;
    },

    _emit: function (event, payload) {
      var set = this._handlers.get(event);
      if (!set || set.size === 0) return;
      // Copy: a handler may add or remove handlers while we iterate.
      Array.from(set).forEach(function (handler) {
        try { handler.call(this, payload); } catch (err) { rethrowLater(err); }
      }, this);
    },

    _setStatus: function (status, detail) {
      this.status = status;
      var payload = detail || {};
      this._emit(status, payload);
      this._emit('status', Object.assign({ status: status }, payload));
    },

    // ---- connection ------------------------------------------------------------------------

    /** Opens the connection (again) after close(); a no-op while connected or connecting. */
    connect: function () {
      this._stopped = false;
      if (this._ws) return this;
      clearTimeout(this._reconnectTimer);
      this._reconnectTimer = null;
      if (root.addEventListener) root.addEventListener('online', this._onOnline);
      this._open();
      return this;
    },

    /** Closes for good: no reconnect until connect() is called. Requests already sent are
     *  rejected ('disconnected'); queued messages stay queued for a later connect(). */
    close: function (code, reason) {
      this._stopped = true;
      clearTimeout(this._reconnectTimer);
      this._reconnectTimer = null;
      if (root.removeEventListener) root.removeEventListener('online', this._onOnline);
      var ws = this._ws;
      if (!ws) {
        if (this.status !== 'closed') {
          this._setStatus('closed', { code: 1000, reason: '', wasClean: true, willReconnect: false });
        }
        return;
      }
      // The WebSocket API lets a page close only with 1000 or 3000-4999 (RFC 6455 §7.4.2 keeps
      // 1001-2999 for the protocol and its extensions); any other code throws and would leave
      // the socket open.
      if (!(code === 1000 || (code >= 3000 && code <= 4999))) code = 1000;
      reason = reason || '';
      // Detach first: the socket's own close event arrives later and must not be acted on.
      this._detach(ws);
      try { ws.close(code, reason); } catch (err) { ws.close(); rethrowLater(err); }
      this._setStatus('closed', { code: code, reason: reason, wasClean: true, willReconnect: false });
    },

    _open: function () {
      var self = this;
      var ws;
      this._setStatus('connecting', { attempt: this._attempt, url: this.url });
      try {
        ws = this.options.protocols === undefined
          ? new this._WebSocket(this.url)
          : new this._WebSocket(this.url, this.options.protocols);
      } catch (err) {
        this._emit('transport_error', err);
        this._afterClose({ code: 1006, reason: String(err && err.message), wasClean: false });
        return;
      }
      this._ws = ws;
      if (this.options.connectTimeout > 0) {
        this._connectTimer = setTimeout(function () {
          // A blackholed host can leave a socket in CONNECTING for minutes; give up on this
          // attempt (close() fires 'close' with 1006, which schedules the next one).
          // Likewise an open socket still waiting for its welcome or token.
          if (self._ws === ws && (ws.readyState === 0 || self.status !== 'open')) ws.close();
        }, this.options.connectTimeout);
      }
      ws.onopen = function () { if (self._ws === ws) self._handleOpen(); };
      ws.onmessage = function (ev) { if (self._ws === ws) self._handleFrame(ev.data); };
      ws.onerror = function (ev) { if (self._ws === ws) self._emit('transport_error', ev); };
      ws.onclose = function (ev) {
        if (self._ws !== ws) return;
        self._detach(ws);
        // The server's two authentication closes (docs/security.md): a token was refused or none
        // came in time. Reconnecting goes on; a page may want to log in again instead.
        if (ev.code === 1008 && (ev.reason === 'Invalid authentication' || ev.reason === 'Authentication timeout')) {
          self._emit('auth_failed', { code: ev.code, reason: ev.reason });
        }
        self._afterClose({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean });
      };
    },

    // Forget a socket: stop its timers and fail the requests it carried (their answers would
    // have come on this socket; a new connection never answers them).
    _detach: function (ws) {
      clearTimeout(this._connectTimer);
      this._connectTimer = null;
      clearTimeout(this._heartbeatTimer);
      this._heartbeatTimer = null;
      this._awaitingWelcome = false;
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      if (this._ws === ws) this._ws = null;
      this.stats.connectedAt = null;
      var self = this;
      this._pending.forEach(function (entry, id) {
        if (!entry.sent) return; // still queued: it goes out on the next connection
        self._settle(id, WsRelayError('disconnected', 'connection closed before the answer arrived'), false);
      });
    },

    _afterClose: function (detail) {
      var willReconnect = !this._stopped && this.options.reconnect;
      detail.willReconnect = willReconnect;
      this._setStatus('closed', detail);
      if (!willReconnect) return;
      this._attempt += 1;
      this.stats.reconnects += 1;
      var delay = backoffDelay(this._attempt, this.options);
      var self = this;
      this._setStatus('reconnecting', { attempt: this._attempt, delay: delay });
      this._reconnectTimer = setTimeout(function () {
        self._reconnectTimer = null;
        if (!self._stopped && !self._ws) self._open();
      }, delay);
    },

    // The browser says the network is back: skip the rest of the backoff wait.
    _onOnline: function () {
      if (this._stopped || this._ws || !this._reconnectTimer) return;
      clearTimeout(this._reconnectTimer);
      this._reconnectTimer = null;
      this._open();
    },

    _handleOpen: function () {
      // With a token, the connection is ready only once the server's `welcome` has said whether
      // it waits for one and the token has gone out: nothing may be sent before it.
      if (this.options.token) {
        this._awaitingWelcome = true;
        return;
      }
      this._ready();
    },

    // Called for a `welcome` while _awaitingWelcome: send the token if the server waits for one.
    _authenticate: function (pending) {
      if (!pending) { this._ready(); return; }
      var self = this;
      var ws = this._ws;
      var token = this.options.token;
      var value;
      try { value = typeof token === 'function' ? token() : token; } catch (err) { value = Promise.reject(err); }
      Promise.resolve(value).then(function (text) {
        if (self._ws !== ws) return; // that connection is gone; the next one asks again
        if (typeof text !== 'string' || text === '') throw new TypeError('the token option gave no token');
        self._write(JSON.stringify({ event: 'auth', token: text }), undefined);
        self._ready();
      }).catch(function (err) {
        if (self._ws !== ws) return;
        self._emit('error', WsRelayError('token', 'WsRelay: no token for this connection: ' + (err && err.message)));
        self._detach(ws);
        try { ws.close(4001, 'no token'); } catch (e) { /* already closing */ }
        self._afterClose({ code: 4001, reason: 'no token', wasClean: false });
      });
    },

    // The connection may carry traffic: re-subscribe, send what waited, start the heartbeat.
    _ready: function () {
      clearTimeout(this._connectTimer);
      this._connectTimer = null;
      this._attempt = 0;
      this.status = 'open';
      this.stats.connectedAt = Date.now();
      // Order matters: the server handles one connection's messages in order, so re-joining and
      // re-listening first means queued room messages find their rooms joined.
      this._resubscribe();
      var queue = this._queue;
      this._queue = [];
      for (var i = 0; i < queue.length; i++) this._write(queue[i].text, queue[i].id);
      this._setStatus('open', { url: this.url });
      this._lastInbound = Date.now();
      this._scheduleHeartbeat();
    },

    // A connection can die without a close (a laptop sleeps, a NAT forgets it): the browser
    // may then think it open for many minutes while signals go nowhere. So after
    // heartbeatInterval of silence we send the protocol's `ping`; if nothing at all arrives
    // within heartbeatTimeout, the connection is given up and a new one is made.
    _scheduleHeartbeat: function () {
      var self = this;
      var interval = this.options.heartbeatInterval;
      if (!(interval > 0)) return;
      clearTimeout(this._heartbeatTimer);
      var wait = Math.max(0, this._lastInbound + interval - Date.now());
      this._heartbeatTimer = setTimeout(function () {
        var ws = self._ws;
        if (!ws || self.status !== 'open') return;
        // Something arrived while we waited: count the silence from then.
        if (Date.now() - self._lastInbound < interval) { self._scheduleHeartbeat(); return; }
        var pingedAt = Date.now();
        self._write(JSON.stringify({ event: 'ping' }), undefined);
        self._heartbeatTimer = setTimeout(function () {
          if (self._ws !== ws) return;
          if (self._lastInbound >= pingedAt) { self._scheduleHeartbeat(); return; }
          self._detach(ws);
          try { ws.close(4000, 'heartbeat timeout'); } catch (err) { /* already closing */ }
          self._afterClose({ code: 4000, reason: 'heartbeat timeout', wasClean: false });
        }, self.options.heartbeatTimeout);
      }, wait);
    },

    _resubscribe: function () {
      var self = this;
      this._rooms.forEach(function (room) { self._sendJoin(room); });
      this._signals.forEach(function (handlers, name) { self._sendListen('listen', name); });
    },

    // ---- sending ---------------------------------------------------------------------------

    /** Sends {event, ...fields}. Returns true if it went out now, false if it was queued. */
    send: function (event, fields) {
      return this._transmit(event, fields, undefined);
    },

    /** Sends {event, ...fields, id} and resolves with the matching `ack` (the whole message), or
     *  rejects with an Error whose `code` is the server's error code, 'timeout', 'disconnected'
     *  (the connection closed before the answer) or 'queue_full' (dropped while offline). */
    request: function (event, fields, options) {
      var self = this;
      var id = ++this._nextId;
      var timeout = options && options.timeout !== undefined ? options.timeout : this.options.requestTimeout;
      return new Promise(function (resolve, reject) {
        var entry = { resolve: resolve, reject: reject, timer: null, sent: false };
        if (timeout > 0) {
          entry.timer = setTimeout(function () {
            self._settle(id, WsRelayError('timeout', event + ': no answer within ' + timeout + ' ms'), false);
          }, timeout);
        }
        self._pending.set(id, entry);
        self._transmit(event, fields, id);
      });
    },

    _transmit: function (event, fields, id) {
      // `event` last so fields cannot change the operation; the spread keeps it first on the wire.
      var message = Object.assign({ event: event }, fields, { event: event });
      if (id !== undefined) message.id = id;
      var text = JSON.stringify(message);
      if (this.status === 'open' && this._ws) {
        this._write(text, id);
        return true;
      }
      this._queue.push({ text: text, id: id });
      if (this._queue.length > this.options.queueLimit) {
        var dropped = this._queue.shift();
        this.stats.dropped += 1;
        this._emit('dropped', { message: JSON.parse(dropped.text), reason: 'queue_full' });
        if (dropped.id !== undefined) {
          this._settle(dropped.id, WsRelayError('queue_full', 'dropped from the offline queue'), false);
        }
      }
      return false;
    },

    _write: function (text, id) {
      this._ws.send(text);
      this.stats.sent += 1;
      if (id !== undefined) {
        var entry = this._pending.get(id);
        if (entry) entry.sent = true;
      }
      this._emit('frame', { direction: 'out', data: text, time: new Date() });
    },

    _settle: function (id, value, ok) {
      var entry = this._pending.get(id);
      if (!entry) return false;
      this._pending.delete(id);
      clearTimeout(entry.timer);
      if (ok) entry.resolve(value); else entry.reject(value);
      return true;
    },

    // ---- receiving -------------------------------------------------------------------------

    _handleFrame: function (data) {
      this._lastInbound = Date.now();
      this.stats.received += 1;
      this._emit('frame', { direction: 'in', data: data, time: new Date() });
      var msg;
      try {
        msg = typeof data === 'string' ? JSON.parse(data) : undefined;
      } catch (err) {
        msg = undefined;
      }
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
        this._emit('raw', data);
        return;
      }
      var event = msg.event || msg.type;
      if (msg.id !== undefined && msg.id !== null && (event === 'ack' || event === 'error')) {
        var settled = event === 'ack'
          ? this._settle(msg.id, msg, true)
          : this._settle(msg.id, WsRelayError(msg.code || 'error', msg.message, msg), false);
        // An answered request is the caller's business; only unclaimed answers are events.
        if (settled) { this._emit('message', msg); return; }
      }
      if (event === 'welcome') {
        this.clientId = msg.client_id;
        if (this._awaitingWelcome) {
          this._awaitingWelcome = false;
          this._authenticate(msg.auth_pending === true);
        }
      }
      // The server puts every new connection in its default room; one this client left stays left.
      if (event === 'room_joined' && this._leftRooms.has(msg.room) && !this._rooms.has(msg.room)) {
        this.send('leave_room', { room: msg.room });
      }
      if (event === 'signal') this._deliverSignal(msg);
      if (event === 'members_changed') this._expandNotices(msg);
      if (event) this._emit(event, msg);
      this._emit('message', msg);
    },

    // A room with batched notices sends one members_changed for several joins and leaves
    // (docs/protocol.md, "Join and leave notices"). Handlers of user_joined / user_left see
    // each of them as the plain event (marked batched: true), in order, this client's own
    // entries left out as the server leaves them out of the plain events. Past the server's
    // list limit the batch has only counts: then only 'members_changed' is emitted.
    _expandNotices: function (msg) {
      var self = this;
      var expand = function (list, name) {
        if (!Array.isArray(list)) return;
        list.forEach(function (entry) {
          if (!entry || entry.client_id === self.clientId) return;
          var notice = { event: name, room: msg.room, member_count: msg.member_count, timestamp: msg.timestamp, batched: true };
          Object.keys(entry).forEach(function (key) { notice[key] = entry[key]; });
          self._emit(name, notice);
        });
      };
      expand(msg.joined, 'user_joined');
      expand(msg.left, 'user_left');
    },

    _deliverSignal: function (msg) {
      var handlers = this._signals.get(msg.name);
      if (!handlers) return;
      Array.from(handlers).forEach(function (handler) {
        try { handler(msg.data, msg); } catch (err) { rethrowLater(err); }
      });
    },

    // ---- rooms -----------------------------------------------------------------------------

    /** Joins `room` and remembers it, so every reconnect re-joins it. Resolves with the server's
     *  answer (member count, ...) once a connection has joined; rejects if the server refuses
     *  (e.g. 'room_full'), in which case the room is forgotten. */
    joinRoom: function (room) {
      var self = this;
      this._rooms.add(room);
      this._leftRooms.delete(room);
      return new Promise(function (resolve, reject) {
        var waiters = self._roomWaiters.get(room);
        if (!waiters) self._roomWaiters.set(room, (waiters = []));
        waiters.push({ resolve: resolve, reject: reject });
        // Offline: nothing to send now; _resubscribe() joins it on open.
        if (self.status === 'open' && waiters.length === 1) self._sendJoin(room);
      });
    },

    _sendJoin: function (room) {
      var self = this;
      this.request('join_room', { room: room }).then(function (ack) {
        self._settleRoom(room, ack, true);
      }, function (err) {
        if (err.code === 'disconnected') return; // the next connection re-joins; waiters keep waiting
        if (err.code !== 'timeout') self._rooms.delete(room);
        if (!self._settleRoom(room, err, false)) self._emit('error', err.response || { code: err.code, message: err.message, room: room });
      });
    },

    _settleRoom: function (room, value, ok) {
      var waiters = this._roomWaiters.get(room);
      this._roomWaiters.delete(room);
      if (!waiters) return false;
      waiters.forEach(function (w) { if (ok) w.resolve(value); else w.reject(value); });
      return true;
    },

    /** Leaves `room` and stops re-joining it. Resolves with the server's answer, or at once
     *  when offline (a new connection is not in the room anyway). */
    leaveRoom: function (room) {
      this._rooms.delete(room);
      this._leftRooms.add(room);
      this._settleRoom(room, WsRelayError('left', 'leaveRoom() called before the join was answered'), false);
      if (this.status !== 'open') return Promise.resolve({ event: 'ack', room: room, offline: true });
      return this.request('leave_room', { room: room });
    },

    /** The rooms this client asked for (the server's default room is not listed unless joined). */
    get rooms() {
      return Array.from(this._rooms);
    },

    /** Asks the server which rooms this connection is in. */
    listRooms: function () {
      return this.request('rooms', {});
    },

    roomMessage: function (room, message) {
      return this.send('room_message', { room: room, message: message });
    },

    broadcast: function (message) {
      return this.send('broadcast', { message: message });
    },

    /** A direct message to one client id (it receives `direct`). */
    sendTo: function (clientId, message) {
      return this.send('send', { to: clientId, message: message });
    },

    // ---- signals ---------------------------------------------------------------------------

    /** Fires signal `name` with optional `data` at every listener (within options.room if given). */
    sendSignal: function (name, data, options) {
      var fields = { name: name };
      if (data !== undefined) fields.data = data;
      if (options && options.room) fields.room = options.room;
      return this.send('signal', fields);
    },

    /** Calls handler(data, message) for every signal `name`; listens again after reconnects.
     *  Returns a function that removes the handler (and stops listening after the last one). */
    receiveSignal: function (name, handler) {
      if (typeof handler !== 'function') throw new TypeError('receiveSignal: handler must be a function');
      var handlers = this._signals.get(name);
      if (!handlers) {
        this._signals.set(name, (handlers = new Set()));
        if (this.status === 'open') this._sendListen('listen', name);
      }
      handlers.add(handler);
      var self = this;
      return function () {
        var set = self._signals.get(name);
        if (!set || !set.delete(handler) || set.size > 0) return;
        self._signals.delete(name);
        if (self.status === 'open') self._sendListen('unlisten', name);
      };
    },

    _sendListen: function (event, name) {
      var self = this;
      this.request(event, { name: name }).catch(function (err) {
        if (err.code === 'disconnected') return; // re-sent by _resubscribe() on the next open
        self._emit('error', err.response || { code: err.code, message: err.message, name: name });
      });
    }
  };

  // ---- the one shared connection behind the global helpers ---------------------------------

  var shared = null;
  var sharedOptions = {};

  /** Options for the shared connection; call before the first sendSignal/receiveSignal. */
  WsRelay.configure = function (options) {
    if (shared) throw new Error('WsRelay.configure: the shared connection already exists');
    sharedOptions = Object.assign({}, sharedOptions, options);
  };

  /** The page's shared connection, created on first use. */
  WsRelay.shared = function () {
    if (!shared) shared = new WsRelay(sharedOptions);
    return shared;
  };

  WsRelay.sendSignal = function (name, data) {
    return WsRelay.shared().sendSignal(name, data);
  };

  WsRelay.receiveSignal = function (name, callback) {
    return WsRelay.shared().receiveSignal(name, callback);
  };

  WsRelay.backoffDelay = function (attempt, options, random) {
    var opts = Object.assign({}, DEFAULTS, options);
    return backoffDelay(attempt, opts, random);
  };
  WsRelay.Error = WsRelayError;
  // For wsrelay.mjs: a module has no currentScript, so it tells us where it was loaded from.
  WsRelay._setScriptSrc = function (src) { if (!scriptSrc) scriptSrc = src; };
  WsRelay.DEFAULTS = DEFAULTS;

  return WsRelay;
});

// Peer echo server on Node's `ws` package (npm), for side-by-side benchmarks with
// `wsrelay echo`. Plain `ws` as its README shows it: no permessage-deflate (its default for
// servers), no bufferutil/utf-8-validate native add-ons (they are optional).
//
//   node server.js --port N [--broadcast]
//
// echo:      every message goes back to its sender, same type (text/binary).
// broadcast: every message goes to every connected client, sender included.
'use strict';

const { WebSocketServer } = require('ws');

let port = 9001;
let broadcast = false;
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg === '--port') port = Number(process.argv[++i]);
  else if (arg === '--broadcast') broadcast = true;
  else if (arg === '--host') i++; // always 127.0.0.1
  else {
    console.error('usage: node server.js --port N [--broadcast]');
    process.exit(2);
  }
}

const server = new WebSocketServer({ host: '127.0.0.1', port, backlog: 4096, perMessageDeflate: false });

server.on('connection', (socket) => {
  socket.on('error', () => {});
  if (!broadcast) {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    return;
  }
  socket.on('message', (data, isBinary) => {
    for (const client of server.clients) {
      if (client.readyState === 1) client.send(data, { binary: isBinary });
    }
  });
});

server.on('listening', () => {
  console.log(`node-ws listening on 127.0.0.1:${port}${broadcast ? ' (broadcast)' : ''}`);
});

const stop = () => process.exit(0); // ws 8 leaves open connections alone on close()
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

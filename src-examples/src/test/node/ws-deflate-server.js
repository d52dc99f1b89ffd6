// A `ws` echo server with permessage-deflate for the end-to-end tests: every message it sends is compressed
// (threshold 0). Prints "listening on 127.0.0.1:PORT", then one JSON line per connection with the extension
// offer it received, the extensions it negotiated and the Via it saw, and one per close. Stopped by its pid.
const { WebSocketServer } = require('ws');

const log = (event) => console.log(JSON.stringify(event));
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 } });
server.on('listening', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
server.on('connection', (socket, req) => {
  log({ event: 'connection', offered: req.headers['sec-websocket-extensions'] || null,
    negotiated: socket.extensions, via: req.headers.via || null });
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('close', (code) => log({ event: 'close', code }));
});

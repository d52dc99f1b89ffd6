// A socket.io server for the end-to-end tests. Prints "listening on 127.0.0.1:PORT", then one JSON line per
// event: every HTTP request with the transport it serves and the number of the TCP connection it came on
// (so a test can see keep-alive), every TCP connection that closes, the socket.io connection, its upgrade and its
// disconnect. The upgrade to WebSocket is held back until the client says it is done with long-polling
// ('polling-done'), so that each message's transport is known. When a TCP connection closes, every client is
// told ('connection-closed'), so that a client can act right after its kept-alive connection lost its upstream.
// Usage: node socketio-server.js [--ping-interval MS] [--keep-alive-timeout MS]   Stopped by its pid.
const http = require('http');
const { Server } = require('socket.io');

const log = (event) => console.log(JSON.stringify(event));
const transport = (req) => new URL(req.url, 'http://server').searchParams.get('transport');

const option = (name, otherwise) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : otherwise;
};

const httpServer = http.createServer();
httpServer.keepAliveTimeout = option('--keep-alive-timeout', 5000); // Node's default: 5 s
let connections = 0;
httpServer.on('connection', (socket) => {
  socket.number = ++connections;
  socket.on('close', () => {
    log({ event: 'connection-closed', connection: socket.number });
    io.emit('connection-closed', socket.number);
  });
});
httpServer.on('upgrade', (req) => log({ event: 'request', method: req.method, transport: transport(req),
  connection: req.socket.number, upgrade: req.headers.upgrade, via: req.headers.via || null }));

const io = new Server(httpServer, { pingInterval: option('--ping-interval', 25000) });
// After socket.io's own listener, which engine.io installs by replacing the ones before it.
httpServer.on('request', (req) => log({ event: 'request', method: req.method, transport: transport(req),
  connection: req.socket.number }));
let openGate;
const gate = new Promise((resolve) => { openGate = resolve; });
io.engine.use((req, res, next) => (transport(req) === 'websocket' ? gate.then(() => next()) : next()));

io.on('connection', (socket) => {
  const over = () => socket.conn.transport.name;
  log({ event: 'connection', transport: over() });
  socket.emit('welcome', `welcome over ${over()}`);
  socket.on('hello', (text, ack) => ack(`${text}, received over ${over()}`));
  socket.on('polling-done', () => openGate());
  socket.conn.on('upgrade', () => {
    log({ event: 'upgrade', transport: over() });
    socket.emit('push', `pushed over ${over()}`);
  });
  socket.on('disconnect', (reason) => log({ event: 'disconnect', reason }));
});

httpServer.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${httpServer.address().port}`));

// A WebSocket echo server from the `ws` package, for the end-to-end tests.
// Prints "listening on 127.0.0.1:PORT" once ready; stopped by its pid.
const { WebSocketServer } = require('ws');

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('listening', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});

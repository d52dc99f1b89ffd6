// A socket.io client that stays on HTTP long-polling over keep-alive connections (as behind a proxy that blocks
// WebSockets), for the end-to-end tests. It waits for one of two moments, sends a message, checks its answer and
// disconnects; prints one JSON line and exits non-zero when the session broke.
//   long-poll:           the server's first ping, which arrives on a long-poll held for the ping interval;
//   after-upstream-close: the server's word that a TCP connection closed (its keep-alive timeout), so that the
//                        message goes out on a kept-alive client connection whose upstream connection is gone.
// Usage: node socketio-polling-client.js URL long-poll|after-upstream-close
const http = require('http');
const { io } = require('socket.io-client');

const [url, moment] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true });
const socket = io(url, { transports: ['polling'], reconnection: false, transportOptions: { polling: { agent } } });
const result = { moment, pinged: false, connectionClosed: null, ack: null, disconnect: null };
const finish = (code) => { console.log(JSON.stringify(result)); agent.destroy(); process.exit(code); };
const fail = (why) => { result.error = String(why); finish(1); };
setTimeout(() => fail('timed out'), 20000).unref();

let sent = false;
const send = () => {
  if (sent) {
    return;
  }
  sent = true;
  socket.emit('hello', 'hello after waiting', (reply) => {
    result.ack = reply;
    socket.disconnect();
  });
};
if (moment === 'long-poll') {
  socket.io.on('ping', () => { result.pinged = true; send(); });
} else {
  socket.on('connection-closed', (number) => { result.connectionClosed = number; send(); });
}
socket.on('connect_error', fail);
socket.on('disconnect', (reason, details) => {
  result.disconnect = reason;
  if (details && details.description) {
    result.detail = String(details.description.message || details.description);
  }
  finish(result.ack === 'hello after waiting, received over polling' && reason === 'io client disconnect' ? 0 : 1);
});

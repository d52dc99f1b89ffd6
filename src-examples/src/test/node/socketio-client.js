// A socket.io client for the end-to-end tests: starts on HTTP long-polling over keep-alive connections, as a
// browser does, exchanges a message each way, lets the server upgrade it to WebSocket, exchanges a message each
// way again, and disconnects. Prints one JSON line; exits non-zero unless every step took the expected transport.
// Usage: node socketio-client.js URL
const http = require('http');
const { io } = require('socket.io-client');

const agent = new http.Agent({ keepAlive: true });
const socket = io(process.argv[2], {
  transports: ['polling', 'websocket'],
  reconnection: false,
  transportOptions: { polling: { agent } },
});
const result = { welcome: null, pollingAck: null, upgradedTo: null, websocketAck: null, push: null, disconnect: null };
const over = () => socket.io.engine.transport.name;
const finish = (code) => { console.log(JSON.stringify(result)); agent.destroy(); process.exit(code); };
const fail = (why) => { result.error = String(why); finish(1); };
setTimeout(() => fail('timed out'), 20000).unref();

const pollingDone = () => {
  if (result.welcome && result.pollingAck) {
    socket.emit('polling-done');
  }
};
const websocketDone = () => {
  if (result.websocketAck && result.push) {
    socket.disconnect();
  }
};

socket.io.on('open', () => socket.io.engine.on('upgrade', (transport) => {
  result.upgradedTo = transport.name;
  socket.emit('hello', 'hello from the client', (reply) => {
    result.websocketAck = `${reply}; answer received over ${over()}`;
    websocketDone();
  });
}));
socket.on('connect', () => socket.emit('hello', 'hello from the client', (reply) => {
  result.pollingAck = `${reply}; answer received over ${over()}`;
  pollingDone();
}));
socket.on('welcome', (text) => {
  result.welcome = `${text}; received over ${over()}`;
  pollingDone();
});
socket.on('push', (text) => {
  result.push = `${text}; received over ${over()}`;
  websocketDone();
});
socket.on('connect_error', fail);
socket.on('disconnect', (reason) => {
  result.disconnect = reason;
  const expected = result.welcome === 'welcome over polling; received over polling'
    && result.pollingAck === 'hello from the client, received over polling; answer received over polling'
    && result.upgradedTo === 'websocket'
    && result.websocketAck === 'hello from the client, received over websocket; answer received over websocket'
    && result.push === 'pushed over websocket; received over websocket'
    && reason === 'io client disconnect';
  finish(expected ? 0 : 1);
});

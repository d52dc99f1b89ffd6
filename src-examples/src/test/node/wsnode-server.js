// A WebSocket-Node (the `websocket` package) echo server for the end-to-end tests. Accepts the subprotocol
// 'echo-protocol' when offered, echoes text as text and binary as binary, and prints one JSON line per accepted
// connection (with the Via and X-Forwarded-For it saw) and per close. Prints "listening on 127.0.0.1:PORT"
// first. Stopped by its pid.
const http = require('http');
const WebSocketServer = require('websocket').server;

const log = (event) => console.log(JSON.stringify(event));
const httpServer = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const server = new WebSocketServer({
  httpServer,
  autoAcceptConnections: false,
  maxReceivedFrameSize: 1 << 20,
  maxReceivedMessageSize: 8 << 20,
});
server.on('request', (request) => {
  const protocol = request.requestedProtocols.includes('echo-protocol') ? 'echo-protocol' : null;
  const connection = request.accept(protocol, request.origin);
  const headers = request.httpRequest.headers;
  log({ event: 'accepted', protocol, via: headers.via || null, forwardedFor: headers['x-forwarded-for'] || null });
  connection.on('message', (message) => (message.type === 'utf8'
    ? connection.sendUTF(message.utf8Data) : connection.sendBytes(message.binaryData)));
  connection.on('close', (code, description) => log({ event: 'close', code, description }));
});
httpServer.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${httpServer.address().port}`));

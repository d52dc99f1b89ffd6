// A WebSocket-Node (the `websocket` package) client for the end-to-end tests: connects to URL (offering
// SUBPROTOCOL when given), sends a text message and a 256 KiB binary one (which it fragments into 16 KiB frames),
// checks both echoes, closes with 1000 and prints one JSON line. Exits non-zero on any failure.
// Usage: node wsnode-client.js URL [SUBPROTOCOL]
const crypto = require('crypto');
const WebSocketClient = require('websocket').client;

const [url, subprotocol] = process.argv.slice(2);
const binary = crypto.randomBytes(256 * 1024);
const result = { protocol: null, text: null, binaryEqual: false, closeCode: null };
const fail = (why) => { console.log(JSON.stringify({ ...result, error: String(why) })); process.exit(1); };
setTimeout(() => fail('timed out'), 15000).unref();

const client = new WebSocketClient();
client.on('connectFailed', fail);
client.on('connect', (connection) => {
  result.protocol = connection.protocol || null;
  connection.on('error', fail);
  connection.on('message', (message) => {
    if (message.type === 'utf8') {
      result.text = message.utf8Data;
      connection.sendBytes(binary);
    } else {
      result.binaryEqual = Buffer.compare(message.binaryData, binary) === 0;
      connection.close(1000, 'done');
    }
  });
  connection.on('close', (code) => {
    result.closeCode = code;
    console.log(JSON.stringify(result));
    process.exit(result.text === 'hello from WebSocket-Node' && result.binaryEqual && code === 1000 ? 0 : 1);
  });
  connection.sendUTF('hello from WebSocket-Node');
});
client.connect(url, subprotocol ? [subprotocol] : null);

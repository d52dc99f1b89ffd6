// A `ws` client that offers permessage-deflate and compresses every message (threshold 0), for the end-to-end
// tests: sends 1 MiB of repetitive text and 64 KiB of random bytes, checks both echoes, closes with 1000 and
// prints one JSON line with the extensions negotiated and the 101's Sec-WebSocket-Extensions.
// Exits non-zero when an echo differs or the close is not clean; the negotiation itself is for the test to judge.
// Usage: node ws-deflate-client.js URL
const crypto = require('crypto');
const WebSocket = require('ws');

const text = 'upgrade4j carries compressed frames unchanged. '.repeat(22310).slice(0, 1 << 20);
const binary = crypto.randomBytes(64 * 1024);
const socket = new WebSocket(process.argv[2], { perMessageDeflate: { threshold: 0 } });
const result = { extensions: null, responseExtensions: null, textEqual: false, binaryEqual: false, closeCode: null };
const fail = (why) => { console.log(JSON.stringify({ ...result, error: String(why) })); process.exit(1); };
setTimeout(() => fail('timed out'), 15000).unref();

socket.on('upgrade', (response) => { result.responseExtensions = response.headers['sec-websocket-extensions'] || null; });
socket.on('open', () => {
  result.extensions = socket.extensions;
  socket.send(text);
});
socket.on('message', (data, isBinary) => {
  if (!isBinary) {
    result.textEqual = data.toString() === text;
    socket.send(binary, { binary: true });
  } else {
    result.binaryEqual = Buffer.compare(data, binary) === 0;
    socket.close(1000, 'done');
  }
});
socket.on('close', (code) => {
  result.closeCode = code;
  console.log(JSON.stringify(result));
  process.exit(result.textEqual && result.binaryEqual && code === 1000 ? 0 : 1);
});
socket.on('error', fail);

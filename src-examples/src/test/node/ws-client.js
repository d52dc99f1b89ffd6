// A `ws` client for the end-to-end tests: sends a text and a 1 MiB binary message to the URL given,
// checks both echoes, closes with 1000 and prints one JSON line. Exits non-zero on any failure.
const WebSocket = require('ws');
const crypto = require('crypto');

const url = process.argv[2];
const binary = crypto.randomBytes(1 << 20);
const socket = new WebSocket(url);
const result = { opened: false, text: null, binaryEqual: false, closeCode: null };
const fail = (why) => { console.log(JSON.stringify({ ...result, error: String(why) })); process.exit(1); };
setTimeout(() => fail('timed out'), 15000).unref();

socket.on('open', () => { result.opened = true; socket.send('hello from ws'); });
socket.on('message', (data, isBinary) => {
  if (!isBinary) {
    result.text = data.toString();
    socket.send(binary, { binary: true });
  } else {
    result.binaryEqual = Buffer.compare(data, binary) === 0;
    socket.close(1000, 'done');
  }
});
socket.on('close', (code) => {
  result.closeCode = code;
  console.log(JSON.stringify(result));
  process.exit(result.text === 'hello from ws' && result.binaryEqual && code === 1000 ? 0 : 1);
});
socket.on('error', fail);

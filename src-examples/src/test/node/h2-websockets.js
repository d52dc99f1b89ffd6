// WebSockets over HTTP/2 (RFC 8441) with Node's own http2 client, for the end-to-end tests: ONE TLS
// connection with ALPN h2 to the URL's origin, and on it extended CONNECT streams (:method CONNECT,
// :protocol websocket) that speak WebSocket frames (RFC 6455, masked by the client) in their DATA to an
// echo server behind the proxy. Only Node's built-ins (http2, crypto).
//
// Usage: node h2-websockets.js URL SCENARIO [--ca FILE] [--await]
//   URL       https://HOST:PORT/PATH, the WebSockets' path (each stream adds ?ws=N)
//   SCENARIO  multiplex  ten WebSockets at once, each echoing its own text and binary messages; one offers
//                        the subprotocol chat, one the extension permessage-deflate
//             stall      one stream stops reading (paused) while 4 MiB of echoes pile up against its flow-control
//                        window; the others still round-trip; then it resumes and every byte arrives in order
//             reset      one stream is reset (RST_STREAM CANCEL) mid-message; the others keep working, and a new
//                        stream still opens on the connection
//   --ca FILE  trust that CA instead of accepting any certificate
//   --await    (reset) after the reset, print {"event":"awaiting"} and go on only when a line arrives on stdin,
//              so that a test can look at the proxy meanwhile
// Prints one JSON object per line: connected, open (the CONNECT's :status and any sec-websocket-protocol and
// sec-websocket-extensions), what each scenario saw, closed, and last {"event":"result","ok":true,...}.
// Exits non-zero on any failure, printing {"event":"error",...}.
'use strict';
const http2 = require('http2');
const crypto = require('crypto');
const fs = require('fs');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const [url, scenario] = args;
const TIMEOUT_MS = Number(process.env.H2WS_TIMEOUT_MS || 90000);

const print = (object) => console.log(JSON.stringify(object));
const fail = (why) => {
  print({ event: 'error', scenario, message: String(why && why.stack ? why.stack : why) });
  process.exit(1);
};
const check = (condition, why) => {
  if (!condition) {
    throw new Error(why);
  }
};
setTimeout(() => fail('timed out after ' + TIMEOUT_MS + ' ms'), TIMEOUT_MS).unref();

// ---- RFC 6455 framing -------------------------------------------------------------------------------------
const OP = { CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 };

/** One client frame: FIN set, masked with a fresh key (RFC 6455 §5.3). */
function frame(opcode, payload) {
  const length = payload.length;
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + 4 + length);
  out[0] = 0x80 | opcode;
  if (length < 126) {
    out[1] = 0x80 | length;
  } else if (length < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = crypto.randomBytes(4);
  mask.copy(out, head);
  for (let i = 0; i < length; i++) {
    out[head + 4 + i] = payload[i] ^ mask[i & 3];
  }
  return out;
}

/** Reads server frames (never masked, §5.1) from DATA chunks and reassembles messages. */
class FrameReader {
  constructor(onMessage, onControl) {
    this.chunks = [];
    this.buffered = 0;
    this.fragments = null;
    this.onMessage = onMessage;
    this.onControl = onControl;
  }

  push(chunk) {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      const bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      this.chunks = [bytes];
      if (bytes.length < 2) {
        return;
      }
      const fin = (bytes[0] & 0x80) !== 0;
      check((bytes[0] & 0x70) === 0, 'a frame with RSV bits set, no extension was agreed');
      const opcode = bytes[0] & 0x0f;
      check((bytes[1] & 0x80) === 0, 'a masked frame from the server (RFC 6455 §5.1)');
      let length = bytes[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (bytes.length < 4) return;
        length = bytes.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (bytes.length < 10) return;
        length = Number(bytes.readBigUInt64BE(2));
        offset = 10;
      }
      if (bytes.length < offset + length) {
        return;
      }
      const payload = bytes.subarray(offset, offset + length);
      this.chunks = [bytes.subarray(offset + length)];
      if (opcode >= 8) {
        check(fin && length <= 125, 'a fragmented or long control frame');
        this.onControl(opcode, Buffer.from(payload));
      } else if (opcode === OP.CONTINUATION) {
        check(this.fragments !== null, 'a continuation frame with no message to continue');
        this.fragments.parts.push(Buffer.from(payload));
        if (fin) {
          const message = this.fragments;
          this.fragments = null;
          this.onMessage(message.opcode, Buffer.concat(message.parts));
        }
      } else {
        check(opcode === OP.TEXT || opcode === OP.BINARY, 'a frame with the unknown opcode ' + opcode);
        check(this.fragments === null, 'a new message before the last one ended');
        if (fin) {
          this.onMessage(opcode, Buffer.from(payload));
        } else {
          this.fragments = { opcode, parts: [Buffer.from(payload)] };
        }
      }
    }
  }
}

// ---- one WebSocket on one extended-CONNECT stream -------------------------------------------------------
class H2WebSocket {
  /** Opens a stream with extended CONNECT; resolves once the :status arrived. */
  static open(session, target, index, extra = {}) {
    const headers = {
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':scheme': 'https',
      ':path': target.pathname + (target.search ? target.search + '&' : '?') + 'ws=' + index,
      ':authority': target.host,
      'sec-websocket-version': '13',
      ...extra,
    };
    const stream = session.request(headers, { endStream: false });
    return new Promise((resolve, reject) => {
      stream.once('error', reject);
      stream.once('close', () => reject(new Error('stream of WebSocket ' + index + ' closed before its response, RST_STREAM '
          + stream.rstCode)));
      stream.once('response', (response) => {
        stream.removeListener('error', reject);
        stream.removeAllListeners('close');
        const socket = new H2WebSocket(stream, index, response);
        print({
          event: 'open', scenario, ws: index, stream: stream.id, status: response[':status'],
          protocol: response['sec-websocket-protocol'] || null,
          extensions: response['sec-websocket-extensions'] || null,
        });
        resolve(socket);
      });
    });
  }

  constructor(stream, index, response) {
    this.stream = stream;
    this.index = index;
    this.status = response[':status'];
    this.protocol = response['sec-websocket-protocol'] || null;
    this.extensions = response['sec-websocket-extensions'] || null;
    this.messages = [];
    this.waiters = [];
    this.received = 0;
    this.closeCode = null;
    this.ended = new Promise((resolve) => stream.once('close', () => resolve(stream.rstCode)));
    this.reader = new FrameReader((opcode, data) => {
      this.received++;
      this.messages.push({ opcode, data });
      this.wake();
    }, (opcode, payload) => this.control(opcode, payload));
    stream.on('data', (chunk) => {
      try {
        this.reader.push(chunk);
      } catch (e) {
        fail('WebSocket ' + index + ' (stream ' + stream.id + '): ' + e.message);
      }
    });
    stream.on('end', () => { this.peerEnded = true; this.wake(); });
    stream.on('error', (e) => { this.error = e; this.wake(); });
    stream.on('close', () => this.wake());
  }

  control(opcode, payload) {
    if (opcode === OP.PING) {
      this.stream.write(frame(OP.PONG, payload));
    } else if (opcode === OP.CLOSE) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (!this.closeSent) {
        this.closeSent = true;
        this.stream.write(frame(OP.CLOSE, payload.subarray(0, 2)));
      }
      this.stream.end(); // END_STREAM after the closing handshake: the tunnel's half-close toward the upstream
      this.wake();
    }
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Sends a text (string) or binary (Buffer) message. */
  send(data) {
    const binary = Buffer.isBuffer(data);
    this.stream.write(frame(binary ? OP.BINARY : OP.TEXT, binary ? data : Buffer.from(data, 'utf8')));
  }

  /** The next message: {opcode, data}. */
  async next() {
    for (;;) {
      if (this.messages.length > 0) {
        return this.messages.shift();
      }
      if (this.error || this.peerEnded || this.closeCode !== null || this.stream.closed) {
        throw new Error('WebSocket ' + this.index + ' (stream ' + this.stream.id + ') ended while a message was awaited: '
            + (this.error ? this.error.message : 'close ' + this.closeCode + ', RST_STREAM ' + this.stream.rstCode));
      }
      await new Promise((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends each message, expects each echoed (same type, same bytes) in order; returns the bytes echoed. */
  async roundTrip(messages) {
    let bytes = 0;
    for (const message of messages) {
      this.send(message);
      const echo = await this.next();
      const binary = Buffer.isBuffer(message);
      check(echo.opcode === (binary ? OP.BINARY : OP.TEXT), 'WebSocket ' + this.index + ' got a '
          + (echo.opcode === OP.TEXT ? 'text' : 'binary') + ' echo for a ' + (binary ? 'binary' : 'text') + ' message');
      const expected = binary ? message : Buffer.from(message, 'utf8');
      check(expected.equals(echo.data), 'WebSocket ' + this.index + ' got back other bytes than it sent ('
          + echo.data.length + ' for ' + expected.length + ')');
      bytes += expected.length;
    }
    print({ event: 'echoed', scenario, ws: this.index, stream: this.stream.id, messages: messages.length, bytes, equal: true });
    return bytes;
  }

  /** Closes with 1000 and waits for the server's Close and the stream's end; prints the codes. */
  async close() {
    this.closeSent = true;
    this.stream.write(frame(OP.CLOSE, Buffer.from([0x03, 0xe8])));
    while (this.closeCode === null && !this.error && !this.peerEnded && !this.stream.closed) {
      await new Promise((resolve) => this.waiters.push(resolve));
    }
    const rstCode = await this.ended;
    print({ event: 'closed', scenario, ws: this.index, stream: this.stream.id, code: this.closeCode, rstCode });
    check(this.closeCode === 1000, 'WebSocket ' + this.index + ' expected Close 1000 back but got ' + this.closeCode);
    this.rstCode = rstCode;
  }
}

// ---- the connection ---------------------------------------------------------------------------------------
function connect(target) {
  const ca = option('--ca');
  const session = http2.connect(target.origin, ca ? { ca: fs.readFileSync(ca) } : { rejectUnauthorized: false });
  return new Promise((resolve, reject) => {
    session.once('error', reject);
    // The client may send an extended CONNECT only after the server's SETTINGS_ENABLE_CONNECT_PROTOCOL = 1
    // (RFC 8441 §3); Node refuses to before.
    session.once('remoteSettings', (settings) => {
      session.removeListener('error', reject);
      session.on('error', (e) => fail('the h2 connection failed: ' + e.message));
      print({
        event: 'connected', scenario, localPort: session.socket.localPort, alpn: session.alpnProtocol, enableConnectProtocol: settings.enableConnectProtocol === true,
        initialWindowSize: settings.initialWindowSize, maxConcurrentStreams: settings.maxConcurrentStreams,
      });
      if (session.alpnProtocol !== 'h2') {
        reject(new Error('ALPN chose ' + session.alpnProtocol + ', not h2'));
      } else if (settings.enableConnectProtocol !== true) {
        reject(new Error('the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1'));
      } else {
        resolve(session);
      }
    });
  });
}

function text(ws, i) {
  return 'WebSocket ' + ws + ' message ' + i + ' ' + crypto.randomBytes(8).toString('hex');
}

function openAll(session, target, count, extras = {}) {
  return Promise.all(Array.from({ length: count }, (_, i) => H2WebSocket.open(session, target, i, extras[i] || {})));
}

function checkOpened(sockets) {
  for (const ws of sockets) {
    check(ws.status === 200, 'the CONNECT of WebSocket ' + ws.index + ' was answered ' + ws.status + ', not 200');
  }
}

// Ten WebSockets at once on the one connection, each with its own messages.
async function multiplex(session, target) {
  const sockets = await openAll(session, target, 10, {
    0: { 'sec-websocket-protocol': 'chat' },
    1: { 'sec-websocket-extensions': 'permessage-deflate' },
  });
  checkOpened(sockets);
  await Promise.all(sockets.map((ws) => ws.roundTrip([
    text(ws.index, 1), crypto.randomBytes(100 * 1024 + ws.index), text(ws.index, 2), crypto.randomBytes(ws.index + 1),
    text(ws.index, 3),
  ])));
  await Promise.all(sockets.map((ws) => ws.close()));
  return { websockets: sockets.length, streams: sockets.map((ws) => ws.stream.id) };
}

const STALL_MESSAGES = 64;
const STALL_MESSAGE_BYTES = 64 * 1024;

/** Polls (this script's only polling) until the stream's receive window is spent, within a deadline. */
async function windowSpent(stream, deadlineMs) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const window = stream.state.localWindowSize;
    if (window === 0) {
      return window;
    }
    check(Date.now() < until, 'the stalled stream\'s receive window stayed at ' + window + ' bytes: the echoes did not'
        + ' pile up against flow control');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// One stream stops reading while the echo server keeps sending it data; the others go on.
async function stall(session, target) {
  const sockets = await openAll(session, target, 5);
  checkOpened(sockets);
  const [stalled, ...others] = sockets;
  await stalled.roundTrip([text(0, 0)]);
  stalled.stream.pause(); // no more 'data': Node stops giving the stream's window back (WINDOW_UPDATE)
  const sent = [];
  for (let i = 0; i < STALL_MESSAGES; i++) {
    const message = crypto.randomBytes(STALL_MESSAGE_BYTES);
    sent.push(message);
    stalled.send(message);
  }
  const window = await windowSpent(stalled.stream, 30000);
  print({
    event: 'stalled', scenario, ws: 0, stream: stalled.stream.id, localWindowSize: window, sentBytes: STALL_MESSAGES
        * STALL_MESSAGE_BYTES, echoesDelivered: stalled.messages.length, clientBytesUnsent: stalled.stream.writableLength,
  });
  const during = await Promise.all(others.map((ws) => ws.roundTrip([text(ws.index, 1), crypto.randomBytes(32 * 1024),
    text(ws.index, 2)])));
  // Still stalled after the others' round trips: nothing read, the window still spent.
  print({
    event: 'others-while-stalled', scenario, websockets: others.length, bytes: during.reduce((a, b) => a + b, 0),
    stalledLocalWindowSize: stalled.stream.state.localWindowSize, stalledEchoesDelivered: stalled.messages.length,
  });
  check(stalled.messages.length === 0, 'the paused stream delivered messages');
  stalled.stream.resume();
  const hashSent = crypto.createHash('sha256');
  const hashReceived = crypto.createHash('sha256');
  let inOrder = true;
  let bytes = 0;
  for (let i = 0; i < STALL_MESSAGES; i++) {
    const echo = await stalled.next();
    check(echo.opcode === OP.BINARY, 'a stalled echo that is not binary');
    inOrder = inOrder && echo.data.equals(sent[i]);
    hashSent.update(sent[i]);
    hashReceived.update(echo.data);
    bytes += echo.data.length;
  }
  const intact = hashSent.digest('hex') === hashReceived.digest('hex');
  print({ event: 'resumed', scenario, ws: 0, stream: stalled.stream.id, messages: STALL_MESSAGES, bytes, intact, inOrder });
  check(intact && inOrder, 'the stalled stream\'s echoes came back altered or out of order');
  await stalled.roundTrip([text(0, 'after')]);
  await Promise.all(sockets.map((ws) => ws.close()));
  return { websockets: sockets.length, streams: sockets.map((ws) => ws.stream.id), stalledStream: stalled.stream.id };
}

function lineFromStdin() {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      if (text.includes('\n')) {
        process.stdin.removeListener('data', onData);
        process.stdin.pause();
        resolve(text.split('\n')[0]);
      }
    };
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', onData);
    process.stdin.once('end', () => reject(new Error('stdin ended before the go-ahead')));
  });
}

// One stream reset mid-message; the others keep working and a new one still opens.
async function reset(session, target) {
  const sockets = await openAll(session, target, 4);
  checkOpened(sockets);
  await Promise.all(sockets.map((ws) => ws.roundTrip([text(ws.index, 1), crypto.randomBytes(16 * 1024)])));
  const victim = sockets[1];
  victim.send(crypto.randomBytes(1024 * 1024)); // mid-conversation: a big message on its way
  victim.stream.close(http2.constants.NGHTTP2_CANCEL);
  const rstCode = await victim.ended;
  print({ event: 'reset', scenario, ws: victim.index, stream: victim.stream.id, rstCode });
  check(rstCode === http2.constants.NGHTTP2_CANCEL, 'the reset stream closed with ' + rstCode);
  if (flag('--await')) {
    print({ event: 'awaiting', scenario });
    await lineFromStdin();
  }
  const rest = sockets.filter((ws) => ws !== victim);
  await Promise.all(rest.map((ws) => ws.roundTrip([text(ws.index, 2), crypto.randomBytes(64 * 1024), text(ws.index, 3)])));
  const late = await H2WebSocket.open(session, target, sockets.length);
  checkOpened([late]);
  await late.roundTrip([text(late.index, 1)]);
  const open = [...rest, late];
  await Promise.all(open.map((ws) => ws.close()));
  return { websockets: sockets.length + 1, streams: [...sockets, late].map((ws) => ws.stream.id), resetStream: victim.stream.id };
}

(async () => {
  const scenarios = { multiplex, stall, reset };
  if (!url || !scenarios[scenario]) {
    throw new Error('usage: node h2-websockets.js https://HOST:PORT/PATH multiplex|stall|reset [--ca FILE] [--await]');
  }
  const target = new URL(url);
  const session = await connect(target);
  const summary = await scenarios[scenario](session, target);
  const streams = new Set(summary.streams);
  check(streams.size === summary.streams.length, 'two WebSockets shared a stream id');
  print({ event: 'result', scenario, ok: true, localPort: session.socket.localPort, ...summary });
  await new Promise((resolve) => session.close(resolve));
})().catch(fail);

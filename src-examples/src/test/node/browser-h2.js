// Opens the demo page over https in headless Chromium (Debian's /usr/bin/chromium through playwright-core) where
// the server speaks HTTP/2 and advertises extended CONNECT (RFC 8441), lets the page send a message through its
// WebSocket, waits for the echo and saves a screenshot. Chromium needs no flag for WebSockets over HTTP/2: it
// opens them as extended CONNECT streams on its h2 connection to the same origin once the server's SETTINGS
// carried SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (and falls back to an HTTP/1.1 upgrade on a new connection
// otherwise).
// Usage: node browser-h2.js URL SCREENSHOT.png
// Prints, one per line: the page's protocol, the protocol its load came over (nextHopProtocol, h2 expected), the
// WebSocket's URL, the status of its handshake as DevTools saw it (200 for an extended CONNECT over h2, 101 for
// an HTTP/1.1 upgrade), then the page's log; exits non-zero on failure.
const { chromium } = require('playwright-core');

(async () => {
  const [url, screenshot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
  });
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    // DevTools' own view of the WebSocket handshake: its status says which kind it was.
    const devtools = await context.newCDPSession(page);
    const handshakes = [];
    devtools.on('Network.webSocketHandshakeResponseReceived', (event) => handshakes.push(event.response.status));
    await devtools.send('Network.enable');
    await page.goto(url);
    await page.fill('#input', 'hello from chromium over h2');
    await page.click('#send');
    const line = page.locator('#log', { hasText: 'echo: hello from chromium over h2' });
    await line.waitFor({ timeout: 15000 });
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log('protocol: ' + (await page.evaluate(() => location.protocol)));
    console.log('page nextHopProtocol: ' + (await page.evaluate(() => performance.getEntriesByType('navigation')[0]
        .nextHopProtocol)));
    console.log('websockets: ' + sockets.join(' '));
    console.log('websocket handshake status: ' + handshakes.join(' '));
    console.log((await page.textContent('#log')).trim());
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });

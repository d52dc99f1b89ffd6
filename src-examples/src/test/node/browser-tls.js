// Opens the demo page over https in headless Chromium (Debian's /usr/bin/chromium through playwright-core),
// trusting the demo's throw-away certificate with --ignore-certificate-errors, lets the page send a message
// through its WebSocket (wss:// on an https page), waits for the echo and saves a screenshot.
// Usage: node browser-tls.js URL SCREENSHOT.png   Prints the page's protocol, its WebSocket URL and the log line;
// exits non-zero on failure.
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
    await page.goto(url);
    await page.fill('#input', 'hello from chromium over tls');
    await page.click('#send');
    const line = page.locator('#log', { hasText: 'echo: hello from chromium over tls' });
    await line.waitFor({ timeout: 15000 });
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log('protocol: ' + (await page.evaluate(() => location.protocol)));
    console.log('websockets: ' + sockets.join(' '));
    console.log((await page.textContent('#log')).trim());
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });

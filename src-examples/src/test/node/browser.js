// Opens the demo page in headless Chromium (Debian's /usr/bin/chromium through playwright-core),
// lets it send a message through the WebSocket, waits for the echo and saves a screenshot.
// Usage: node browser.js URL SCREENSHOT.png   Prints the echo line; exits non-zero on failure.
const { chromium } = require('playwright-core');

(async () => {
  const [url, screenshot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.fill('#input', 'hello from chromium');
    await page.click('#send');
    const line = page.locator('#log', { hasText: 'echo: hello from chromium' });
    await line.waitFor({ timeout: 15000 });
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log((await page.textContent('#log')).trim());
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });

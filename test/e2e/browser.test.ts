/** A person's view: the demo page in Chromium, a message typed and sent, the reply seen. */
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

let running: RunningGateway;
let browser: BrowserContext;

beforeAll(async () => {
  running = await startGateway();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await running?.stop();
});

/** A page with a new customer: the browser profile, and its saved session, are shared. */
async function freshPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(() => localStorage.clear());
  return page;
}

/** What the page sends: message bodies POSTed, and frames sent on its WebSockets. */
function watch(page: Page): { posted: string[]; onSocket: string[] } {
  const seen = { posted: [] as string[], onSocket: [] as string[] };
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/messages')) seen.posted.push(request.postData() ?? '');
  });
  page.on('websocket', (ws) => ws.on('framesent', (frame) => seen.onSocket.push(String(frame.payload))));
  return seen;
}

async function ask(page: Page, text: string): Promise<void> {
  await page.locator('#kefu-input').fill(text);
  await page.locator('#kefu-input').press('Enter');
}

test('the demo page chats with the bot, and customer text is shown as text, never HTML', async () => {
  const page = await browser.newPage();
  const seen = watch(page);
  await page.goto(`${running.url}/`);
  await ask(page, '你好，请问运费怎么收？');
  await page.locator('.kefu-msg.customer').first().waitFor();
  const bot = page.locator('.kefu-msg.bot').first();
  await bot.waitFor({ timeout: 10_000 });
  expect(await bot.textContent()).toMatch(/运费|欢迎/);

  // The reply came on the socket, so the socket is up: the next message goes on it, not by POST.
  await page.locator('#kefu-input').fill('<img src=x onerror="window.__pwned=1">');
  await page.locator('.kefu-send').click();
  await page.locator('.kefu-msg.customer', { hasText: '<img' }).waitFor();
  expect(await page.locator('.kefu-log img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(seen.onSocket.filter((frame) => frame.includes('<img'))).toHaveLength(1);
  expect(seen.posted.filter((body) => body.includes('<img'))).toEqual([]);

  // A reload keeps the session (localStorage) and shows the history again.
  await page.reload();
  await page.locator('.kefu-msg.bot').first().waitFor({ timeout: 10_000 });
  expect(await page.locator('.kefu-msg.customer').count()).toBeGreaterThanOrEqual(2);
}, 60_000);

test('a message the socket lost on closing goes again by POST, and is answered once', async () => {
  const page = await freshPage();
  const seen = watch(page);
  await page.goto(`${running.url}/`);
  await ask(page, '你好');
  await page.locator('.kefu-msg.bot').first().waitFor({ timeout: 10_000 });
  const botReplies = await page.locator('.kefu-msg.bot').count();

  // The next message frame never reaches the server, and the connection drops.
  await page.evaluate(() => {
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: string) {
      if (String(data).includes('"type":"message"')) {
        WebSocket.prototype.send = send;
        (window as unknown as { __dropped?: boolean }).__dropped = true;
        this.close();
        return;
      }
      send.call(this, data);
    };
  });
  await ask(page, '运费怎么收？');
  await page.locator('.kefu-msg.customer', { hasText: '运费怎么收' }).waitFor({ timeout: 10_000 });
  await page.waitForFunction((before) => document.querySelectorAll('.kefu-msg.bot').length > before, botReplies, { timeout: 10_000 });
  expect(await page.evaluate(() => (window as unknown as { __dropped?: boolean }).__dropped)).toBe(true);
  expect(seen.posted.filter((body) => body.includes('运费怎么收'))).toHaveLength(1);
  expect(await page.locator('.kefu-msg.customer', { hasText: '运费怎么收' }).count()).toBe(1);
}, 60_000);

test('without WebSocket the widget posts and long-polls', async () => {
  const page = await freshPage();
  await page.addInitScript(() => {
    delete (window as unknown as { WebSocket?: unknown }).WebSocket;
  });
  const seen = watch(page);
  await page.goto(`${running.url}/`);
  await ask(page, '运费怎么收？');
  await page.locator('.kefu-msg.bot').first().waitFor({ timeout: 15_000 });
  expect(seen.posted.filter((body) => body.includes('运费怎么收'))).toHaveLength(1);
  expect(seen.onSocket).toEqual([]);
}, 60_000);

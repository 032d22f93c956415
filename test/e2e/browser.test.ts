/** A person's view: the demo page in Chromium, a message typed and sent, the reply seen. */
import type { BrowserContext } from 'playwright-core';
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

test('the demo page chats with the bot, and customer text is shown as text, never HTML', async () => {
  const page = await browser.newPage();
  await page.goto(`${running.url}/`);
  await page.locator('#kefu-input').fill('你好，请问运费怎么收？');
  await page.locator('#kefu-input').press('Enter');
  await page.locator('.kefu-msg.customer').first().waitFor();
  const bot = page.locator('.kefu-msg.bot').first();
  await bot.waitFor({ timeout: 10_000 });
  expect(await bot.textContent()).toMatch(/运费|欢迎/);

  await page.locator('#kefu-input').fill('<img src=x onerror="window.__pwned=1">');
  await page.locator('.kefu-send').click();
  await page.locator('.kefu-msg.customer', { hasText: '<img' }).waitFor();
  expect(await page.locator('.kefu-log img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // A reload keeps the session (localStorage) and shows the history again.
  await page.reload();
  await page.locator('.kefu-msg.bot').first().waitFor({ timeout: 10_000 });
  expect(await page.locator('.kefu-msg.customer').count()).toBeGreaterThanOrEqual(2);
}, 60_000);

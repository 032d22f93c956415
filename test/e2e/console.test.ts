/**
 * A person's view of a hand-over, in Chromium: a web chat customer asks for a person, the
 * conversation appears in the console, the agent answers, the customer sees the answer,
 * the bot stays silent, the agent closes. Customer text is shown as text, never as HTML.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { addAgent } from '../support/agents.js';
import { launchChromium } from '../support/browser.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

let running: RunningGateway;
let browser: BrowserContext;

beforeAll(async () => {
  running = await startGateway();
  await addAgent(running.gateway, 'alice', 'agent');
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await running?.stop();
});

async function say(page: Page, text: string) {
  await page.locator('#kefu-input').fill(text);
  await page.locator('#kefu-input').press('Enter');
  await page.locator('.kefu-msg.customer', { hasText: text }).waitFor();
}

test('hand-over from web chat to the console and back to the customer', async () => {
  const customer = await browser.newPage();
  await customer.goto(`${running.url}/`);
  await say(customer, '你好<img src=x onerror="window.__pwned=1">');
  await customer.locator('.kefu-msg.bot').first().waitFor({ timeout: 10_000 });
  await say(customer, '我要转人工');
  await customer.locator('.kefu-msg.bot').nth(1).waitFor({ timeout: 10_000 });

  const agent = await browser.newPage();
  await agent.goto(`${running.url}/console`);
  expect(await agent.locator('#app').isVisible()).toBe(false);
  await agent.locator('#username').fill('alice');
  await agent.locator('#password').fill('alice-secret-pw');
  await agent.locator('#login button[type=submit]').click();
  // Before login only the form shows.
  await agent.locator('#me', { hasText: 'alice' }).waitFor();
  // Going online runs automatic assignment: the conversation may already be alice's.
  const item = agent.locator('#queued .item, #human .item').first();
  await item.waitFor({ timeout: 10_000 });
  const assigned = (await agent.locator('#human .item').count()) > 0;
  await item.click();
  await agent.locator('#log .msg.customer').first().waitFor();
  // The customer's markup is text in the console too.
  expect(await agent.locator('#log img').count()).toBe(0);
  expect(await agent.locator('#log .msg.customer').first().textContent()).toContain('<img');
  if (!assigned) await agent.locator('#claim').click();
  await agent.locator('#human .item').first().waitFor({ timeout: 10_000 });
  await agent.locator('#side', { hasText: 'human' }).waitFor({ timeout: 10_000 });
  await agent.locator('#reply').fill('您好，我是客服小艾，请问有什么可以帮您？');
  await agent.locator('#send').click();

  await customer.locator('.kefu-msg.agent', { hasText: '客服小艾' }).waitFor({ timeout: 10_000 });
  const botReplies = await customer.locator('.kefu-msg.bot').count();
  await say(customer, '我的桌子少了一个螺丝');
  await agent.locator('#log .msg.customer', { hasText: '螺丝' }).waitFor({ timeout: 10_000 });
  await customer.waitForTimeout(1000);
  expect(await customer.locator('.kefu-msg.bot').count()).toBe(botReplies);

  await agent.locator('#resolution').fill('补发螺丝');
  await agent.locator('#close').click();
  await agent.locator('#side', { hasText: 'closed' }).waitFor({ timeout: 10_000 });
  const status = await running.gateway.db.kysely.selectFrom('conversations').select('status').where('status', '=', 'closed').execute();
  expect(status.length).toBe(1);
  expect(await customer.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await agent.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
}, 90_000);

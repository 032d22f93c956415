/** The Weibo triage view in the console, in Chromium, for a logged-in agent. */
import type { BrowserContext } from 'playwright-core';
import { addAgent } from '../support/agents.js';
import { launchChromium } from '../support/browser.js';
import { http } from '../support/gateway.js';
import { startFakeWeiboApi, statusOf, type FakeWeiboApi } from '../weibo/fake-weibo-api.js';
import { nextAuthor, startWeiboGateway, until, type WeiboGateway } from '../weibo/support.js';

let fake: FakeWeiboApi;
let gw: WeiboGateway;
let browser: BrowserContext;

beforeAll(async () => {
  fake = await startFakeWeiboApi();
  fake.statuses.push(statusOf(nextAuthor('路人'), '@某某家具旗舰店 哈哈哈'));
  fake.statuses.push(statusOf(nextAuthor('记者'), '@某某家具旗舰店 椅子把我摔伤了<script>window.__pwned=1</script>，我已经联系了电视台记者，明天曝光你们'));
  gw = await startWeiboGateway(fake);
  await addAgent(gw.gateway, 'alice', 'agent');
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await fake?.close();
});

test('posts by severity, the critical one first, text shown as text; closed to strangers', async () => {
  const login = await http(`${gw.url}/api/auth/login`, { body: { username: 'alice', password: 'alice-secret-pw' } });
  await until(async () => (await http(`${gw.url}/api/weibo/posts`, { token: login.json.token })).json.posts.length === 2, 20_000);
  expect((await http(`${gw.url}/api/weibo/posts`)).status).toBe(401);

  const page = await browser.newPage();
  await page.goto(`${gw.url}/console`);
  await page.locator('#username').fill('alice');
  await page.locator('#password').fill('alice-secret-pw');
  await page.locator('#login button[type=submit]').click();
  await page.locator('#me', { hasText: 'alice' }).waitFor();
  await page.goto(`${gw.url}/console/weibo`);
  const first = page.locator('article.post').first();
  await first.waitFor({ timeout: 10_000 });
  expect(await first.getAttribute('data-severity')).toBe('critical');
  expect(await first.locator('.text').textContent()).toContain('<script>');
  expect(await page.locator('article.post').count()).toBe(2);
  // What we said in public and in private is shown on the card, as the API reports it.
  const { posts } = (await http(`${gw.url}/api/weibo/posts`, { token: login.json.token })).json as { posts: Array<{ severity: string; publicReply: { text: string } | null; privateInvite: { text: string } | null }> };
  const critical = posts.find((p) => p.severity === 'critical')!;
  expect(await first.locator('.reply').textContent()).toContain(critical.publicReply!.text);
  expect(await first.locator('.invite').textContent()).toContain(critical.privateInvite!.text);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
}, 60_000);

/** A rate-limit answer (HTTP 403, error_code 10023) slows polling down; success restores it. */
import { startFakeWeiboApi, statusOf, type FakeWeiboApi } from './fake-weibo-api.js';
import { nextAuthor, startWeiboGateway, triageView, until, type WeiboGateway } from './support.js';

let fake: FakeWeiboApi;
let gw: WeiboGateway;

beforeAll(async () => {
  fake = await startFakeWeiboApi();
  gw = await startWeiboGateway(fake, { pollMs: 100, maxBackoffMs: 800 }, {}, { WEIBO_UID: fake.uid });
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

test('the interval doubles on each limited poll, is capped, and returns to normal after a successful poll', async () => {
  await until(() => gw.channel.poller.intervals.length >= 2);
  expect(gw.channel.poller.intervals.slice(-1)).toEqual([100]);
  const from = gw.channel.poller.intervals.length;
  fake.rateLimitNext(8); // both sources are limited for four polls
  const callsFrom = fake.calls.length;
  await until(() => gw.channel.poller.intervals.length >= from + 6, 15_000);
  const seen = gw.channel.poller.intervals.slice(from, from + 6);
  expect(seen).toEqual([200, 400, 800, 800, 100, 100]);
  // The server saw the slowing down: gaps between statuses polls grow.
  const polls = fake.calls.slice(callsFrom).filter((c) => c.path === '/2/statuses/mentions.json').map((c) => c.at);
  const gaps = polls.slice(1, 5).map((at, i) => at - polls[i]!);
  expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.5);
  expect(gaps[2]!).toBeGreaterThan(gaps[1]! * 1.5);
  expect(gaps[3]!).toBeGreaterThanOrEqual(750);
}, 30_000);

test('posts that arrive during a rate limit are handled once polling resumes', async () => {
  fake.rateLimitNext(2);
  const author = nextAuthor();
  fake.statuses.push(statusOf(author, '@某某家具旗舰店 请问这款升降桌有白色的吗？'));
  await until(async () => (await triageView(gw)).json.posts.some((p) => p.author.uid === author.uid), 10_000);
});

/** The customer-service API client against a local server that speaks the WeChat API. */
import { WechatApiClient } from '../../channels/wechat/client.js';
import { startFakeWechatApi, type FakeWechatApi } from '../support/fake-wechat-api.js';

const credentials = { appId: 'wx49f0ab532d5d035a', appSecret: 'test-secret' };
let api: FakeWechatApi;

beforeEach(async () => {
  api = await startFakeWechatApi(credentials);
});
afterEach(async () => {
  await api.close();
});

const client = (extra: Partial<ConstructorParameters<typeof WechatApiClient>[0]> = {}) =>
  new WechatApiClient({ apiBase: api.url, ...credentials, ...extra });

test('sends a text message with a cached access_token', async () => {
  const c = client();
  expect(await c.sendText('o1', '您好')).toEqual({ ok: true });
  expect(await c.sendText('o1', '再见')).toEqual({ ok: true });
  expect(api.tokensIssued).toBe(1);
  expect(api.delivered).toEqual([
    { touser: 'o1', msgtype: 'text', text: { content: '您好' }, accessToken: 'ACCESS_TOKEN_1' },
    { touser: 'o1', msgtype: 'text', text: { content: '再见' }, accessToken: 'ACCESS_TOKEN_1' },
  ]);
});

test('refreshes the token early, before WeChat\'s 7200 s are over', async () => {
  let now = 0;
  const c = client({ now: () => now });
  await c.sendText('o1', 'a');
  now += (7200 - 6 * 60) * 1000;
  await c.sendText('o1', 'b');
  expect(api.tokensIssued).toBe(1);
  now += 2 * 60 * 1000;
  await c.sendText('o1', 'c');
  expect(api.tokensIssued).toBe(2);
});

test('40001: refreshes the token once and retries the send', async () => {
  const c = client();
  await c.sendText('o1', 'a');
  api.queue({ errcode: 40001 });
  expect(await c.sendText('o1', 'b')).toEqual({ ok: true });
  expect(api.tokensIssued).toBe(2);
  expect(api.attempts.map((m) => m.accessToken)).toEqual(['ACCESS_TOKEN_1', 'ACCESS_TOKEN_1', 'ACCESS_TOKEN_2']);
});

test('concurrent sends share one token request', async () => {
  const c = client();
  api.tokenDelayMs = 50;
  const results = await Promise.all(['a', 'b', 'c', 'd'].map((t) => c.sendText('o1', t)));
  expect(results.every((r) => r.ok)).toBe(true);
  expect(api.tokensIssued).toBe(1);
});

test.each([
  [45015, false, /48-hour window/],
  [45047, false, /5-message quota/],
  [43004, false, /does not follow/],
  [-1, true, /system error/],
  [45009, true, /errcode 45009/],
])('errcode %i -> retryable %s', async (errcode, retryable, message) => {
  api.queue({ errcode });
  expect(await client().sendText('o1', 'x')).toEqual({ ok: false, retryable, errcode, error: expect.stringMatching(message) });
});

test('HTTP 5xx and timeouts are retryable; a wrong secret is not', async () => {
  api.queue({ httpStatus: 502 });
  expect(await client().sendText('o1', 'x')).toMatchObject({ ok: false, retryable: true, error: 'wechat /cgi-bin/message/custom/send: HTTP 502' });
  api.queue({ delayMs: 500 });
  expect(await client({ timeoutMs: 100 }).sendText('o1', 'x')).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/timed out/) });
  const wrong = await client({ appSecret: 'wrong' }).sendText('o1', 'x');
  expect(wrong).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^wechat access_token: errcode 40001/) });
  expect(JSON.stringify(wrong)).not.toContain('wrong');
});

test('an unreachable server is a retryable network error', async () => {
  await api.close();
  expect(await client().sendText('o1', 'x')).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/network error/) });
  api = await startFakeWechatApi(credentials);
});

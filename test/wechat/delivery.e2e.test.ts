/**
 * When the answer misses the passive reply: the webhook answers `success` and the outbox
 * dispatcher delivers through the customer-service API of a local fake WeChat API server
 * (token refresh on 40001, 45015 recorded and not retried, 5xx retried, a slow API).
 */
import { sql } from 'kysely';
import { greeter } from '../../dialogs/greeter.js';
import type { Dialog } from '../../dialogs/types.js';
import { field, parseWechatXml } from '../../channels/wechat/xml.js';
import { loadNlu } from '../../src/nlu/index.js';
import { startFakeWechatApi, type FakeWechatApi } from '../support/fake-wechat-api.js';
import { postXml, signedQuery, startWechatGateway, until, type WechatGateway } from './support.js';

const GH = 'gh_3f2c8e5a1b7d';
const TOKEN = 'kefutoken';
const credentials = { appId: 'wx49f0ab532d5d035a', appSecret: 'test-secret' };
const FAQ_QUESTION = '付款以后多少天能到货？';
const FAQ_ANSWER_START = '有现货的商品付款后2天内出库';
const nlu = loadNlu({ includeDemoFaq: true });

let api: FakeWechatApi;
let gw: WechatGateway;
let counter = 0;
const nextOpenid = () => `oSLOW${Date.now().toString(36)}${(counter += 1)}`;
const textXml = (openid: string, text: string) =>
  `<xml><ToUserName><![CDATA[${GH}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>` +
  `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${900_000_000_000 + (counter += 1)}</MsgId></xml>`;

async function outboxOf(g: WechatGateway, openid: string) {
  return g.gateway.db.kysely.selectFrom('outbox').innerJoin('conversations', 'conversations.id', 'outbox.conversation_id')
    .select(['outbox.status', 'outbox.attempts', 'outbox.last_error']).where('conversations.thread_key', '=', `${GH}:${openid}`).orderBy('outbox.seq').execute();
}

/** The customer's customer-service windows as stored (quota.ts). */
const quotaOf = async (g: WechatGateway, openid: string) =>
  (await sql<{ kind: string; remaining: number }>`select kind, remaining from wechat_quota where thread_key = ${`${GH}:${openid}`}`.execute(g.gateway.db.kysely)).rows;

const ask = async (g: WechatGateway, openid: string, text = FAQ_QUESTION) => postXml(`${g.webhook}?${signedQuery(TOKEN)}`, textXml(openid, text));

beforeAll(async () => {
  api = await startFakeWechatApi(credentials);
  // A deadline of 1 ms: the answer is never ready in time, so every reply takes the API.
  gw = await startWechatGateway(
    { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: credentials.appId, WECHAT_APP_SECRET: credentials.appSecret, WECHAT_API_BASE: api.url },
    { passiveDeadlineMs: 1, passiveReplyWindowMs: 50 }, { nlu },
  );
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  await api?.close();
});

test('an answer not ready in time: `success` now, the customer-service API after the passive window', async () => {
  const openid = nextOpenid();
  const response = await ask(gw, openid);
  expect(response).toMatchObject({ status: 200, text: 'success' });
  await until(() => api.delivered.some((m) => m.touser === openid));
  const sent = api.delivered.find((m) => m.touser === openid)!;
  expect(sent).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining(FAQ_ANSWER_START) } });
  await until(async () => (await outboxOf(gw, openid))[0]?.status === 'sent');
  // The message opened 48 h for 5 (in the database, shared by every node); the reply used one.
  expect(await quotaOf(gw, openid)).toEqual([{ kind: 'message', remaining: 4 }]);
});

test('errcode 40001: the token is refreshed once and the send retried', async () => {
  const openid = nextOpenid();
  await ask(gw, openid, '你好');
  await until(() => api.delivered.some((m) => m.touser === openid));
  const issued = api.tokensIssued;
  const other = nextOpenid();
  api.queue({ errcode: 40001 });
  await ask(gw, other);
  await until(() => api.delivered.some((m) => m.touser === other));
  expect(api.tokensIssued).toBe(issued + 1);
  await until(async () => (await outboxOf(gw, other))[0]?.status === 'sent', 3000);
  expect(await outboxOf(gw, other)).toEqual([{ status: 'sent', attempts: 1, last_error: null }]);
});

test('errcode 45015 is recorded as not retryable: the entry ends dead with the error kept', async () => {
  const openid = nextOpenid();
  api.queue({ errcode: 45015 });
  await ask(gw, openid);
  await until(async () => (await outboxOf(gw, openid))[0]?.status === 'dead');
  const [entry] = await outboxOf(gw, openid);
  expect(entry).toMatchObject({ status: 'dead', attempts: 1, last_error: expect.stringMatching(/errcode 45015/) });
  expect(api.attempts.filter((m) => m.touser === openid)).toHaveLength(1);
  // Believed until the customer writes again.
  expect(await quotaOf(gw, openid)).toEqual([{ kind: 'message', remaining: 0 }]);
});

test('HTTP 5xx is retried until delivered', async () => {
  const openid = nextOpenid();
  api.queue({ httpStatus: 502 });
  await ask(gw, openid);
  await until(() => api.delivered.some((m) => m.touser === openid), 8000);
  // The platform has it; the dispatcher marks the entry sent right after the call returns.
  await until(async () => (await outboxOf(gw, openid))[0]?.status === 'sent', 3000);
  const [entry] = await outboxOf(gw, openid);
  expect(entry).toMatchObject({ status: 'sent', attempts: 2 });
  expect(api.attempts.filter((m) => m.touser === openid)).toHaveLength(2);
}, 15_000);

test('a slow API does not hold the webhook', async () => {
  const openid = nextOpenid();
  api.queue({ delayMs: 800 });
  const started = Date.now();
  expect((await ask(gw, openid)).text).toBe('success');
  expect(Date.now() - started).toBeLessThan(500);
  await until(() => api.delivered.some((m) => m.touser === openid));
});

describe('several replies to one message', () => {
  // Two short replies and one longer than a WeChat text message (split in two parts).
  const chatty: Dialog = (state, event) => {
    if (event.text !== '多条') return greeter(state, event);
    const reply = (answer: string) => ({ type: 'reply' as const, template: 'faq_answer', vars: { answer } });
    return { state: state ?? { version: 1, flow: 'test', step: 'x', data: {} }, actions: [reply('第一条'), reply('第二条'), reply('长'.repeat(700))] };
  };

  test('the passive reply carries what fits one message; the rest goes by API, in order', async () => {
    const g = await startWechatGateway(
      { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: credentials.appId, WECHAT_APP_SECRET: credentials.appSecret, WECHAT_API_BASE: api.url },
      { passiveDeadlineMs: 2000, passiveReplyWindowMs: 2100 }, { nlu, dialog: chatty },
    );
    try {
      const openid = nextOpenid();
      const response = await ask(g, openid, '多条');
      const xml = parseWechatXml(response.text);
      if (!xml.ok) throw new Error(response.text);
      expect(field(xml.root, 'Content')).toBe('第一条\n\n第二条');
      await until(() => api.delivered.filter((m) => m.touser === openid).length === 2, 8000);
      const parts = api.delivered.filter((m) => m.touser === openid).map((m) => m.text?.content ?? '');
      expect(parts.map((p) => Array.from(p).length)).toEqual([600, 100]);
      // The API server has the last part before the dispatcher has its answer and marks it sent.
      await until(async () => (await outboxOf(g, openid)).every((e) => e.status === 'sent'), 8000);
      expect((await outboxOf(g, openid)).map((e) => e.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    } finally {
      await g.stop();
    }
  }, 15_000);
});

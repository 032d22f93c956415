/** The fan-service webhook end to end: URL check, signatures, bad input, passive replies, retries, late replies. */
import { readFileSync } from 'node:fs';
import { weiboSignature } from '../../channels/weibo/signature.js';
import { fromRoot } from '../../src/paths.js';
import { startFakeWeiboApi, weiboTime, type FakeWeiboApi } from './fake-weibo-api.js';
import { APP_SECRET, nextAuthor, signedQuery, startWeiboGateway, until, type WeiboGateway } from './support.js';

let fake: FakeWeiboApi;
let gw: WeiboGateway;
const FAQ_QUESTION = '付款以后多少天能到货？';

beforeAll(async () => {
  fake = await startFakeWeiboApi();
  gw = await startWeiboGateway(fake, { pollMs: 60_000 }, {}, { WEIBO_UID: fake.uid });
}, 60_000);
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
});

const push = (sender: string, text: string, type = 'text', data: Record<string, unknown> = {}, at = Date.now()) =>
  JSON.stringify({ type, receiver_id: Number(fake.uid), sender_id: Number(sender), created_at: weiboTime(at), text, data });
const post = async (url: string, body: string, contentType = 'application/json') => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, text: await response.text() };
};
const storedOf = (uid: string) => gw.gateway.db.kysely.selectFrom('messages').innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
  .select(['messages.direction', 'messages.text', 'messages.channel_message_id']).where('conversations.thread_key', '=', `weibo:${uid}`).orderBy('messages.seq').execute();

describe('URL check (GET)', () => {
  test('answers echostr when the signature over [appsecret, timestamp, nonce] matches', async () => {
    const response = await fetch(`${gw.webhook}?${signedQuery(APP_SECRET, { echostr: 'weibo-echo-123' })}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('weibo-echo-123');
  });
  test('a wrong signature is 401; missing fields are 400', async () => {
    expect((await fetch(`${gw.webhook}?${signedQuery('anotherSecret123', { echostr: 'x' })}`)).status).toBe(401);
    expect((await fetch(`${gw.webhook}?echostr=x`)).status).toBe(400);
  });
});

describe('pushes (POST)', () => {
  test('a question is answered passively with Weibo\'s JSON reply shape', async () => {
    const { uid } = nextAuthor();
    const response = await post(`${gw.webhook}?${signedQuery()}`, push(uid, FAQ_QUESTION));
    expect(response.status).toBe(200);
    const reply = JSON.parse(response.text) as Record<string, unknown>;
    expect(reply).toMatchObject({ result: true, sender_id: Number(fake.uid), receiver_id: Number(uid), type: 'text' });
    expect((JSON.parse(reply.data as string) as { text: string }).text).toContain('有现货的商品付款后2天内出库');
    expect((await storedOf(uid)).map((m) => m.direction)).toEqual(['in', 'out']);
    expect(fake.privateReplies).toEqual([]);
  });

  test('a bad signature is 401 and nothing is stored; invalid JSON is 400; a huge body is 413', async () => {
    const { uid } = nextAuthor();
    const bad = signedQuery();
    bad.set('signature', weiboSignature('someoneElse123', bad.get('timestamp')!, bad.get('nonce')!));
    expect((await post(`${gw.webhook}?${bad}`, push(uid, FAQ_QUESTION))).status).toBe(401);
    expect((await post(`${gw.webhook}?timestamp=1&nonce=2`, push(uid, FAQ_QUESTION))).status).toBe(401);
    const invalid = await post(`${gw.webhook}?${signedQuery()}`, '{"type":"text",');
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.text)).toMatchObject({ error: { code: 'invalid_json' } });
    expect((await post(`${gw.webhook}?${signedQuery()}`, '{"type":"text"}')).status).toBe(400);
    expect((await post(`${gw.webhook}?${signedQuery()}`, push(uid, '字'.repeat(40_000)))).status).toBe(413);
    expect(await storedOf(uid)).toEqual([]);
  });

  test('Weibo\'s retry of a push (same sender + created_at + type): one stored message, one reply', async () => {
    const { uid } = nextAuthor();
    const body = push(uid, FAQ_QUESTION);
    const first = await post(`${gw.webhook}?${signedQuery()}`, body);
    const second = await post(`${gw.webhook}?${signedQuery()}`, body);
    expect(JSON.parse(first.text)).toMatchObject({ result: true });
    expect(second.text).toBe('');
    expect((await storedOf(uid)).map((m) => m.direction)).toEqual(['in', 'out']);
  });

  test('every push type is stored; a follow is greeted', async () => {
    const { uid } = nextAuthor();
    const at = Date.now() - 60_000;
    const follow = await post(`${gw.webhook}?${signedQuery()}`, push(uid, '', 'event', { subtype: 'follow' }, at));
    expect(JSON.parse(follow.text)).toMatchObject({ result: true, type: 'text' });
    for (const [i, [type, data]] of ([['position', { longitude: '116.3', latitude: '39.9' }], ['image', { vfid: 1, tovfid: 2 }], ['voice', { vfid: 3, tovfid: 4 }], ['mention', {}], ['event', { subtype: 'unfollow' }]] as const).entries()) {
      expect((await post(`${gw.webhook}?${signedQuery()}`, push(uid, '', type, data, at + (i + 1) * 1000))).status).toBe(200);
    }
    const ids = (await storedOf(uid)).filter((m) => m.direction === 'in').map((m) => m.channel_message_id!.split(':').slice(3).join(':'));
    expect(ids).toEqual(['event:follow', 'position', 'image', 'voice', 'mention', 'event:unfollow']);
  });
});

describe('late replies', () => {
  test('a reply not ready within the deadline goes out through messages/reply.json, on the fan-service host', async () => {
    const publicApi = await startFakeWeiboApi({ serves: 'public' });
    const dmApi = await startFakeWeiboApi({ serves: 'dm', uid: publicApi.uid, token: publicApi.token });
    const slow = await startWeiboGateway(publicApi, { pollMs: 60_000, passiveDeadlineMs: 1, passiveReplyWindowMs: 200 }, {},
      { WEIBO_UID: publicApi.uid, WEIBO_DM_API_BASE: dmApi.url });
    try {
      const { uid } = nextAuthor();
      const body = JSON.stringify({ type: 'text', receiver_id: Number(publicApi.uid), sender_id: Number(uid), created_at: weiboTime(Date.now()), text: FAQ_QUESTION, data: {} });
      const response = await fetch(`${slow.webhook}?${signedQuery()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(await response.text()).toBe('');
      await until(() => dmApi.privateReplies.length === 1);
      expect(dmApi.privateReplies[0]).toMatchObject({ receiverId: uid });
      expect(dmApi.privateReplies[0]!.text).toContain('有现货的商品付款后2天内出库');
      expect(dmApi.calls.map((c) => c.path)).toEqual(['/2/messages/reply.json']);
      expect(publicApi.calls.filter((c) => c.path.startsWith('/2/messages/'))).toEqual([]);
    } finally {
      await slow.stop();
      await publicApi.close();
      await dmApi.close();
    }
  }, 60_000);
});

test('the fixtures are real-shaped pushes', () => {
  const text = JSON.parse(readFileSync(fromRoot('channels', 'weibo', 'fixtures', 'fan-text.json'), 'utf8')) as { type: string };
  expect(text.type).toBe('text');
});

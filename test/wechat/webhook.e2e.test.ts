/**
 * The official-account webhook end to end, over a real socket against a whole gateway on
 * SQLite: URL check, passive replies in plain mode, bad input, WeChat's retries.
 */
import { WechatAccounts } from '../../channels/wechat/accounts.js';
import { wechatSettingsFrom } from '../../channels/wechat/definition.js';
import { ReplyQuota } from '../../channels/wechat/quota.js';
import { wechatSignature } from '../../channels/wechat/signature.js';
import { WechatWebhook } from '../../channels/wechat/webhook.js';
import { field } from '../../channels/wechat/xml.js';
import {
  FAQ_ANSWER_START, FAQ_QUESTION, GH, nextOpenid, outboxOf, postXml, signedQuery, slowableNlu as nlu, startWechatGateway, storedOf, textXml,
  vectors, xmlOf, type WechatGateway,
} from './support.js';

const TOKEN = vectors.token;
let gw: WechatGateway;

beforeAll(async () => {
  gw = await startWechatGateway({ WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: vectors.appId, WECHAT_ENCODING_AES_KEY: vectors.encodingAESKey }, {}, { nlu });
}, 60_000);
afterAll(async () => {
  await gw?.stop();
});

describe('URL verification (GET)', () => {
  test('answers echostr verbatim when the signature matches', async () => {
    const response = await fetch(`${gw.webhook}?${signedQuery(TOKEN, { echostr: '5927782489442352469' })}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('5927782489442352469');
  });

  test('the official vector, on an account with that token', async () => {
    const v = vectors.urlCheckPlain;
    const other = await startWechatGateway({ WECHAT_TOKEN: v.token }, {}, { nlu });
    try {
      const query = new URLSearchParams({ signature: v.signature, timestamp: v.timestamp, nonce: v.nonce, echostr: 'hello' });
      expect(await (await fetch(`${other.webhook}?${query}`)).text()).toBe('hello');
    } finally {
      await other.stop();
    }
  });

  test('a wrong signature is 401 with the error shape; missing fields are 400', async () => {
    const query = signedQuery('not-our-token', { echostr: 'x' });
    const response = await fetch(`${gw.webhook}?${query}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: 'signature does not match' } });
    expect((await fetch(`${gw.webhook}?echostr=x`)).status).toBe(400);
  });

  test('safe-mode echostr (msg_signature): decrypted; the vector with another nonce is refused', async () => {
    const e = vectors.checkEchoStr;
    const query = (nonce: string) => new URLSearchParams({ msg_signature: e.signature, timestamp: e.timestamp, nonce, echostr: e.echostr });
    const good = await fetch(`${gw.webhook}?${query(e.nonce)}`);
    expect(await good.text()).toBe('5927782489442352469');
    expect((await fetch(`${gw.webhook}?${query('437374424')}`)).status).toBe(401);
  });

  test('an unknown account is 404', async () => {
    expect((await fetch(`${gw.webhook}/nope?${signedQuery(TOKEN, { echostr: 'x' })}`)).status).toBe(404);
  });
});

describe('messages (POST), plain mode', () => {
  test('a question is answered passively within the deadline, To/From swapped, with the FAQ answer', async () => {
    const openid = nextOpenid();
    const started = Date.now();
    const response = await postXml(`${gw.webhook}?${signedQuery(TOKEN, { openid })}`, textXml(openid, FAQ_QUESTION));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/xml/);
    const reply = xmlOf(response.text);
    expect(reply).toMatchObject({ ToUserName: openid, FromUserName: GH, MsgType: 'text' });
    expect(field(reply, 'CreateTime')).toMatch(/^\d{10}$/);
    expect(field(reply, 'Content')).toContain(FAQ_ANSWER_START);
    // Delivered in the response: the outbox entry is done, the dispatcher will not send it again.
    expect(await outboxOf(gw, openid)).toEqual([{ status: 'sent', last_error: null }]);
    const stored = await storedOf(gw, openid);
    expect(stored.map((m) => m.direction)).toEqual(['in', 'out']);
  });

  test('a greeting gets the greeting', async () => {
    const openid = nextOpenid();
    const response = await postXml(`${gw.webhook}?${signedQuery(TOKEN)}`, textXml(openid, '你好'));
    expect(field(xmlOf(response.text), 'Content')).toContain('您好');
  });

  test('a bad signature is 401 and nothing is stored', async () => {
    const openid = nextOpenid();
    const query = signedQuery(TOKEN);
    query.set('signature', wechatSignature(['someone-else', query.get('timestamp')!, query.get('nonce')!]));
    const response = await postXml(`${gw.webhook}?${query}`, textXml(openid, FAQ_QUESTION));
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toEqual({ error: { code: 'unauthorized', message: 'signature does not match' } });
    const unsigned = await postXml(`${gw.webhook}?timestamp=1&nonce=2`, textXml(openid, FAQ_QUESTION));
    expect(unsigned.status).toBe(401);
    expect(await storedOf(gw, openid)).toEqual([]);
  });

  test.each([
    ['a DOCTYPE with entities', (o: string) => `<!DOCTYPE xml [<!ENTITY a "b">]>${textXml(o, '&a;')}`, 400, 'bad_request'],
    ['malformed XML', (o: string) => textXml(o, 'x').replace('</xml>', ''), 400, 'bad_request'],
    ['XML that is not a WeChat message', () => '<xml><Hello>1</Hello></xml>', 400, 'bad_request'],
    ['an oversized body', (o: string) => textXml(o, '字'.repeat(30_000)), 413, 'payload_too_large'],
  ])('%s is refused and nothing is stored', async (_name, body, status, code) => {
    const openid = nextOpenid();
    const response = await postXml(`${gw.webhook}?${signedQuery(TOKEN)}`, body(openid));
    expect(response.status).toBe(status);
    expect(JSON.parse(response.text)).toMatchObject({ error: { code } });
    expect(await storedOf(gw, openid)).toEqual([]);
  });

  test('JSON is not accepted: official-account messages are XML', async () => {
    const response = await fetch(`${gw.webhook}?${signedQuery(TOKEN)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"MsgType":"text"}' });
    expect(response.status).toBe(415);
  });

  test('WeChat\'s retry of a MsgId while the first copy is still processing: one reply, one stored message', async () => {
    const openid = nextOpenid();
    const body = textXml(openid, `${FAQ_QUESTION}慢`);
    const url = () => `${gw.webhook}?${signedQuery(TOKEN)}`;
    const answers = await Promise.all([postXml(url(), body), postXml(url(), body), postXml(url(), body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const replies = answers.filter((a) => a.text !== 'success');
    expect(replies).toHaveLength(1);
    expect(field(xmlOf(replies[0]!.text), 'Content')).toContain(FAQ_ANSWER_START);
    const stored = await storedOf(gw, openid);
    expect(stored.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(stored.filter((m) => m.direction === 'out')).toHaveLength(1);
  });

  test('a retry after the first copy\'s connection was lost delivers the reply instead (and only once)', async () => {
    const openid = nextOpenid();
    const settings = wechatSettingsFrom({ WECHAT_TOKEN: TOKEN })!;
    // A second webhook on the same gateway, driven directly so the lost connection is exact.
    const deps = gw.gateway;
    const webhook = new WechatWebhook(deps, new WechatAccounts(settings, deps), new ReplyQuota(deps, 'wechat'), {
      passiveDeadlineMs: 4000, maxTextLength: 600, handoffTarget: 'kefu', now: Date.now,
    });
    const account = new WechatAccounts(settings, deps).get('default')!;
    const body = textXml(openid, FAQ_QUESTION);
    const request = (alive: boolean) => webhook.receive(account, { query: Object.fromEntries(signedQuery(TOKEN)), body, alive: () => alive });
    expect(await request(false)).toEqual({ contentType: expect.any(String), body: 'success' });
    const retry = await request(true);
    expect(field(xmlOf(retry.body), 'Content')).toContain(FAQ_ANSWER_START);
    expect((await request(true)).body).toBe('success');
    expect(await outboxOf(gw, openid)).toEqual([{ status: 'sent', last_error: null }]);
  });
});

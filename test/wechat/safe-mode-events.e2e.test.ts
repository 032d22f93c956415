/**
 * The official-account webhook end to end in safe mode (round trip, the official vector, key
 * rotation on a second account), events and unknown types, and the hand-over to WeChat's
 * own agents, over a real socket against a whole gateway on SQLite.
 */
import { sql } from 'kysely';
import { aesKeyFrom, decryptMessage, encryptMessage } from '../../channels/wechat/crypto.js';
import { wechatSignature } from '../../channels/wechat/signature.js';
import { field, type XmlNode } from '../../channels/wechat/xml.js';
import {
  eventXml, FAQ_ANSWER_START, FAQ_QUESTION, GH, nextMsgId, nextOpenid, postXml, signedQuery, slowableNlu as nlu, startWechatGateway, storedOf,
  textXml, vectors, xmlOf, type WechatGateway,
} from './support.js';

const TOKEN = vectors.token;
const ROTATED_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
let gw: WechatGateway;

beforeAll(async () => {
  gw = await startWechatGateway({
    WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: vectors.appId, WECHAT_ENCODING_AES_KEY: vectors.encodingAESKey,
    // A second account whose key was rotated: the vectors' key is now its previous key.
    WECHAT_ACCOUNTS: JSON.stringify([{ name: 'rotated', token: TOKEN, appId: vectors.appId, encodingAesKey: ROTATED_KEY, previousEncodingAesKey: vectors.encodingAESKey }]),
  }, {}, { nlu });
}, 60_000);
afterAll(async () => {
  await gw?.stop();
});

describe('safe mode (encrypt_type=aes)', () => {
  const key = aesKeyFrom(vectors.encodingAESKey);

  function encryptedPost(url: string, openid: string, inner: string, encryptWith = key, msgSignatureToken = TOKEN) {
    const encrypt = encryptMessage(inner, vectors.appId, encryptWith);
    const query = signedQuery(TOKEN, { openid, encrypt_type: 'aes' });
    query.set('msg_signature', wechatSignature([msgSignatureToken, query.get('timestamp')!, query.get('nonce')!, encrypt]));
    return postXml(`${url}?${query}`, `<xml><ToUserName><![CDATA[${GH}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
  }

  function openReply(text: string, withKey = key): XmlNode {
    const envelope = xmlOf(text);
    const encrypt = field(envelope, 'Encrypt')!;
    expect(field(envelope, 'MsgSignature')).toBe(wechatSignature([TOKEN, field(envelope, 'TimeStamp')!, field(envelope, 'Nonce')!, encrypt]));
    const plain = decryptMessage(encrypt, vectors.appId, withKey);
    if (!plain.ok) throw new Error(plain.reason);
    return xmlOf(plain.message);
  }

  test('round trip: an encrypted question gets an encrypted, signed passive answer', async () => {
    const openid = nextOpenid();
    const response = await encryptedPost(gw.webhook, openid, textXml(openid, FAQ_QUESTION));
    expect(response.status).toBe(200);
    const reply = openReply(response.text);
    expect(reply).toMatchObject({ ToUserName: openid, FromUserName: GH, MsgType: 'text' });
    expect(field(reply, 'Content')).toContain(FAQ_ANSWER_START);
  });

  test('the official message vector is accepted as sent by WeChat', async () => {
    const d = vectors.decrypt;
    const query = new URLSearchParams({ signature: wechatSignature([TOKEN, d.timestamp, d.nonce]), timestamp: d.timestamp, nonce: d.nonce, encrypt_type: 'aes', msg_signature: d.msgSignature });
    const response = await postXml(`${gw.webhook}?${query}`, `<xml><ToUserName><![CDATA[${vectors.appId}]]></ToUserName><Encrypt><![CDATA[${d.encrypt}]]></Encrypt></xml>`);
    expect(response.status).toBe(200);
    const reply = openReply(response.text);
    expect(reply).toMatchObject({ ToUserName: d.expectedFromUserName, FromUserName: vectors.appId, MsgType: 'text' });
  });

  test('key rotation: a message under the previous key is read and answered with that key', async () => {
    const openid = nextOpenid();
    const response = await encryptedPost(`${gw.webhook}/rotated`, openid, textXml(openid, FAQ_QUESTION));
    expect(response.status).toBe(200);
    expect(field(openReply(response.text, key), 'Content')).toContain(FAQ_ANSWER_START);
    const current = await encryptedPost(`${gw.webhook}/rotated`, nextOpenid(), textXml(nextOpenid(), '你好'), aesKeyFrom(ROTATED_KEY));
    expect(field(openReply(current.text, aesKeyFrom(ROTATED_KEY)), 'Content')).toContain('您好');
  });

  test('a wrong msg_signature is 401; a foreign appid or key is refused; nothing is stored', async () => {
    const openid = nextOpenid();
    expect((await encryptedPost(gw.webhook, openid, textXml(openid, 'x'), key, 'other')).status).toBe(401);
    const foreign = encryptMessage(textXml(openid, 'x'), 'wx0000000000000000', key);
    const query = signedQuery(TOKEN, { encrypt_type: 'aes' });
    query.set('msg_signature', wechatSignature([TOKEN, query.get('timestamp')!, query.get('nonce')!, foreign]));
    expect((await postXml(`${gw.webhook}?${query}`, `<xml><Encrypt><![CDATA[${foreign}]]></Encrypt></xml>`)).status).toBe(401);
    expect((await encryptedPost(gw.webhook, openid, textXml(openid, 'x'), aesKeyFrom(ROTATED_KEY))).status).toBe(400);
    expect(await storedOf(gw, openid)).toEqual([]);
  });
});

describe('events and other types', () => {
  test('subscribe is greeted passively; a retried event is one stored message', async () => {
    const openid = nextOpenid();
    const body = eventXml(openid, 'subscribe', 1714037071, '<EventKey><![CDATA[qrscene_store_1]]></EventKey>');
    const first = await postXml(`${gw.webhook}?${signedQuery(TOKEN)}`, body);
    // The language comes from the (empty) event text today, so either translation may answer.
    expect(field(xmlOf(first.text), 'Content')).toMatch(/感谢您的关注|Thank you for following/);
    const again = await postXml(`${gw.webhook}?${signedQuery(TOKEN)}`, body);
    expect(again.text).toBe('success');
    const stored = await storedOf(gw, openid);
    expect(stored.filter((m) => m.direction === 'in')).toEqual([expect.objectContaining({ kind: 'event', channel_message_id: `${openid}:1714037071:subscribe` })]);
  });

  test('unsubscribe closes the conversation', async () => {
    const openid = nextOpenid();
    await postXml(`${gw.webhook}?${signedQuery(TOKEN)}`, textXml(openid, '你好'));
    const response = await postXml(`${gw.webhook}?${signedQuery(TOKEN)}`, eventXml(openid, 'unsubscribe', 1714037099));
    expect(response.text).toBe('success');
    await gw.gateway.pipeline.idle();
    const stored = await storedOf(gw, openid);
    expect(new Set(stored.map((m) => m.status))).toEqual(new Set(['closed']));
  });

  test('an unknown type is stored and acknowledged', async () => {
    const openid = nextOpenid();
    const body = `<xml><ToUserName><![CDATA[${GH}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>1714037078</CreateTime>` +
      `<MsgType><![CDATA[miniprogrampage]]></MsgType><MsgId>${nextMsgId()}</MsgId><Title><![CDATA[卡片]]></Title></xml>`;
    const response = await postXml(`${gw.webhook}?${signedQuery(TOKEN)}`, body);
    expect(response).toMatchObject({ status: 200, text: 'success' });
    expect(await storedOf(gw, openid)).toEqual([expect.objectContaining({ kind: 'event', direction: 'in' })]);
  });
});

describe('hand-over to WeChat\'s own agents (WECHAT_HANDOFF_TARGET=wechat)', () => {
  test('a request for a person is answered with transfer_customer_service', async () => {
    const other = await startWechatGateway({ WECHAT_TOKEN: TOKEN, WECHAT_HANDOFF_TARGET: 'wechat' }, {}, { nlu });
    try {
      const openid = nextOpenid();
      const response = await postXml(`${other.webhook}?${signedQuery(TOKEN)}`, textXml(openid, '我要转人工客服'));
      expect(xmlOf(response.text)).toMatchObject({ ToUserName: openid, FromUserName: GH, MsgType: 'transfer_customer_service' });
      const status = await sql<{ status: string }>`select status from conversations where thread_key = ${`${GH}:${openid}`}`.execute(other.gateway.db.kysely);
      expect(status.rows[0]?.status).toBe('queued');
    } finally {
      await other.stop();
    }
  });
});

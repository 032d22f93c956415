/** The parser on every recorded payload shape, and XML safety. */
import { readdirSync } from 'node:fs';
import { quotaGrantOf, wechatInbound } from '../../channels/wechat/inbound.js';
import { InboundMessage } from '../../src/contract.js';
import { fromRoot } from '../../src/paths.js';
import { fitsOneMessage, passiveText, passiveTransfer } from '../../channels/wechat/outbound.js';
import { buildXml, cdata, field, hasDoctypeOrEntity, parseWechatXml } from '../../channels/wechat/xml.js';
import { fixture } from './support.js';

const ACCOUNT = 'gh_3f2c8e5a1b7d';
const OPENID = 'oLVPpjqs9BhvzwPj5A-vTYAX3GLc';
const at = 1_714_037_100_000;

function inbound(name: string) {
  const xml = parseWechatXml(fixture(name));
  if (!xml.ok) throw new Error(`${name}: ${xml.message}`);
  const result = wechatInbound(xml.root, at);
  if (!result.ok) throw new Error(`${name}: ${result.reason}`);
  return result.message;
}

const common = { channel: 'wechat', threadKey: `${ACCOUNT}:${OPENID}`, sender: { externalId: OPENID }, receivedAt: at, public: false };

describe('every payload shape becomes a message of the contract', () => {
  test.each([
    ['text.xml', { kind: 'text', text: '你好，请问退货怎么办理？', channelMessageId: '24567891234567891' }],
    ['text-cdata-tricky.xml', { kind: 'text', text: 'a <b> & c ]]> <!DOCTYPE is only text here', channelMessageId: '24567891234567892' }],
    ['image.xml', {
      kind: 'media', text: '', channelMessageId: '24567891234567893',
      attachments: [{ kind: 'image', ref: 'media_id_image_1', meta: { picUrl: 'http://mmbiz.qpic.cn/mmbiz_jpg/abc123/0' } }],
    }],
    ['voice.xml', { kind: 'media', text: '', attachments: [{ kind: 'voice', ref: 'media_id_voice_1', meta: { format: 'amr' } }] }],
    ['voice-recognition.xml', { kind: 'media', text: '我要转人工', attachments: [{ kind: 'voice', ref: 'media_id_voice_2', meta: { format: 'amr' } }] }],
    ['video.xml', { kind: 'media', attachments: [{ kind: 'video', ref: 'media_id_video_1', meta: { thumbMediaId: 'thumb_media_id_1' } }] }],
    ['shortvideo.xml', { kind: 'media', attachments: [{ kind: 'video', ref: 'media_id_shortvideo_1', meta: { thumbMediaId: 'thumb_media_id_2', short: true } }] }],
    ['location.xml', {
      kind: 'media', text: '广州市天河区珠江新城',
      attachments: [{ kind: 'location', meta: { latitude: 23.134521, longitude: 113.358803, scale: 20, label: '广州市天河区珠江新城' } }],
    }],
    ['link.xml', {
      kind: 'media', text: '订单 20240425-001 的物流信息',
      attachments: [{ kind: 'link', ref: 'https://example.com/orders/20240425-001', name: '订单 20240425-001 的物流信息', meta: { description: '物流详情页面' } }],
    }],
    ['event-subscribe.xml', { kind: 'event', event: 'subscribe', key: undefined, text: '', channelMessageId: `${OPENID}:1714037070:subscribe` }],
    ['event-subscribe-qrscene.xml', { kind: 'event', event: 'subscribe', key: 'store_shanghai_01', channelMessageId: `${OPENID}:1714037071:subscribe` }],
    ['event-unsubscribe.xml', { kind: 'event', event: 'unsubscribe', channelMessageId: `${OPENID}:1714037072:unsubscribe` }],
    ['event-scan.xml', { kind: 'event', event: 'SCAN', key: 'store_shanghai_01' }],
    ['event-location.xml', { kind: 'event', event: 'LOCATION', key: undefined, channelMessageId: `${OPENID}:1714037074:LOCATION` }],
    ['event-click.xml', { kind: 'event', event: 'CLICK', key: 'intent:human' }],
    ['event-view.xml', { kind: 'event', event: 'VIEW', key: 'https://example.com/help' }],
    ['event-template-finished.xml', { kind: 'event', event: 'unknown:event:TEMPLATESENDJOBFINISH', channelMessageId: `${OPENID}:1714037077:TEMPLATESENDJOBFINISH` }],
    ['miniprogrampage.xml', { kind: 'event', event: 'unknown:miniprogrampage', text: '', channelMessageId: '24567891234567900' }],
  ])('%s', (name, expected) => {
    const message = inbound(name);
    expect(message).toMatchObject({ ...common, ...expected });
    // The payload is kept for debugging, with every value a string (MsgId keeps all 17 digits).
    expect(field(message.raw as never, 'FromUserName')).toBe(OPENID);
  });

  test('a MsgId beyond 2^53 keeps every digit', () => {
    expect(inbound('text.xml').channelMessageId).toBe('24567891234567891');
    expect(Number('24567891234567891').toString()).not.toBe('24567891234567891');
  });

  test('which inbound messages open a customer-service window', () => {
    expect(quotaGrantOf(inbound('text.xml'))).toBe('message');
    expect(quotaGrantOf(inbound('image.xml'))).toBe('message');
    expect(quotaGrantOf(inbound('miniprogrampage.xml'))).toBe('message');
    expect(quotaGrantOf(inbound('event-subscribe.xml'))).toBe('action');
    expect(quotaGrantOf(inbound('event-click.xml'))).toBe('action');
    expect(quotaGrantOf(inbound('event-view.xml'))).toBeNull();
    expect(quotaGrantOf(inbound('event-unsubscribe.xml'))).toBeNull();
    expect(quotaGrantOf(inbound('event-template-finished.xml'))).toBeNull();
  });

  test.each([
    ['no FromUserName', '<xml><ToUserName>gh_a</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>', /FromUserName/],
    ['a colon in an id', '<xml><ToUserName>gh:a</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>', /ToUserName/],
    ['no CreateTime', '<xml><ToUserName>gh_a</ToUserName><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>', /CreateTime/],
    ['no MsgType', '<xml><ToUserName>gh_a</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime></xml>', /MsgType/],
  ])('refuses a payload with %s', (_name, body, reason) => {
    const xml = parseWechatXml(body);
    if (!xml.ok) throw new Error(xml.message);
    const result = wechatInbound(xml.root, at);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  test.each([['empty', ''], ['only blanks', ' \u3000 ']])('an %s text is stored as an unknown event rather than refused', (_name, content) => {
    const xml = parseWechatXml(`<xml><ToUserName>gh_a</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>${content}</Content><MsgId>7</MsgId></xml>`);
    if (!xml.ok) throw new Error(xml.message);
    expect(wechatInbound(xml.root, at)).toMatchObject({ ok: true, message: { kind: 'event', event: 'unknown:text', channelMessageId: '7' } });
  });
});

describe('what the parser builds satisfies the contract without a second validation', () => {
  const wrap = (fields: string) => `<xml><ToUserName>gh_a</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>${fields}</xml>`;
  const parse = (body: string) => {
    const xml = parseWechatXml(body);
    if (!xml.ok) throw new Error(xml.message);
    return wechatInbound(xml.root, at);
  };
  const accepted = readdirSync(fromRoot('channels', 'wechat', 'fixtures')).filter((name) => name.endsWith('.xml') && !name.startsWith('refused-'));

  test.each(accepted)('%s', (name) => {
    expect(InboundMessage.safeParse(inbound(name)).success).toBe(true);
  });

  test.each([
    ['an event name at the id limit', wrap(`<MsgType>event</MsgType><Event>${'E'.repeat(256 - 'o1:1:'.length)}</Event>`)],
    ['a media reference at the limit', wrap(`<MsgType>image</MsgType><MediaId>${'m'.repeat(2048)}</MediaId><MsgId>8</MsgId>`)],
    ['long ids, key, title and text', wrap(`<MsgType>link</MsgType><Url>u</Url><Title>${'t'.repeat(30000)}</Title><MsgId>${'9'.repeat(24)}</MsgId>`)],
    ['a long unknown event', wrap(`<MsgType>event</MsgType><Event>${'X'.repeat(150)}</Event><EventKey>${'k'.repeat(1000)}</EventKey>`)],
  ])('accepted: %s', (_name, body) => {
    const result = parse(body);
    expect(result.ok && InboundMessage.safeParse(result.message).success).toBe(true);
  });

  test('a text of NUL and blanks is stored as an unknown event (NUL is dropped when stored)', () => {
    const result = parse(wrap('<MsgType>text</MsgType><Content>\u0000 \u0000</Content><MsgId>7</MsgId>'));
    expect(result).toMatchObject({ ok: true, message: { kind: 'event', event: 'unknown:text' } });
    expect(result.ok && InboundMessage.safeParse(result.message).success).toBe(true);
  });

  test.each([
    ['an event name beyond the id limit', wrap(`<MsgType>event</MsgType><Event>${'E'.repeat(257 - 'o1:1:'.length)}</Event>`), /Event is too long/],
    ['a media reference beyond the limit', wrap(`<MsgType>voice</MsgType><MediaId>${'m'.repeat(2049)}</MediaId><MsgId>8</MsgId>`), /media reference/],
  ])('refused: %s', (_name, body, reason) => {
    const result = parse(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('XML safety', () => {
  test('a DOCTYPE with entities is refused before parsing', () => {
    expect(parseWechatXml(fixture('refused-doctype.xml'))).toMatchObject({ ok: false, reason: 'xml_forbidden' });
  });

  test.each([
    ['an external entity', '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>'],
    ['a bare ENTITY declaration', '<xml><!ENTITY a "b"><Content>x</Content></xml>'],
    ['lower case', '<!doctype xml><xml/>'],
  ])('refuses %s', (_name, body) => {
    expect(parseWechatXml(body)).toMatchObject({ ok: false, reason: 'xml_forbidden' });
  });

  test('DOCTYPE inside CDATA is a customer\'s text, not a declaration', () => {
    expect(hasDoctypeOrEntity(fixture('text-cdata-tricky.xml'))).toBe(false);
    expect(hasDoctypeOrEntity('<xml><![CDATA[x]]><!DOCTYPE y></xml>')).toBe(true);
  });

  test('unknown entity references are never expanded; predefined ones and character references are decoded', () => {
    const xml = parseWechatXml('<xml><A>&unknown;</A><B>a &amp; b &lt; &#x4e2d;&#25991;</B></xml>');
    expect(xml).toEqual({ ok: true, root: { A: '&unknown;', B: 'a & b < 中文' } });
  });

  test.each([
    ['unclosed', fixture('refused-malformed.xml')],
    ['not XML', 'hello'],
    ['empty', ''],
    ['two roots', '<xml><a>1</a></xml><xml/>'],
    ['another root', '<root><a>1</a></root>'],
  ])('malformed: %s', (_name, body) => {
    expect(parseWechatXml(body)).toMatchObject({ ok: false, reason: 'xml_malformed' });
  });

  test('the size cap', () => {
    const body = `<xml><Content><![CDATA[${'字'.repeat(400)}]]></Content></xml>`;
    expect(parseWechatXml(body, 1000)).toMatchObject({ ok: false, reason: 'xml_too_large' });
    expect(parseWechatXml(body, 2000).ok).toBe(true);
  });
});

describe('reply XML', () => {
  test('CDATA survives ]]> and drops characters XML cannot carry', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    const xml = parseWechatXml(buildXml([['Content', 'x]]>y\u0000z\uD800']], 'xml'));
    expect(xml).toEqual({ ok: true, root: { Content: 'x]]>yz' } });
  });

  test.each([
    ['5 letters in 5', 'abcde', 5, true],
    ['6 letters in 5', 'abcdef', 5, false],
    ['5 emoji in 5 (10 UTF-16 units)', '😀'.repeat(5), 5, true],
    ['6 emoji in 5', '😀'.repeat(6), 5, false],
    ['2048 bytes', 'é'.repeat(1024), 2000, true],
    ['2050 bytes', 'é'.repeat(1025), 2000, false],
  ])('one text message holds %s', (_name, text, max, fits) => {
    expect(fitsOneMessage(text, max)).toBe(fits);
  });

  test('a passive text reply swaps To and From', () => {
    const xml = parseWechatXml(passiveText({ account: ACCOUNT, openid: OPENID }, '您好', at));
    expect(xml).toEqual({ ok: true, root: { ToUserName: OPENID, FromUserName: ACCOUNT, CreateTime: String(at / 1000), MsgType: 'text', Content: '您好' } });
  });

  test('the hand-over to WeChat\'s agents, with and without a named agent', () => {
    expect(parseWechatXml(passiveTransfer({ account: ACCOUNT, openid: OPENID }, at))).toMatchObject({ ok: true, root: { MsgType: 'transfer_customer_service' } });
    expect(parseWechatXml(passiveTransfer({ account: ACCOUNT, openid: OPENID }, at, 'kf2001@gh_3f2c'))).toMatchObject({
      ok: true, root: { MsgType: 'transfer_customer_service', TransInfo: { KfAccount: 'kf2001@gh_3f2c' } },
    });
  });
});

/** kf messages from a recorded sync_msg page, and the WeCom settings. */
import { readFileSync } from 'node:fs';
import type { KfMessage } from '../../channels/wecom/client.js';
import { wecomSettingsFrom } from '../../channels/wecom/definition.js';
import { kfInbound } from '../../channels/wecom/inbound.js';
import { serviceStateFor } from '../../channels/wecom/service-state.js';
import { ConfigError } from '../../src/config.js';
import { fromRoot } from '../../src/paths.js';

const page = JSON.parse(readFileSync(fromRoot('channels', 'wecom', 'fixtures', 'sync-msg-page.json'), 'utf8')) as { msg_list: KfMessage[] };
const KFID = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';
const CUSTOMER = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';
const at = 1_615_478_600_000;
const byId = (suffix: string) => page.msg_list.find((m) => m.msgid.endsWith(suffix))!;

describe('kfInbound', () => {
  const thread = { channel: 'wecom', threadKey: `${KFID}:${CUSTOMER}`, sender: { externalId: CUSTOMER }, receivedAt: at };

  test.each([
    ['483', { kind: 'text', text: '你好，请问运费怎么收？', channelMessageId: 'from_msgid_4622416642169452483' }],
    ['484', { kind: 'text', text: '人工' }],
    ['485', { kind: 'media', attachments: [{ kind: 'image', ref: '2iSLeVyqzk4eX0IB5kTi9Ljfa2rt9dwfq5WKRQ4Nvvgw' }] }],
    ['486', { kind: 'media', attachments: [{ kind: 'voice' }] }],
    ['487', { kind: 'media', attachments: [{ kind: 'video' }] }],
    ['488', { kind: 'media', attachments: [{ kind: 'file', ref: '1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o' }] }],
    ['489', { kind: 'media', text: '广州国际媒体港(广州市海珠区)', attachments: [{ kind: 'location', meta: { latitude: 23.106021881103501, longitude: 113.32051086425781, name: '广州国际媒体港(广州市海珠区)', address: '广东省广州市海珠区滨江东路' } }] }],
    ['490', { kind: 'media', text: '订单详情', attachments: [{ kind: 'link', ref: 'https://example.com/orders/20240425-001', name: '订单详情' }] }],
    ['491', { kind: 'event', event: 'unknown:business_card' }],
    ['493', { kind: 'event', event: 'enter_session', key: 'abc' }],
    ['494', { kind: 'event', event: 'msg_send_fail' }],
    ['495', { kind: 'event', event: 'session_status_change', key: '3' }],
  ])('message …%s', (suffix, expected) => {
    const result = kfInbound(byId(suffix), at);
    if (!result.ok) throw new Error(result.reason);
    expect(result.message).toMatchObject({ ...thread, ...expected });
  });

  test('an agent\'s message from the WeCom app (origin 5) and account events are skipped, not errors', () => {
    expect(kfInbound(byId('492'), at)).toMatchObject({ ok: false, skip: true });
    expect(kfInbound(byId('496'), at)).toMatchObject({ ok: false, skip: true });
  });

  test('a message without a msgid is an error', () => {
    expect(kfInbound({ ...byId('483'), msgid: '' }, at)).toMatchObject({ ok: false, skip: false });
  });
});

describe('session state mapping', () => {
  test.each([
    ['bot', null, { state: 1 }],
    ['queued', null, { state: 2 }],
    ['human', 'zhangsan', { state: 3, servicerUserId: 'zhangsan' }],
    ['human', null, null],
    ['closed', null, { state: 4 }],
  ] as const)('%s (assignee %s)', (status, assigneeId, expected) => {
    expect(serviceStateFor({ status, assigneeId })).toEqual(expected);
  });
});

describe('wecomSettingsFrom', () => {
  const AES = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
  test('off without a corp id; defaults filled in', () => {
    expect(wecomSettingsFrom({})).toBeNull();
    expect(wecomSettingsFrom({ WECOM_CORP_ID: 'ww1', WECOM_KF_SECRET: 's', WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: AES })).toMatchObject({
      corpId: 'ww1', apiBase: 'https://qyapi.weixin.qq.com',
    });
  });
  test.each([
    [{ WECOM_CORP_ID: 'ww1' }, /WECOM_KF_SECRET: is required/],
    [{ WECOM_TOKEN: 't' }, /WECOM_TOKEN: is set but WECOM_CORP_ID is not/],
    [{ WECOM_CORP_ID: 'ww1', WECOM_KF_SECRET: 's', WECOM_TOKEN: 't', WECOM_ENCODING_AES_KEY: 'x' }, /WECOM_ENCODING_AES_KEY: must be/],
  ])('names the variable: %j', (env, message) => {
    expect(() => wecomSettingsFrom(env)).toThrow(ConfigError);
    expect(() => wecomSettingsFrom(env)).toThrow(message);
  });
});

/**
 * WeCom customer service end to end: encrypted callback -> sync_msg pages from a local fake
 * WeCom API -> stored once -> bot reply through send_msg; the cursor survives a restart;
 * our conversation status reaches WeCom's session state.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelDeps } from '../../channels/types.js';
import { aesKeyFrom, encryptMessage } from '../../channels/wechat/crypto.js';
import { wechatSignature } from '../../channels/wechat/signature.js';
import { wecomSettingsFrom } from '../../channels/wecom/definition.js';
import { buildWecomChannel, type WecomChannel } from '../../channels/wecom/index.js';
import { cursorName } from '../../channels/wecom/sync.js';
import type { KfMessage } from '../../channels/wecom/client.js';
import { loadNlu } from '../../src/nlu/index.js';
import { fromRoot } from '../../src/paths.js';
import * as store from '../../src/store/index.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { startFakeWecomApi, type FakeWecomApi } from './fake-wecom-api.js';

const vectors = JSON.parse(readFileSync(fromRoot('channels', 'wechat', 'fixtures', 'crypto-vectors.json'), 'utf8')) as { token: string; encodingAESKey: string; appId: string };
const CORP = vectors.appId;
const SECRET = 'kf-secret';
const KFID = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';
const nlu = loadNlu({ includeDemoFaq: true });

let api: FakeWecomApi;
let dataDir: string;
let counter = 0;

async function startKf(extraEnv: Record<string, string> = {}): Promise<{ running: RunningGateway; channel: WecomChannel }> {
  let deps: ChannelDeps | undefined;
  const late = new Proxy({} as ChannelDeps, { get: (_t, key) => deps![key as keyof ChannelDeps] });
  const settings = wecomSettingsFrom({ WECOM_CORP_ID: CORP, WECOM_KF_SECRET: SECRET, WECOM_TOKEN: vectors.token, WECOM_ENCODING_AES_KEY: vectors.encodingAESKey, WECOM_API_BASE: api.url, ...extraEnv })!;
  const channel = buildWecomChannel(late, settings, { retryDelayMs: 10 });
  // The gateway takes ready adapters and calls start() inside listen(), before the
  // dependencies exist here: start it ourselves once they do.
  const running = await startGateway({ DATA_DIR: dataDir }, { nlu, extraChannels: [{ ...channel, start: undefined }] });
  deps = running.gateway;
  await channel.start?.();
  return { running, channel };
}

function callback(url: string, token = 'CALLBACK_TOKEN') {
  const inner = `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><CreateTime>1615478600</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[${token}]]></Token><OpenKfId><![CDATA[${KFID}]]></OpenKfId></xml>`;
  const encrypt = encryptMessage(inner, CORP, aesKeyFrom(vectors.encodingAESKey));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String((counter += 1));
  const query = new URLSearchParams({ msg_signature: wechatSignature([vectors.token, timestamp, nonce, encrypt]), timestamp, nonce });
  return fetch(`${url}/webhooks/wecom?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` });
}

const customerSays = (customer: string, text: string): KfMessage => ({
  msgid: `msg_${(counter += 1)}`, open_kfid: KFID, external_userid: customer, send_time: 1615478600, origin: 3, msgtype: 'text', text: { content: text },
});

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

beforeAll(async () => {
  api = await startFakeWecomApi({ corpId: CORP, secret: SECRET });
  dataDir = mkdtempSync(join(tmpdir(), 'kefu-wecom-'));
});
afterAll(async () => {
  await api.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('URL check: the echostr vector is decrypted; a wrong signature is 401', async () => {
  const { running } = await startKf();
  try {
    const e = { signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96', timestamp: '1411443780', nonce: '437374425', echostr: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==' };
    const query = (nonce: string) => new URLSearchParams({ msg_signature: e.signature, timestamp: e.timestamp, nonce, echostr: e.echostr });
    expect(await (await fetch(`${running.url}/webhooks/wecom?${query(e.nonce)}`)).text()).toBe('5927782489442352469');
    expect((await fetch(`${running.url}/webhooks/wecom?${query('437374424')}`)).status).toBe(401);
  } finally {
    await running.stop();
  }
});

test('callback -> sync_msg pages with the callback token -> stored once -> replies by send_msg; the cursor survives a restart', async () => {
  api.messages.push(customerSays('wmCustomerA', '你好'), customerSays('wmCustomerA', '运费怎么收？'), customerSays('wmCustomerB', '你好'));
  const first = await startKf();
  try {
    const response = await callback(first.running.url);
    expect(response.status).toBe(200);
    await first.channel.idle();
    // Two pages (the fake serves 2 per page), the callback's token on each call.
    expect(api.syncCalls.map((c) => [c.cursor, c.token])).toEqual([['', 'CALLBACK_TOKEN'], ['2', 'CALLBACK_TOKEN']]);
    expect(await store.getCheckpoint(first.running.gateway.db.kysely, cursorName(KFID))).toBe('3');
    await until(() => api.sent.length === 3);
    // Conversations are answered in parallel: compare per customer.
    expect(api.sent.map((s) => [s.touser, s.open_kfid, s.msgtype]).sort()).toEqual([
      ['wmCustomerA', KFID, 'text'], ['wmCustomerA', KFID, 'text'], ['wmCustomerB', KFID, 'text'],
    ]);
    // A callback with nothing new reads from the stored cursor and stores nothing twice.
    await callback(first.running.url);
    await first.channel.idle();
    expect(api.syncCalls.at(-1)?.cursor).toBe('3');
  } finally {
    await first.running.stop();
  }

  api.messages.push(customerSays('wmCustomerA', '再见'));
  const second = await startKf();
  try {
    await callback(second.running.url, 'SECOND_TOKEN');
    await second.channel.idle();
    expect(api.syncCalls.at(-1)).toMatchObject({ cursor: '3', token: 'SECOND_TOKEN' });
    const inbound = await second.running.gateway.db.kysely.selectFrom('messages').select('channel_message_id')
      .where('channel', '=', 'wecom').where('direction', '=', 'in').execute();
    expect(inbound).toHaveLength(4);
    await until(() => api.sent.length === 4);
  } finally {
    await second.running.stop();
  }
});

test('a failed pull is retried, then the next callback starts from the stored cursor', async () => {
  const { running, channel } = await startKf();
  try {
    api.messages.push(customerSays('wmCustomerC', '你好'));
    api.failSync.push(-1);
    const calls = api.syncCalls.length;
    await callback(running.url);
    await channel.idle();
    expect(api.syncCalls.length - calls).toBe(2);
    await until(() => api.sent.some((s) => s.touser === 'wmCustomerC'));
  } finally {
    await running.stop();
  }
});

test('WECOM_HANDOFF_TARGET=kefu: a hand-over stays with the API (no state change) until closed', async () => {
  const { running, channel } = await startKf({ WECOM_HANDOFF_TARGET: 'kefu' });
  try {
    api.messages.push(customerSays('wmCustomerE', '我要转人工客服'));
    await callback(running.url);
    await channel.idle();
    await until(() => api.sent.some((s) => s.touser === 'wmCustomerE'));
    const { kysely } = running.gateway.db;
    const conversation = await store.findOpenConversation(kysely, 'wecom', `${KFID}:wmCustomerE`);
    expect(conversation?.status).toBe('queued');
    await store.setConversationStatus(kysely, conversation!.id, 'closed', Date.now());
    running.gateway.hub.notify(conversation!);
    await until(() => api.transitions.some((t) => t.external_userid === 'wmCustomerE'));
    expect(api.transitions.filter((t) => t.external_userid === 'wmCustomerE').map((t) => t.service_state)).toEqual([4]);
  } finally {
    await running.stop();
  }
});

test('our status reaches WeCom: a hand-over puts the session in the queue (2), closing ends it (4)', async () => {
  const { running, channel } = await startKf();
  try {
    api.messages.push(customerSays('wmCustomerD', '我要转人工客服'));
    await callback(running.url);
    await channel.idle();
    await until(() => api.transitions.some((t) => t.external_userid === 'wmCustomerD'));
    expect(api.transitions.filter((t) => t.external_userid === 'wmCustomerD')).toEqual([{ open_kfid: KFID, external_userid: 'wmCustomerD', service_state: 2 }]);
    // The hand-over notice went out while the API could still send (state 1), then the queue.
    expect(api.log.indexOf('send:wmCustomerD')).toBeGreaterThanOrEqual(0);
    expect(api.log.indexOf('send:wmCustomerD')).toBeLessThan(api.log.indexOf('trans:wmCustomerD:2'));

    const { kysely } = running.gateway.db;
    const conversation = await store.findOpenConversation(kysely, 'wecom', `${KFID}:wmCustomerD`);
    await store.setConversationStatus(kysely, conversation!.id, 'human', Date.now(), 'zhangsan');
    running.gateway.hub.notify(conversation!);
    await until(() => api.transitions.some((t) => t.external_userid === 'wmCustomerD' && t.service_state === 3));
    await store.setConversationStatus(kysely, conversation!.id, 'closed', Date.now());
    running.gateway.hub.notify(conversation!);
    await until(() => api.transitions.some((t) => t.external_userid === 'wmCustomerD' && t.service_state === 4));
    expect(api.transitions.filter((t) => t.external_userid === 'wmCustomerD').map((t) => [t.service_state, t.servicer_userid])).toEqual([[2, undefined], [3, 'zhangsan'], [4, undefined]]);
  } finally {
    await running.stop();
  }
});

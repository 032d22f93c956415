/** Shared helpers of the WeChat tests: fixtures, signed URLs, and a gateway with the channel. */
import { readFileSync } from 'node:fs';
import type { ChannelDeps } from '../../channels/types.js';
import { buildWechatChannel, type WechatChannelOptions } from '../../channels/wechat/index.js';
import { wechatSettingsFrom } from '../../channels/wechat/definition.js';
import { wechatSignature } from '../../channels/wechat/signature.js';
import { parseWechatXml, type XmlNode } from '../../channels/wechat/xml.js';
import { loadNlu } from '../../src/nlu/index.js';
import { fromRoot } from '../../src/paths.js';
import type { Understander } from '../../src/pipeline/pipeline.js';
import type { GatewayOverrides } from '../../src/gateway.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

export const fixture = (name: string): string => readFileSync(fromRoot('channels', 'wechat', 'fixtures', name), 'utf8');

export interface CryptoVectors {
  token: string;
  encodingAESKey: string;
  appId: string;
  checkEchoStr: { signature: string; timestamp: string; nonce: string; echostr: string };
  encrypt: { randomPrefix: string; timestamp: string; nonce: string; plaintext: string; expectedEncrypt: string; expectedMsgSignature: string };
  decrypt: { timestamp: string; nonce: string; msgSignature: string; encrypt: string; expectedContent: string; expectedFromUserName: string };
  urlCheckPlain: { token: string; timestamp: string; nonce: string; signature: string };
}
export const vectors = JSON.parse(fixture('crypto-vectors.json')) as CryptoVectors;

/** The query WeChat signs a request with (plain `signature` over token, timestamp, nonce). */
export function signedQuery(token: string, extra: Record<string, string> = {}, at = Math.floor(Date.now() / 1000)): URLSearchParams {
  const timestamp = String(at);
  const nonce = String(Math.floor(Math.random() * 1e9));
  return new URLSearchParams({ signature: wechatSignature([token, timestamp, nonce]), timestamp, nonce, ...extra });
}

export interface WechatGateway extends RunningGateway {
  webhook: string;
}

/**
 * A gateway with the WeChat channel built from `wechatEnv`. The channel reads its
 * dependencies only when requests arrive, so it is given them once the gateway exists
 * (the gateway takes ready adapters, and a factory needs the gateway's parts).
 */
export async function startWechatGateway(
  wechatEnv: Record<string, string>, options: WechatChannelOptions = {}, overrides: GatewayOverrides = {}, env: Record<string, string> = {},
): Promise<WechatGateway> {
  let deps: ChannelDeps | undefined;
  const lateDeps = new Proxy({} as ChannelDeps, {
    get: (_target, key) => {
      if (!deps) throw new Error('the gateway is not built yet');
      return deps[key as keyof ChannelDeps];
    },
  });
  const settings = wechatSettingsFrom(wechatEnv);
  if (!settings) throw new Error('no WeChat account in the test settings');
  const adapter = buildWechatChannel(lateDeps, settings, options);
  // Models built on first use would otherwise make the first message miss the passive deadline.
  overrides.nlu?.understand('你好');
  overrides.nlu?.faq.ask('你好');
  const running = await startGateway(env, { ...overrides, extraChannels: [adapter, ...(overrides.extraChannels ?? [])] });
  deps = running.gateway;
  return { ...running, webhook: `${running.url}/webhooks/wechat` };
}

/** POST an XML body to the webhook. */
export async function postXml(url: string, body: string, contentType = 'text/xml') {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, text, contentType: response.headers.get('content-type') ?? '' };
}

export const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

export const GH = 'gh_3f2c8e5a1b7d';
export const FAQ_QUESTION = '付款以后多少天能到货？';
export const FAQ_ANSWER_START = '有现货的商品付款后2天内出库';

// Loaded on first use: the table tests that share this file need no understanding.
let baseNlu: ReturnType<typeof loadNlu> | undefined;
const real = () => (baseNlu ??= loadNlu({ includeDemoFaq: true }));
/** The real understanding, made slow for texts containing 慢 ("slow"): a busy first copy. */
export const slowableNlu: Understander = {
  understand: (text, ctx) => {
    if (text.includes('慢')) {
      const end = Date.now() + 300;
      while (Date.now() < end) { /* hold the thread like a slow model would */ }
    }
    return real().understand(text, ctx);
  },
  faq: { ask: (text) => real().faq.ask(text) },
};

let counter = 0;
export const nextOpenid = () => `oTEST${Date.now().toString(36)}${(counter += 1)}`;
export const nextMsgId = () => String(24_567_891_234_000_000n + BigInt(Date.now() % 1_000_000) * 1000n + BigInt(counter += 1));

export const textXml = (openid: string, text: string, msgId = nextMsgId(), to = GH) =>
  `<xml><ToUserName><![CDATA[${to}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>` +
  `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${msgId}</MsgId></xml>`;
export const eventXml = (openid: string, event: string, createTime: number, extra = '') =>
  `<xml><ToUserName><![CDATA[${GH}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${createTime}</CreateTime>` +
  `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>${extra}</xml>`;

export function xmlOf(text: string): XmlNode {
  const parsed = parseWechatXml(text);
  if (!parsed.ok) throw new Error(`not a valid reply: ${parsed.message}: ${text}`);
  return parsed.root;
}

/** A customer's stored messages, oldest first, with their conversation's status. */
export async function storedOf(g: RunningGateway, openid: string) {
  return g.gateway.db.kysely.selectFrom('messages').innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.id', 'messages.direction', 'messages.text', 'messages.channel_message_id', 'messages.kind', 'conversations.status'])
    .where('conversations.thread_key', '=', `${GH}:${openid}`).orderBy('messages.seq').execute();
}

export async function outboxOf(g: RunningGateway, openid: string) {
  return g.gateway.db.kysely.selectFrom('outbox').innerJoin('conversations', 'conversations.id', 'outbox.conversation_id')
    .select(['outbox.status', 'outbox.last_error']).where('conversations.thread_key', '=', `${GH}:${openid}`).orderBy('outbox.seq').execute();
}

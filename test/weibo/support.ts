/** Shared helpers of the Weibo tests: a gateway with the channel, pointed at the fake API. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeiboChannel, type WeiboChannel, type WeiboChannelOptions } from '../../channels/weibo/index.js';
import { weiboSettingsFrom } from '../../channels/weibo/definition.js';
import { weiboSignature } from '../../channels/weibo/signature.js';
import { loadNlu, type Nlu } from '../../src/nlu/index.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import type { FakeWeiboApi } from './fake-weibo-api.js';

export const APP_SECRET = 'weiboAppSecret0123456789';
export const ADMIN_TOKEN = 'admin-token-for-weibo-tests';

let nlu: Nlu | undefined;
/** One understanding for the pipeline and the channel's grader (loaded once per file). */
export const sharedNlu = (): Nlu => (nlu ??= loadNlu({ includeDemoFaq: true }));

export interface WeiboGateway extends RunningGateway {
  channel: WeiboChannel;
  webhook: string;
}

export async function startWeiboGateway(
  fake: FakeWeiboApi, options: WeiboChannelOptions = {}, env: Record<string, string> = {}, weiboEnv: Record<string, string> = {},
): Promise<WeiboGateway> {
  const settings = weiboSettingsFrom({
    WEIBO_APP_SECRET: APP_SECRET, WEIBO_ACCESS_TOKEN: fake.token, WEIBO_API_BASE: fake.url, KEFU_ADMIN_TOKEN: ADMIN_TOKEN, ...weiboEnv,
  });
  if (!settings) throw new Error('no Weibo settings');
  let channel: WeiboChannel | undefined;
  const running = await startGateway(env, {
    nlu: sharedNlu(),
    extraChannels: [(deps) => (channel = buildWeiboChannel(deps, settings, { pollMs: 100, grader: sharedNlu(), ...options }))],
  });
  return { ...running, channel: channel!, webhook: `${running.url}/webhooks/weibo` };
}

export const tempDataDir = (): string => mkdtempSync(join(tmpdir(), 'kefu-weibo-'));

export function signedQuery(secret = APP_SECRET, extra: Record<string, string> = {}): URLSearchParams {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  return new URLSearchParams({ signature: weiboSignature(secret, timestamp, nonce), timestamp, nonce, ...extra });
}

export const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

export async function triageView(g: RunningGateway, query = '', token = ADMIN_TOKEN) {
  const response = await fetch(`${g.url}/api/weibo/posts${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, json: (await response.json()) as { posts: Array<Record<string, any>> } & { error?: { code: string } } };
}

export async function conversationOf(g: RunningGateway, uid: string) {
  return g.gateway.db.kysely.selectFrom('conversations').selectAll().where('thread_key', '=', `weibo:${uid}`).executeTakeFirst();
}

let uidCounter = 0;
export const nextAuthor = (name = '用户') => ({ uid: String(5_000_000_000 + Date.now() % 1_000_000 * 100 + (uidCounter += 1)), name: `${name}${uidCounter}` });

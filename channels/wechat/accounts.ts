/**
 * The configured official accounts, ready to use: AES keys decoded, an API client each.
 *
 * A conversation's thread key carries the account's original id (`gh_...`, the inbound
 * ToUserName), but the settings name accounts by URL segment: the first message through
 * `/webhooks/wechat/:name` links the two, and the link is kept in the checkpoints table so a
 * reply queued before a restart still finds its account.
 */
import * as store from '../../src/store/index.js';
import type { ChannelDeps } from '../types.js';
import { WechatApiClient } from './client.js';
import { aesKeyFrom, type AesKey } from './crypto.js';
import type { WechatAccount, WechatSettings } from './definition.js';

export interface AccountRuntime {
  settings: WechatAccount;
  /** Current key first, then the previous one (key rotation). */
  keys: AesKey[];
  /** Null without AppID and AppSecret: passive replies only. */
  client: WechatApiClient | null;
}

const checkpointName = (originalId: string) => `wechat.account.${originalId}`;

export class WechatAccounts {
  private readonly byName = new Map<string, AccountRuntime>();
  private readonly byOriginalId = new Map<string, string>();

  constructor(settings: WechatSettings, private readonly deps: Pick<ChannelDeps, 'db'>, api: { fetch?: typeof fetch; now?: () => number } = {}) {
    for (const account of settings.accounts) {
      const keys = [account.encodingAesKey, account.previousEncodingAesKey].filter((k): k is string => !!k).map(aesKeyFrom);
      const client = account.appId && account.appSecret
        ? new WechatApiClient({ apiBase: settings.apiBase, appId: account.appId, appSecret: account.appSecret, ...api })
        : null;
      this.byName.set(account.name, { settings: account, keys, client });
    }
  }

  get(name: string): AccountRuntime | undefined {
    return this.byName.get(name);
  }

  /** Link an original id to the account whose URL received it (once per process). */
  async remember(originalId: string, name: string, now: number): Promise<void> {
    if (this.byName.size === 1 || this.byOriginalId.get(originalId) === name) return;
    this.byOriginalId.set(originalId, name);
    await store.setCheckpoint(this.deps.db.kysely, checkpointName(originalId), name, now);
  }

  /** The account and openid a conversation's thread key points to. */
  async forThread(threadKey: string): Promise<{ account: AccountRuntime; openid: string } | undefined> {
    const at = threadKey.indexOf(':');
    if (at <= 0) return undefined;
    const originalId = threadKey.slice(0, at);
    const openid = threadKey.slice(at + 1);
    if (this.byName.size === 1) return { account: this.byName.values().next().value as AccountRuntime, openid };
    let name = this.byOriginalId.get(originalId);
    if (!name) {
      name = await store.getCheckpoint(this.deps.db.kysely, checkpointName(originalId));
      if (name) this.byOriginalId.set(originalId, name);
    }
    const account = name ? this.byName.get(name) : undefined;
    return account && { account, openid };
  }
}

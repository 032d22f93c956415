/**
 * The WeChat official-account channel: the webhook (routes.ts -> webhook.ts) answers within
 * WeChat's 5 seconds, passively when it can; `send` is the dispatcher's way out through the
 * customer-service API (client.ts) for everything else. See README.md.
 */
import type { ChannelAdapter, ChannelDeps, ChannelFactory, SendResult } from '../types.js';
import { WechatAccounts } from './accounts.js';
import { PASSIVE_DEADLINE_MS, wechatCapabilities, wechatSettingsFrom, type WechatSettings } from './definition.js';
import { ReplyQuota } from './quota.js';
import { registerWechatRoutes } from './routes.js';
import { WechatWebhook } from './webhook.js';

export interface WechatChannelOptions {
  /** How long the webhook waits for the answer (default 4000 ms; WeChat hangs up at 5 s). */
  passiveDeadlineMs?: number;
  /** How long the dispatcher holds replies for the webhook (default 4500 ms); must exceed the deadline. */
  passiveReplyWindowMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** Tests pin the random 16 bytes of safe-mode replies. */
  randomPrefix?: () => Buffer;
}

/** How often closed quota windows are deleted (see quota.ts). */
const PRUNE_EVERY_MS = 3600_000;

/** errcodes after which WeChat will refuse every message until the customer writes again. */
const QUOTA_ERRCODES = new Set([45015, 45047]);

/**
 * Builds the channel. `deps` is read only when requests and sends happen, never here, so a
 * caller may hand in dependencies that are completed after construction.
 */
export function buildWechatChannel(deps: ChannelDeps, settings: WechatSettings, options: WechatChannelOptions = {}): ChannelAdapter {
  const passiveDeadlineMs = options.passiveDeadlineMs ?? PASSIVE_DEADLINE_MS;
  const passiveReplyWindowMs = options.passiveReplyWindowMs ?? wechatCapabilities.passiveReplyWindowMs;
  // The dispatcher must not reach a reply before the webhook has decided on it, or the
  // reply goes by API (spending the customer's quota) while the webhook answers `success`.
  if (passiveReplyWindowMs <= passiveDeadlineMs) throw new Error('passiveReplyWindowMs must be longer than passiveDeadlineMs');
  const now = options.now ?? Date.now;
  const capabilities = { ...wechatCapabilities, passiveReplyWindowMs };
  const accounts = new WechatAccounts(settings, deps, { fetch: options.fetch, now });
  const quota = new ReplyQuota(deps, 'wechat', now);
  const webhook = new WechatWebhook(deps, accounts, quota, {
    passiveDeadlineMs, maxTextLength: capabilities.maxTextLength, handoffTarget: settings.handoffTarget, now, randomPrefix: options.randomPrefix,
  });

  let pruning: NodeJS.Timeout | undefined;
  const prune = () => quota.prune().catch((error: unknown) => deps.logger.warn({ err: error, channel: 'wechat' }, 'pruning the quota table failed'));

  return {
    name: 'wechat',
    capabilities,
    routes: (app) => registerWechatRoutes(app, deps, accounts, webhook),
    async start() {
      // Every node prunes; deleting what another node already deleted is harmless.
      pruning = setInterval(() => void prune(), PRUNE_EVERY_MS);
      pruning.unref();
    },
    async stop() {
      clearInterval(pruning);
    },
    async send(conversation, part): Promise<SendResult> {
      const target = await accounts.forThread(conversation.threadKey);
      if (!target) return { ok: false, retryable: false, error: 'wechat: no configured account has received this conversation\'s messages' };
      const { client } = target.account;
      if (!client) {
        return { ok: false, retryable: false, error: `wechat: the reply missed the passive window and account '${target.account.settings.name}' has no AppID/AppSecret for the customer-service API` };
      }
      const allowed = await quota.take(conversation.threadKey);
      if (!allowed.ok) return { ok: false, retryable: false, error: `wechat quota: ${allowed.reason}` };
      const result = await client.sendText(target.openid, part.text);
      if (result.ok) return { ok: true };
      if (result.errcode !== undefined && QUOTA_ERRCODES.has(result.errcode)) await quota.exhausted(conversation.threadKey);
      else await quota.refund(conversation.threadKey);
      return { ok: false, retryable: result.retryable, error: result.error };
    },
  };
}

/** The registry's factory: settings from the parsed configuration; null when no account is configured. */
export const createWechatChannel: ChannelFactory = (deps) => {
  const settings = wechatSettingsFrom(deps.config as unknown as Record<string, unknown>);
  return settings ? buildWechatChannel(deps, settings) : null;
};

export { wechatSettingsFrom, type WechatSettings } from './definition.js';

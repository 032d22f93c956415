/**
 * The WeCom customer-service channel (微信客服): callback (routes.ts) -> sync_msg pull with a
 * stored cursor (sync.ts) -> pipeline; replies through send_msg; our conversation status
 * mirrored into WeCom's session state (service-state.ts). See README.md.
 */
import type { ChannelAdapter, ChannelDeps, ChannelFactory, SendResult } from '../types.js';
import { aesKeyFrom } from '../wechat/crypto.js';
import { ReplyQuota } from '../wechat/quota.js';
import { WecomApiClient } from './client.js';
import { wecomCapabilities, wecomSettingsFrom, type WecomSettings } from './definition.js';
import { registerWecomRoutes } from './routes.js';
import { ServiceStateMirror } from './service-state.js';
import { KfSync, type SyncOptions } from './sync.js';

export interface WecomChannelOptions extends Omit<SyncOptions, 'onCustomerMessage'> {
  fetch?: typeof fetch;
}

export interface WecomChannel extends ChannelAdapter {
  /** Resolves when no pull is under way (tests, shutdown). */
  idle(): Promise<void>;
}

/** Like the WeChat channel, `deps` is read only when callbacks and sends happen. */
export function buildWecomChannel(deps: ChannelDeps, settings: WecomSettings, options: WecomChannelOptions = {}): WecomChannel {
  const now = options.now ?? Date.now;
  const client = new WecomApiClient({ apiBase: settings.apiBase, corpId: settings.corpId, secret: settings.secret, fetch: options.fetch, now });
  const keys = [settings.encodingAesKey, settings.previousEncodingAesKey].filter((k): k is string => !!k).map(aesKeyFrom);
  // The same allowance as the official account: 5 messages within 48 h of the customer's message.
  const quota = new ReplyQuota(deps, 'wecom', now);
  const sync = new KfSync(deps, client, { ...options, onCustomerMessage: (threadKey, at) => quota.opened(threadKey, 'message', at)
      // Not recorded: at worst one send WeChat refuses later. The pull goes on.
      .catch((error: unknown) => deps.logger.warn({ err: error, channel: 'wecom' }, 'recording the customer-service window failed')),
  });
  const states = new ServiceStateMirror(deps, client, { handoffTarget: settings.handoffTarget });

  return {
    name: 'wecom',
    capabilities: wecomCapabilities,
    routes: (app) => registerWecomRoutes(app, deps, settings, keys, sync),
    start: async () => states.start(),
    stop: async () => {
      await states.stop();
      await sync.idle();
    },
    idle: () => sync.idle(),
    async send(conversation, part): Promise<SendResult> {
      const at = conversation.threadKey.indexOf(':');
      if (at <= 0) return { ok: false, retryable: false, error: 'wecom: the conversation has no kf thread key' };
      const allowed = await quota.take(conversation.threadKey);
      if (!allowed.ok) return { ok: false, retryable: false, error: `wecom quota: ${allowed.reason}` };
      const result = await client.sendText(conversation.threadKey.slice(0, at), conversation.threadKey.slice(at + 1), part.text);
      if (!result.ok) await quota.refund(conversation.threadKey);
      return result.ok ? result : { ok: false, retryable: result.retryable, error: result.error };
    },
  };
}

/** The registry's factory: null when WECOM_CORP_ID is unset. */
export const createWecomChannel: ChannelFactory = (deps) => {
  const settings = wecomSettingsFrom(deps.config as unknown as Record<string, unknown>);
  return settings ? buildWecomChannel(deps, settings) : null;
};

/**
 * The Weibo channel: public posts polled (poller.ts -> public.ts), triaged and answered in
 * public only with a short templated reply (triage.ts); private messages through the
 * fan-service webhook (webhook.ts), answered passively within Weibo's 5 seconds or later
 * through messages/reply.json; `send` (outbound.ts) is the dispatcher's way out. See README.md.
 */
import { Templates } from '../../src/templates/index.js';
import type { ChannelAdapter, ChannelDeps, ChannelFactory } from '../types.js';
import { WeiboApi } from './client.js';
import { MIN_POLL_SECONDS, PASSIVE_DEADLINE_MS, weiboCapabilities, weiboSettingsFrom, type WeiboSettings } from './definition.js';
import { WeiboSender } from './outbound.js';
import { MentionPoller } from './poller.js';
import { handlePublicPost, type Grader } from './public.js';
import { registerWeiboRoutes } from './routes.js';
import { FanServiceWebhook } from './webhook.js';

export interface WeiboChannelOptions {
  /** Poll interval in ms; tests go under the 30-second floor that the settings enforce. */
  pollMs?: number;
  /** Longest interval after repeated rate limits (default 1 hour). */
  maxBackoffMs?: number;
  /** How long the webhook waits for the answer (default 4000 ms; Weibo hangs up at 5 s). */
  passiveDeadlineMs?: number;
  /** How long the dispatcher holds replies for the webhook (default 4500 ms); must exceed the deadline. */
  passiveReplyWindowMs?: number;
  /**
   * The understanding posts are graded with. Default: src/nlu loaded at start (a second copy
   * next to the pipeline's, until ChannelDeps carries the pipeline's: see README).
   */
  grader?: Grader;
  fetch?: typeof fetch;
  now?: () => number;
}

/** The extra surface tests (and an operator's tools) use besides the adapter. */
export interface WeiboChannel extends ChannelAdapter {
  poller: MentionPoller;
}

/** Builds the channel. `deps` is read only when work happens, never here. */
export function buildWeiboChannel(deps: ChannelDeps, settings: WeiboSettings, options: WeiboChannelOptions = {}): WeiboChannel {
  const now = options.now ?? Date.now;
  const passiveDeadlineMs = options.passiveDeadlineMs ?? PASSIVE_DEADLINE_MS;
  const passiveReplyWindowMs = options.passiveReplyWindowMs ?? weiboCapabilities.passiveReplyWindowMs;
  if (passiveReplyWindowMs <= passiveDeadlineMs) throw new Error('passiveReplyWindowMs must be longer than passiveDeadlineMs');
  const pollMs = options.pollMs ?? Math.max(settings.pollSeconds, MIN_POLL_SECONDS) * 1000;
  const capabilities = { ...weiboCapabilities, passiveReplyWindowMs };
  const api = new WeiboApi(settings, { fetch: options.fetch });
  const templates = Templates.load('weibo');
  let grader = options.grader;
  let ownUid = settings.uid;

  const resolveUid = async (): Promise<string | null> => {
    if (ownUid) return ownUid;
    const answer = await api.uid();
    if (answer.ok) ownUid = answer.body;
    // Without it the account's own posts cannot be told apart: nothing is handled yet.
    else deps.logger.warn({ channel: 'weibo', error: answer.error }, 'the account uid is unknown (WEIBO_UID unset, get_uid failed); polling waits');
    return ownUid ?? null;
  };

  const publicDeps = {
    deps, templates, policy: settings.publicPolicy, now,
    get defaultLocale() {
      return deps.config.DEFAULT_LOCALE;
    },
    grader: () => {
      if (!grader) throw new Error('the Weibo grader is not loaded (start() loads it)');
      return grader;
    },
  };
  const poller = new MentionPoller(deps, api, resolveUid, (post) => handlePublicPost(publicDeps, post), {
    intervalMs: pollMs, maxBackoffMs: options.maxBackoffMs, now,
  });
  const webhook = new FanServiceWebhook(deps, {
    appSecret: settings.appSecret, passiveDeadlineMs, maxTextLength: capabilities.maxTextLength, ownUid: () => ownUid, now,
  });
  const sender = new WeiboSender(deps, api, now);

  return {
    name: 'weibo',
    capabilities,
    poller,
    routes: (app) => registerWeiboRoutes(app, deps, webhook, settings.adminToken),
    send: (conversation, part) => sender.send(conversation, part),
    async start() {
      grader ??= deps.nlu;
      poller.start();
    },
    stop: () => poller.stop(),
  };
}

/** The registry's factory: settings from the parsed configuration; null when Weibo is not configured. */
export const createWeiboChannel: ChannelFactory = (deps) => {
  const settings = weiboSettingsFrom(deps.config as unknown as Record<string, unknown>);
  return settings ? buildWeiboChannel(deps, settings) : null;
};

export { weiboSettingsFrom, type WeiboSettings } from './definition.js';

/**
 * The fan-service (粉丝服务) webhook, one request from verification to the answer:
 *   verify (signature over the query, before the body is read) -> parse JSON -> normalise
 *   (inbound.ts) -> pipeline.ingest -> passive reply within the deadline, or an empty answer.
 * Weibo behaves like WeChat here: it waits 5 s, then retries (three tries in all), so copies
 * are deduplicated by sender + created_at + type (the pipeline's idempotency) and a retry
 * answers passively only when the copy before it gave up (channels/wechat/passive.ts).
 */
import { z } from 'zod';
import { KefuError } from '../../src/errors.js';
import type { Handled } from '../../src/pipeline/pipeline.js';
import { parseOr400 } from '../../src/server/http.js';
import * as store from '../../src/store/index.js';
import type { Q } from '../../src/store/index.js';
import type { ChannelDeps } from '../types.js';
import { InflightMessages, withTimeout, type Outcome } from '../wechat/passive.js';
import { parseFanPush } from './inbound.js';
import { weiboSignatureMatches } from './signature.js';

export interface WebhookAnswer {
  contentType: string;
  body: string;
}

/** Nothing to say (yet): Weibo takes an empty answer as "received". */
const EMPTY: WebhookAnswer = { contentType: 'text/plain; charset=utf-8', body: '' };

const Query = z.object({
  signature: z.string().max(128).optional(),
  timestamp: z.string().regex(/^\d{1,13}$/, 'must be a Unix time'),
  nonce: z.string().min(1).max(64),
  echostr: z.string().min(1).max(2048).optional(),
});

const unauthorized = () => new KefuError('unauthorized', 'signature does not match');

/** The passive reply body Weibo expects: `data` is itself a JSON string. */
export function passiveReply(from: string, to: string, text: string): string {
  const id = (value: string) => (Number.isSafeInteger(Number(value)) ? Number(value) : value);
  return JSON.stringify({ result: true, sender_id: id(from), receiver_id: id(to), type: 'text', data: JSON.stringify({ text }) });
}

/**
 * Take this message's replies from the outbox, oldest first, while they are at the head of
 * the conversation (nothing overtakes an older reply, such as a public one still waiting)
 * and fit one message together.
 */
async function takeOwnReplies(q: Q, conversationId: string, handled: Handled, maxTextLength: number, now: number): Promise<string[]> {
  const taken: string[] = [];
  for (const reply of handled.replies) {
    const head = await store.headOfConversation(q, conversationId);
    if (!head || head.id !== reply.outboxId || head.status !== 'pending') break;
    const text = (head.payload as { text?: unknown }).text;
    if (typeof text !== 'string' || Array.from([...taken, text].join('\n\n')).length > maxTextLength) break;
    if (!(await store.takeForImmediateDelivery(q, head.id, now))) break;
    taken.push(text);
  }
  return taken;
}

export class FanServiceWebhook {
  private readonly inflight = new InflightMessages();

  constructor(
    private readonly deps: ChannelDeps,
    private readonly options: { appSecret: string; passiveDeadlineMs: number; maxTextLength: number; ownUid: () => string | undefined; now: () => number },
  ) {}

  /** GET: the URL check. */
  verifyUrl(rawQuery: unknown): string {
    const q = parseOr400(Query, rawQuery);
    if (!q.echostr) throw new KefuError('validation_failed', 'echostr: required');
    if (!weiboSignatureMatches(q.signature, this.options.appSecret, q.timestamp, q.nonce)) throw unauthorized();
    return q.echostr;
  }

  /** POST: a push. `body` is the raw text (parsed here, after the signature is checked). */
  async receive(input: { query: unknown; body: unknown; alive: () => boolean }): Promise<WebhookAnswer> {
    const receivedAt = this.options.now();
    const q = parseOr400(Query, input.query);
    if (!weiboSignatureMatches(q.signature, this.options.appSecret, q.timestamp, q.nonce)) throw unauthorized();
    if (typeof input.body !== 'string') throw new KefuError('unsupported_media_type', 'fan-service pushes are JSON');
    let json: unknown;
    try {
      json = JSON.parse(input.body);
    } catch {
      throw this.rejected('invalid_json', 'the body is not valid JSON');
    }
    const parsed = parseFanPush(json, receivedAt);
    if (!parsed.ok) throw this.rejected('bad_request', `not a fan-service push: ${parsed.reason}`);
    const { message, senderId, receiverId } = parsed.value;
    // Our own account's messages come back in some setups: never answer ourselves.
    if (senderId === this.options.ownUid()) return EMPTY;

    const ingested = await this.deps.pipeline.ingest(message);
    const deadline = receivedAt + this.options.passiveDeadlineMs;
    const key = message.channelMessageId;
    const to = { from: receiverId, to: senderId };
    if (ingested.duplicate) {
      const retry = await this.inflight.retry(key, deadline - this.options.now());
      if (!retry.handled) return EMPTY;
      return this.answer(retry.handled, ingested.conversationId, deadline, input.alive, to, retry.settle);
    }
    const settle = this.inflight.first(key, ingested.handled);
    return this.answer(ingested.handled, ingested.conversationId, deadline, input.alive, to, settle);
  }

  private async answer(
    handled: Promise<Handled>, conversationId: string, deadline: number, alive: () => boolean,
    to: { from: string; to: string }, settle: (outcome: Outcome) => void,
  ): Promise<WebhookAnswer> {
    const outcome = await withTimeout(handled, deadline - this.options.now());
    const now = this.options.now();
    if (!alive()) {
      settle('abandoned');
      return EMPTY;
    }
    if (!outcome || now > deadline) {
      settle('acknowledged');
      return EMPTY;
    }
    const texts = await takeOwnReplies(this.deps.db.kysely, conversationId, outcome, this.options.maxTextLength, now);
    if (texts.length === 0) {
      settle('acknowledged');
      return EMPTY;
    }
    settle('replied');
    return { contentType: 'application/json; charset=utf-8', body: passiveReply(to.from, to.to, texts.join('\n\n')) };
  }

  /** A refused payload is logged (reason only, never content) before the error answer. */
  private rejected(code: 'bad_request' | 'invalid_json', message: string): KefuError {
    this.deps.logger.warn({ channel: 'weibo', reason: message }, 'fan-service payload refused');
    return new KefuError(code, message);
  }
}

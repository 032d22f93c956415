/**
 * Polls statuses/mentions and comments/mentions. Each source keeps its `since_id` cursor in
 * the checkpoints table, advanced after each post is handled, so a restart resumes where the
 * last run stopped and a crash re-reads at most the post it was handling (the pipeline's
 * idempotency and the posts table make that harmless).
 *
 * Weibo's limits are per user and per IP per hour: the poller runs every WEIBO_POLL_SECONDS
 * (120 by default, never under 30 in production), and on a rate-limit answer (10022/10023/
 * 10024, HTTP 403/429) doubles its interval, up to an hour, until a poll succeeds again.
 */
import type { Logger } from '../../src/logger.js';
import type { Db } from '../../src/storage/db.js';
import * as store from '../../src/store/index.js';
import type { MentionSource, WeiboApi } from './client.js';
import { parsePost, type WeiboPost } from './inbound.js';

export interface PollerOptions {
  intervalMs: number;
  /** Longest interval after repeated rate limits (default 1 hour: Weibo's limits reset hourly). */
  maxBackoffMs?: number;
  /** Posts per page (Weibo allows up to 200; 50 is the SDKs' usual). */
  count?: number;
  /** Pages read per poll when far behind; the rest waits for the next poll. */
  maxPages?: number;
  now?: () => number;
}

const SOURCES: ReadonlyArray<{ source: MentionSource; kind: 'status' | 'comment' }> = [
  { source: 'statuses', kind: 'status' },
  { source: 'comments', kind: 'comment' },
];

export const cursorName = (source: MentionSource): string => `weibo.since_id.${source}`;
const newer = (a: string, b: string | undefined): boolean => b === undefined || BigInt(a) > BigInt(b);

export class MentionPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private backoff = 0;
  private readonly now: () => number;
  /** Every interval used, newest last (the tests read how polling slowed down). */
  readonly intervals: number[] = [];

  constructor(
    private readonly deps: { db: Db; logger: Logger },
    private readonly api: WeiboApi,
    /** The account's own uid (null while unknown: nothing is handled until it is). */
    private readonly ownUid: () => Promise<string | null>,
    private readonly handle: (post: WeiboPost) => Promise<void>,
    private readonly options: PollerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get currentIntervalMs(): number {
    return Math.min(this.options.intervalMs * 2 ** this.backoff, Math.max(this.options.intervalMs, this.options.maxBackoffMs ?? 3600_000));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll().finally(() => {
        this.running = undefined;
        this.intervals.push(this.currentIntervalMs);
        if (this.intervals.length > 50) this.intervals.shift();
        this.schedule(this.currentIntervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One poll of both sources. */
  async poll(): Promise<void> {
    const uid = await this.ownUid();
    if (!uid) return;
    let limited = false;
    for (const { source, kind } of SOURCES) {
      if (this.stopped) return;
      try {
        limited = (await this.pollSource(source, kind, uid)) === 'rate_limited' || limited;
      } catch (error) {
        this.deps.logger.error({ err: error, channel: 'weibo', source }, 'handling Weibo mentions failed; retried at the next poll');
      }
    }
    if (limited) {
      this.backoff += 1;
      this.deps.logger.warn({ channel: 'weibo', nextPollMs: this.currentIntervalMs, level: this.backoff }, 'Weibo rate limit: polling slows down');
    } else if (this.backoff > 0) {
      this.backoff = 0;
      this.deps.logger.info({ channel: 'weibo', nextPollMs: this.currentIntervalMs }, 'Weibo answers again: polling back to normal');
    }
  }

  private async pollSource(source: MentionSource, kind: 'status' | 'comment', uid: string): Promise<'ok' | 'rate_limited' | 'failed'> {
    const { db, logger } = this.deps;
    const cursor = await store.getCheckpoint(db.kysely, cursorName(source));
    const count = this.options.count ?? 50;
    // Without a cursor (first start) one page is enough: old posts are not worth answering now.
    const pages = cursor ? this.options.maxPages ?? 5 : 1;
    const seen = new Map<string, WeiboPost>();
    for (let page = 1; page <= pages; page += 1) {
      const answer = await this.api.mentions(source, { sinceId: cursor, count, page });
      if (!answer.ok) {
        logger.warn({ channel: 'weibo', source, error: answer.error }, 'polling Weibo mentions failed');
        if (seen.size === 0) return answer.rateLimited ? 'rate_limited' : 'failed';
        break;
      }
      for (const raw of answer.body) {
        const parsed = parsePost(kind, raw);
        if (!parsed.ok) {
          logger.warn({ channel: 'weibo', source, reason: parsed.reason }, 'a Weibo mention could not be read; skipped');
          continue;
        }
        // Weibo filters by since_id, but a cursor it ignored must not bring old posts back.
        if (newer(parsed.value.id, cursor)) seen.set(parsed.value.id, parsed.value);
      }
      if (answer.body.length < count) break;
    }
    // Oldest first: the conversation reads in the order the customer wrote.
    const posts = [...seen.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    for (const post of posts) {
      if (this.stopped) break;
      if (post.authorUid !== uid) await this.handle(post);
      await store.setCheckpoint(db.kysely, cursorName(source), post.id, this.now());
    }
    return 'ok';
  }
}

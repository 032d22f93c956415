/**
 * Pulling kf messages. A callback only says "something happened on account X" and carries a
 * token (valid 10 minutes) that lifts sync_msg's rate limit; the content is read with
 * sync_msg from a cursor, page after page while `has_more`.
 *
 * The cursor is stored (checkpoints table) after each page's messages are stored, never
 * before: a crash in between reads the page again and the pipeline drops the duplicates by
 * msgid. One pull per account at a time; callbacks arriving meanwhile ask for one more pull.
 */
import type { ChannelDeps } from '../types.js';
import * as store from '../../src/store/index.js';
import type { WecomApiClient } from './client.js';
import { kfInbound } from './inbound.js';

export const cursorName = (openKfid: string) => `wecom.cursor.${openKfid}`;

interface AccountState {
  running: Promise<void> | null;
  again: boolean;
  token?: string;
}

export interface SyncOptions {
  /** Page size asked of sync_msg (WeCom allows up to 1000). */
  limit?: number;
  /** Retries of a failed pull before waiting for the next callback. */
  retries?: number;
  retryDelayMs?: number;
  now?: () => number;
  /** Called for every stored customer message (the quota tracker). */
  onCustomerMessage?: (threadKey: string, at: number) => Promise<void>;
}

export class KfSync {
  private readonly accounts = new Map<string, AccountState>();

  constructor(private readonly deps: ChannelDeps, private readonly client: WecomApiClient, private readonly options: SyncOptions = {}) {}

  /** A callback arrived: pull now, or once more after the pull under way. */
  trigger(openKfid: string, token?: string): Promise<void> {
    let state = this.accounts.get(openKfid);
    if (!state) {
      state = { running: null, again: false };
      this.accounts.set(openKfid, state);
    }
    if (token) state.token = token;
    if (state.running) {
      state.again = true;
      return state.running;
    }
    const current = state;
    current.running = (async () => {
      do {
        current.again = false;
        await this.pullWithRetries(openKfid, current);
      } while (current.again);
    })().finally(() => {
      current.running = null;
    });
    return current.running;
  }

  /** Resolves when no pull is under way (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.accounts.values()].map((s) => s.running));
  }

  private async pullWithRetries(openKfid: string, state: AccountState): Promise<void> {
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt += 1) {
      const failure = await this.pull(openKfid, state);
      if (!failure) return;
      const log = { channel: 'wecom', openKfid, attempt, error: failure.error };
      if (!failure.retryable || attempt >= retries) {
        this.deps.logger.error(log, 'kf sync_msg failed; the next callback will pull again from the stored cursor');
        return;
      }
      this.deps.logger.warn(log, 'kf sync_msg failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 1000) * 2 ** attempt));
    }
  }

  /** Pages until `has_more` is false. Returns the failure, if any. */
  private async pull(openKfid: string, state: AccountState): Promise<{ retryable: boolean; error: string } | null> {
    const { db, pipeline, logger } = this.deps;
    const now = this.options.now ?? Date.now;
    let cursor = await store.getCheckpoint(db.kysely, cursorName(openKfid));
    for (;;) {
      const page = await this.client.syncMsg({ cursor, token: state.token, openKfid, limit: this.options.limit });
      if (!page.ok) {
        // An expired callback token only lifts the rate limit: pull without it next time.
        if (page.errcode === 95007) state.token = undefined;
        return { retryable: page.retryable || page.errcode === 95007, error: page.error };
      }
      for (const message of page.messages) {
        const receivedAt = now();
        const parsed = kfInbound(message, receivedAt);
        if (!parsed.ok) {
          if (!parsed.skip) logger.warn({ channel: 'wecom', reason: parsed.reason }, 'kf message not understood; skipped');
          continue;
        }
        const ingested = await pipeline.ingest(parsed.message);
        if (!ingested.duplicate && message.origin === 3) await this.options.onCustomerMessage?.(parsed.message.threadKey, receivedAt);
      }
      if (!page.nextCursor || page.nextCursor === cursor) {
        // More to read but no new cursor would ask for the same page forever.
        return page.hasMore ? { retryable: false, error: 'sync_msg says has_more without a new cursor' } : null;
      }
      cursor = page.nextCursor;
      await store.setCheckpoint(db.kysely, cursorName(openKfid), cursor, now());
      if (!page.hasMore) return null;
    }
  }
}

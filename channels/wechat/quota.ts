/**
 * WeChat's allowance for customer-service messages (the passive reply does not count):
 * a customer's message opens 48 hours in which at most 5 messages may be sent; a follow, a
 * QR scan or a menu click opens 1 minute for 3. A new customer message starts over.
 * WeCom's customer service (channels/wecom) has the same 5-in-48-hours rule and uses this too.
 *
 * Kept in the database (table wechat_quota, one row per customer and kind of window), so it
 * survives a restart and every node on the database counts the same 5: a reply WeChat would
 * refuse is recorded at once instead of spending an API call on errcode 45015/45047.
 * Spending is one conditional UPDATE, so two nodes cannot both send the last message. A
 * customer with no row (from before this table, or pruned) is let through and WeChat decides.
 */
import type { Db } from '../../src/storage/db.js';
import type { Q } from '../../src/store/index.js';
import type { ChannelDeps } from '../types.js';
import { openQuotaWindow, pruneQuota, quotaWindows, refundQuota, spendQuota, useUpQuota, writeSoon, type QuotaKey, type QuotaRow } from './store.js';

export type Grant = 'message' | 'action';

const WINDOWS: Record<Grant, { ms: number; messages: number }> = {
  message: { ms: 48 * 3600_000, messages: 5 },
  action: { ms: 60_000, messages: 3 },
};

/**
 * Windows closed longer ago than this are deleted. Until then a closed window refuses at
 * once; after it the customer is unknown again and costs at most one refused API call.
 */
export const QUOTA_KEPT_MS = 7 * 24 * 3600_000;

export type QuotaCheck = { ok: true; known: boolean } | { ok: false; reason: string };

/** Open windows, the one closing first first: its messages are used before they lapse. */
const openWindows = (rows: QuotaRow[], now: number) => rows.filter((r) => r.expiresAt > now).sort((a, b) => a.expiresAt - b.expiresAt);

export class ReplyQuota {
  /** `deps.db` is read when used, not here: channels are built before their dependencies are complete. */
  constructor(private readonly deps: { readonly db: Db }, private readonly channel: 'wechat' | 'wecom', private readonly now: () => number = Date.now) {}

  private key(threadKey: string): QuotaKey {
    return { channel: this.channel, threadKey };
  }

  /**
   * The customer did something that opens a window: called for every new inbound message,
   * so on SQLite it rides the group commit rather than costing a commit of its own.
   */
  async opened(threadKey: string, grant: Grant, at: number): Promise<void> {
    await writeSoon(this.deps.db, (q) => this.openedIn(q, threadKey, grant, at));
  }

  /** The same inside the caller's write (the WeChat webhook's, which also takes the passive reply). */
  async openedIn(q: Q, threadKey: string, grant: Grant, at: number): Promise<void> {
    const window = WINDOWS[grant];
    await openQuotaWindow(q, { ...this.key(threadKey), kind: grant, expiresAt: at + window.ms, remaining: window.messages, now: this.now() });
  }

  /** Use one message of the allowance: from the open window that closes first. */
  async take(threadKey: string): Promise<QuotaCheck> {
    const q = this.deps.db.kysely;
    const key = this.key(threadKey);
    // A second look only when another node spent what the first look saw.
    for (let look = 0; ; look++) {
      const now = this.now();
      const rows = await quotaWindows(q, key);
      if (rows.length === 0) return { ok: true, known: false };
      const open = openWindows(rows, now);
      const usable = open.filter((r) => r.remaining > 0);
      for (const window of usable) if (await spendQuota(q, key, window.kind, now)) return { ok: true, known: true };
      if (usable.length > 0 && look === 0) continue;
      if (open.length === 0) return { ok: false, reason: 'outside the 48-hour window after the customer\'s last message (not sent; WeChat would answer 45015)' };
      return { ok: false, reason: 'the customer-service quota since the customer\'s last message is used up (5 in 48 h, or 3 in a minute after a click or follow)' };
    }
  }

  /** The send failed before WeChat accepted it: the message was not spent. */
  async refund(threadKey: string): Promise<void> {
    const q = this.deps.db.kysely;
    const now = this.now();
    for (const window of openWindows(await quotaWindows(q, this.key(threadKey)), now)) {
      const max = WINDOWS[window.kind as Grant]?.messages ?? 0;
      if (window.remaining < max && await refundQuota(q, this.key(threadKey), window.kind, max, now)) return;
    }
  }

  /** WeChat said no (45015/45047): believe it until the customer writes again. */
  async exhausted(threadKey: string): Promise<void> {
    const now = this.now();
    await useUpQuota(this.deps.db.kysely, this.key(threadKey), now, { kind: 'message', expiresAt: now + WINDOWS.message.ms });
  }

  /** Deletes this channel's windows closed more than QUOTA_KEPT_MS ago; returns how many. */
  async prune(): Promise<number> {
    return pruneQuota(this.deps.db.kysely, this.channel, this.now() - QUOTA_KEPT_MS);
  }
}

/**
 * WeChat's allowance for customer-service messages (the passive reply does not count):
 * a customer's message opens 48 hours in which at most 5 messages may be sent; a follow, a
 * QR scan or a menu click opens 1 minute for 3. A new customer message starts over.
 *
 * Tracked in memory, keyed by thread (account + openid), so that a reply WeChat would refuse
 * is recorded at once instead of spending an API call on errcode 45015/45047. A customer we
 * know nothing about (after a restart, or one served by another node) is let through and
 * WeChat decides. With several nodes behind one account this belongs in the database, or
 * each node allows 5 (see README).
 */

export type Grant = 'message' | 'action';

const WINDOWS: Record<Grant, { ms: number; messages: number }> = {
  message: { ms: 48 * 3600_000, messages: 5 },
  action: { ms: 60_000, messages: 3 },
};

interface Allowance {
  grant: Grant;
  until: number;
  left: number;
}

export type QuotaCheck = { ok: true; known: boolean } | { ok: false; reason: string };

export class ReplyQuota {
  private readonly allowances = new Map<string, Allowance[]>();

  constructor(private readonly now: () => number = Date.now, private readonly maxEntries = 200_000) {}

  /** The customer did something that opens a window: called for every new inbound message. */
  opened(key: string, grant: Grant, at = this.now()): void {
    const window = WINDOWS[grant];
    const kept = (this.allowances.get(key) ?? []).filter((a) => a.grant !== grant && a.until > at);
    // Re-inserted so the Map's order is least-recently-active first: eviction takes the oldest.
    this.allowances.delete(key);
    this.allowances.set(key, [...kept, { grant, until: at + window.ms, left: window.messages }]);
    if (this.allowances.size > this.maxEntries) this.allowances.delete(this.allowances.keys().next().value as string);
  }

  /** Use one message of the allowance: the shortest open window first (it expires soonest). */
  take(key: string): QuotaCheck {
    const list = this.allowances.get(key);
    if (!list) return { ok: true, known: false };
    const now = this.now();
    const open = list.filter((a) => a.until > now).sort((a, b) => a.until - b.until);
    const usable = open.find((a) => a.left > 0);
    if (usable) {
      usable.left -= 1;
      return { ok: true, known: true };
    }
    if (open.length === 0) return { ok: false, reason: 'outside the 48-hour window after the customer\'s last message (not sent; WeChat would answer 45015)' };
    return { ok: false, reason: 'the customer-service quota since the customer\'s last message is used up (5 in 48 h, or 3 in a minute after a click or follow)' };
  }

  /** The send failed before WeChat accepted it: the message was not spent. */
  refund(key: string): void {
    const now = this.now();
    const open = this.allowances.get(key)?.filter((a) => a.until > now).sort((a, b) => a.until - b.until);
    const spent = open?.find((a) => a.left < WINDOWS[a.grant].messages);
    if (spent) spent.left += 1;
  }

  /** WeChat said no (45015/45047): believe it until the customer writes again. */
  exhausted(key: string): void {
    for (const a of this.allowances.get(key) ?? []) a.left = 0;
    if (!this.allowances.has(key)) this.allowances.set(key, []);
  }
}

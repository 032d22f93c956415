/**
 * Friend requests: a customer adding the bot account. WeChat lets nobody write to an account
 * that has not accepted them, so for a customer-service account accepting is what opens the
 * conversation.
 *
 * - `WECHATY_ACCEPT_FRIENDS=all`: requests are accepted through the puppet, at most
 *   `WECHATY_FRIEND_ACCEPTS_PER_HOUR` in any rolling hour (an account that accepts strangers
 *   at machine speed gets restricted by WeChat); the rest wait their turn, in order.
 * - `none`: requests are left to a person on the bot's phone.
 *
 * Each request ends in exactly one record in the contact's private thread: `subscribe`
 * (accepted: the dialog greets, as for a WeChat follow) or `friend_request` with the reason it
 * was not accepted (`policy_none`, `queue_full`, `accept_failed`, `stopped`), the request's
 * hello text kept either way. The `subscribe` is keyed by the contact (`friend:<contact>`),
 * so a contact is greeted once however many requests and confirmations arrive; a confirmation
 * (a request accepted by hand on the phone) greets too.
 */
import { mask, type Logger } from '../../src/logger.js';
import type { InboundMessage } from '../../src/contract.js';
import { contactEvent } from './inbound.js';

/** The part of Wechaty's Friendship that is used. */
export interface WechatyFriendshipLike {
  id: string;
  type(): number;
  hello(): string;
  contact(): { id: string; name(): string };
  accept(): Promise<void>;
}

export type FriendshipKind = 'receive' | 'confirm' | 'other';

/** Requests waiting for the hourly cap; beyond this they are recorded as not accepted. */
const MAX_WAITING = 200;
const HOUR_MS = 3_600_000;

/** At most `limit` takes in any `windowMs`. */
export class RateWindow {
  private readonly taken: number[] = [];

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now: () => number) {}

  /** 0: taken now; otherwise how long until a take is possible. */
  take(): number {
    const now = this.now();
    while (this.taken.length > 0 && this.taken[0]! <= now - this.windowMs) this.taken.shift();
    if (this.taken.length < this.limit) {
      this.taken.push(now);
      return 0;
    }
    return this.taken[0]! + this.windowMs - now;
  }
}

interface Request {
  friendship: WechatyFriendshipLike;
  facts: { id: string; contact: { id: string; name?: string }; hello: string };
}

export interface FriendRequestsDeps {
  policy: 'all' | 'none';
  perHour: number;
  kindOf(type: number): FriendshipKind;
  /** Hands an event to the pipeline in the contact's thread order; never rejects. */
  record(message: InboundMessage): Promise<void>;
  logger: Logger;
  now: () => number;
}

export class FriendRequests {
  private readonly waiting: Request[] = [];
  private readonly window: RateWindow;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly deps: FriendRequestsDeps) {
    this.window = new RateWindow(deps.perHour, HOUR_MS, deps.now);
  }

  /** A `friendship` event of the bot. */
  async onFriendship(friendship: WechatyFriendshipLike): Promise<void> {
    const kind = this.deps.kindOf(friendship.type());
    // `Verify`: the other side asks the bot to confirm a request the bot sent; nothing to do.
    if (kind === 'other') return;
    const contact = friendship.contact();
    const request: Request = { friendship, facts: { id: friendship.id, contact: { id: contact.id, name: contact.name() || undefined }, hello: friendship.hello() ?? '' } };
    if (kind === 'confirm') return this.greet(request);
    if (this.closed) return this.notAccepted(request, 'stopped');
    if (this.deps.policy === 'none') return this.notAccepted(request, 'policy_none');
    if (this.waiting.length >= MAX_WAITING) return this.notAccepted(request, 'queue_full');
    this.waiting.push(request);
    this.drain();
  }

  /** How many requests wait for the hourly cap. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Stops accepting; requests still waiting are recorded as not accepted (they stay open on WeChat). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.draining;
    const left = this.waiting.splice(0);
    if (left.length > 0) this.deps.logger.warn({ channel: 'wechaty', count: left.length }, 'wechaty: friend requests left waiting at shutdown (accept them on the bot\'s phone)');
    for (const request of left) await this.notAccepted(request, 'stopped');
  }

  private drain(): void {
    if (this.draining || this.closed) return;
    this.draining = this.acceptWaiting().finally(() => {
      this.draining = undefined;
    });
  }

  private async acceptWaiting(): Promise<void> {
    while (!this.closed && this.waiting.length > 0) {
      const waitMs = this.window.take();
      if (waitMs > 0) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.drain(), waitMs + 5);
        return;
      }
      const request = this.waiting.shift()!;
      try {
        await request.friendship.accept();
      } catch (error) {
        this.deps.logger.warn({ err: error, channel: 'wechaty', contact: mask(request.facts.contact.id) }, 'wechaty: accepting a friend request failed');
        await this.notAccepted(request, 'accept_failed');
        continue;
      }
      this.deps.logger.info({ channel: 'wechaty', contact: mask(request.facts.contact.id) }, 'wechaty: friend request accepted');
      await this.greet(request);
    }
  }

  private greet(request: Request): Promise<void> {
    return this.store(request, `friend:${request.facts.contact.id}`, 'subscribe', 'friendship');
  }

  private notAccepted(request: Request, reason: 'policy_none' | 'queue_full' | 'accept_failed' | 'stopped'): Promise<void> {
    return this.store(request, `friend-request:${request.facts.id}`, 'friend_request', reason);
  }

  private async store(request: Request, id: string, event: string, key: string): Promise<void> {
    const inbound = contactEvent({ id, contact: request.facts.contact, event, key, text: request.facts.hello, raw: request.facts, receivedAt: this.deps.now() });
    if (!inbound.ok) {
      this.deps.logger.warn({ channel: 'wechaty', contact: mask(request.facts.contact.id), reason: inbound.reason }, 'wechaty: friend request not recorded');
      return;
    }
    await this.deps.record(inbound.message);
  }
}

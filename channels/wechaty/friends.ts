/**
 * Friend requests: a customer adding the bot account. WeChat lets nobody write to an account
 * that has not accepted them, so for a customer-service account accepting is what opens the
 * conversation.
 *
 * - `WECHATY_ACCEPT_FRIENDS=all`: requests are accepted through the puppet, at most
 *   `WECHATY_FRIEND_ACCEPTS_PER_HOUR` in any rolling hour (an account that accepts strangers
 *   at machine speed gets restricted by WeChat); the rest wait their turn, in order, in the
 *   database (friend-store.ts): a restart resumes them (`Friendship.fromJSON()` on the saved
 *   payload) after its login, and the last hour's accepts still count against the cap.
 * - `none`: requests are left to a person on the bot's phone.
 *
 * Each request ends in exactly one record in the contact's private thread: `friend_added`
 * (accepted: the dialog greets the new friend) or `friend_request` with the reason it was not
 * accepted (`policy_none`, `queue_full`, `accept_failed`, `expired` after REQUEST_EXPIRY_MS
 * waiting, `unresumable` when a saved request cannot be rebuilt), the request's hello text
 * kept either way. The `friend_added` is keyed by the contact (`friend:<contact>`), so a
 * contact is greeted once however many requests and confirmations arrive; a confirmation
 * (a request accepted by hand on the phone) greets too.
 */
import { mask, type Logger } from '../../src/logger.js';
import type { InboundMessage } from '../../src/contract.js';
import { contactEvent } from './inbound.js';
import type { FinalState, FriendStore, RequestFacts } from './friend-store.js';

/** The part of Wechaty's Friendship that is used. */
export interface WechatyFriendshipLike {
  id: string;
  type(): number;
  hello(): string;
  contact(): { id: string; name(): string };
  accept(): Promise<void>;
  /** The payload as JSON, for `Friendship.fromJSON()` after a restart. */
  toJSON(): string;
}

export type FriendshipKind = 'receive' | 'confirm' | 'other';

/** Requests waiting for the hourly cap; beyond this they are recorded as not accepted. */
const MAX_WAITING = 200;
const HOUR_MS = 3_600_000;
/**
 * A request still waiting after this long is given up (recorded `expired`): WeChat lets
 * requests lapse after some days, and a greeting a week late reads oddly anyway.
 */
export const REQUEST_EXPIRY_MS = 7 * 24 * HOUR_MS;

/** At most `limit` takes in any `windowMs`. */
export class RateWindow {
  private readonly taken: number[] = [];

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now: () => number) {}

  /** Takes made before (by an earlier run), oldest first. */
  seed(times: readonly number[]): void {
    this.taken.splice(0, this.taken.length, ...times);
  }

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


type NotAccepted = 'policy_none' | 'queue_full' | 'accept_failed' | 'expired' | 'unresumable';

export interface FriendRequestsDeps {
  policy: 'all' | 'none';
  perHour: number;
  kindOf(type: number): FriendshipKind;
  /** Where waiting requests and the hour's accepts are kept (they outlive a restart). */
  store: FriendStore;
  /** A request of an earlier run, from its saved payload (`Friendship.fromJSON()`). */
  resume(payload: string): Promise<WechatyFriendshipLike>;
  /** Accepting needs a logged-in bot; the queue moves on at the next login otherwise. */
  loggedIn(): boolean;
  /** Hands an event to the pipeline in the contact's thread order; never rejects. */
  record(message: InboundMessage): Promise<void>;
  logger: Logger;
  now: () => number;
}

export class FriendRequests {
  /** Requests of this run, by friendship id (after a restart they are rebuilt from their payload). */
  private readonly live = new Map<string, WechatyFriendshipLike>();
  private readonly window: RateWindow;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private intake: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: FriendRequestsDeps) {
    this.window = new RateWindow(deps.perHour, HOUR_MS, deps.now);
  }

  /** Before the bot starts: the hour's accepts of an earlier run count, and its waiting requests are resumed at login. */
  async start(): Promise<void> {
    const now = this.deps.now();
    const retried = await this.deps.store.recover(now - REQUEST_EXPIRY_MS, now);
    if (retried > 0) this.deps.logger.warn({ channel: 'wechaty', count: retried }, 'wechaty: friend requests being accepted when the last run stopped are tried again');
    this.window.seed(await this.deps.store.acceptedSince(now - HOUR_MS));
  }

  /** The bot logged in: requests waiting (from before a restart, or a logout) move on. */
  onLogin(): void {
    this.drain();
  }

  /** A `friendship` event of the bot: handled one after the other, so requests queue in the order delivered. */
  onFriendship(friendship: WechatyFriendshipLike): Promise<void> {
    const turn = this.intake.then(() => this.receive(friendship));
    this.intake = turn.catch(() => undefined);
    return turn;
  }

  private async receive(friendship: WechatyFriendshipLike): Promise<void> {
    const kind = this.deps.kindOf(friendship.type());
    // `Verify`: the other side asks the bot to confirm a request the bot sent; nothing to do.
    if (kind === 'other') return;
    const contact = friendship.contact();
    const facts: RequestFacts = { id: friendship.id, contact: { id: contact.id, name: contact.name() || undefined }, hello: friendship.hello() ?? '' };
    if (kind === 'confirm') return this.greet(facts);
    if (this.deps.policy === 'none') return this.notAccepted(facts, 'policy_none');
    if (await this.deps.store.waitingCount() >= MAX_WAITING) return this.notAccepted(facts, 'queue_full');
    // Kept even while stopping: the next start resumes it.
    if (!await this.deps.store.add(facts, payloadOf(friendship), this.deps.now())) return;
    this.live.set(friendship.id, friendship);
    this.drain();
  }

  /** How many requests wait for the hourly cap. */
  pending(): Promise<number> {
    return this.deps.store.waitingCount();
  }

  /** Stops accepting; requests still waiting stay in the database for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    // Cleared after the drain: one in flight (past its `closed` check) may have set it to wait for the cap.
    clearTimeout(this.timer);
    const left = await this.deps.store.waitingCount();
    if (left > 0) this.deps.logger.info({ channel: 'wechaty', count: left }, 'wechaty: friend requests left waiting at shutdown are resumed at the next start');
  }

  private drain(): void {
    if (this.draining || this.closed) return;
    this.draining = this.acceptWaiting()
      .catch((error: unknown) => this.deps.logger.error({ err: error, channel: 'wechaty' }, 'wechaty: the friend request queue stopped; it moves on at the next request or login'))
      .finally(() => {
        this.draining = undefined;
      });
  }

  private async acceptWaiting(): Promise<void> {
    while (!this.closed && this.deps.loggedIn()) {
      const head = await this.deps.store.head();
      if (!head) return;
      const { facts } = head;
      if (head.receivedAt <= this.deps.now() - REQUEST_EXPIRY_MS) {
        await this.finish(facts, 'expired', 'expired');
        continue;
      }
      // Waiting from a run with WECHATY_ACCEPT_FRIENDS=all; this one says none.
      if (this.deps.policy === 'none') {
        await this.finish(facts, 'declined', 'policy_none');
        continue;
      }
      const waitMs = this.window.take();
      if (waitMs > 0) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.drain(), waitMs + 5);
        return;
      }
      if (!await this.deps.store.claim(facts.id, this.deps.now())) continue;
      const friendship = this.live.get(facts.id) ?? await this.resumed(head.payload, facts);
      this.live.delete(facts.id);
      if (!friendship) {
        await this.finish(facts, 'unresumable', 'unresumable');
        continue;
      }
      try {
        await friendship.accept();
      } catch (error) {
        this.deps.logger.warn({ err: error, channel: 'wechaty', contact: mask(facts.contact.id) }, 'wechaty: accepting a friend request failed');
        await this.finish(facts, 'failed', 'accept_failed');
        continue;
      }
      await this.deps.store.finish(facts.id, 'accepted', this.deps.now());
      this.deps.logger.info({ channel: 'wechaty', contact: mask(facts.contact.id) }, 'wechaty: friend request accepted');
      await this.greet(facts);
    }
  }

  private async resumed(payload: string | null, facts: RequestFacts): Promise<WechatyFriendshipLike | undefined> {
    if (payload === null) return undefined;
    try {
      return await this.deps.resume(payload);
    } catch (error) {
      this.deps.logger.warn({ err: error, channel: 'wechaty', contact: mask(facts.contact.id) }, 'wechaty: a saved friend request could not be resumed');
      return undefined;
    }
  }

  private async finish(facts: RequestFacts, state: FinalState, reason: NotAccepted): Promise<void> {
    await this.deps.store.finish(facts.id, state, this.deps.now());
    await this.notAccepted(facts, reason);
  }

  private greet(facts: RequestFacts): Promise<void> {
    return this.recordEvent(facts, `friend:${facts.contact.id}`, 'friend_added', 'friendship');
  }

  private notAccepted(facts: RequestFacts, reason: NotAccepted): Promise<void> {
    return this.recordEvent(facts, `friend-request:${facts.id}`, 'friend_request', reason);
  }

  private async recordEvent(facts: RequestFacts, id: string, event: string, key: string): Promise<void> {
    const inbound = contactEvent({ id, contact: facts.contact, event, key, text: facts.hello, raw: facts, receivedAt: this.deps.now() });
    if (!inbound.ok) {
      this.deps.logger.warn({ channel: 'wechaty', contact: mask(facts.contact.id), reason: inbound.reason }, 'wechaty: friend request not recorded');
      return;
    }
    await this.deps.record(inbound.message);
  }
}

/** What `Friendship.fromJSON()` needs after a restart; null when the puppet cannot give it. */
function payloadOf(friendship: WechatyFriendshipLike): string | null {
  try {
    const json = friendship.toJSON();
    return typeof json === 'string' ? json : null;
  } catch {
    return null;
  }
}

/**
 * Sends what the outbox holds. Entries of one conversation go out strictly in order (a
 * failing head entry holds the rest back until it is sent or dead); conversations are sent
 * in parallel. Woken at once after a commit (`kick`) and by a slow poll that picks up
 * retries and entries whose lease expired because a process died mid-send.
 */
import type { ChannelAdapter } from '../../channels/types.js';
import type { Conversation } from '../contract.js';
import type { Db } from '../storage/db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import * as store from '../store/index.js';
import type { MessageHub } from './hub.js';
import { KeyedQueue } from './keyed-queue.js';
import { keepLease } from './lease-keeper.js';

export interface DispatcherOptions {
  maxAttempts: number;
  pollMs: number;
  /**
   * How long a claim holds an entry without renewal. The sending worker renews it while the
   * send runs (lease-keeper.ts), so this is how soon another worker takes over from one
   * that died or lost the database, not a cap on how long a send may take.
   */
  leaseMs?: number;
  now?: () => number;
}

/** 1 s, 2 s, 4 s ... capped at 5 minutes, with jitter so retries do not arrive in step. */
export function backoffMs(attempt: number): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Passive-reply windows ending within one slot are checked together (`queued`). */
const WINDOW_SLOT_MS = 100;
/** Conversations asked about in one query. */
const WINDOW_CHECK_CHUNK = 500;

export class OutboxDispatcher {
  private readonly queue = new KeyedQueue();
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** By the end of their slot: conversations whose passive-reply window ends then. */
  private readonly windowChecks = new Map<number, { conversations: Set<string>; timer: NodeJS.Timeout }>();
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly leaseMs: number;

  constructor(
    private readonly db: Db,
    private readonly channels: ReadonlyMap<string, ChannelAdapter>,
    private readonly hub: MessageHub,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  start(): void {
    this.stopped = false;
    const tick = async () => {
      try {
        for (const id of await store.dueConversations(this.db.kysely, this.now(), 500)) this.kick(id);
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox poll failed');
      }
      if (!this.stopped) this.poller = setTimeout(tick, this.options.pollMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.poller);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const { timer } of this.windowChecks.values()) clearTimeout(timer);
    this.windowChecks.clear();
    await this.queue.idle();
  }

  /** Send what is due for a conversation; calls while a drain is queued are merged. */
  kick(conversationId: string): void {
    if (this.stopped || this.pending.has(conversationId)) return;
    this.pending.add(conversationId);
    void this.queue.run(conversationId, async () => {
      this.pending.delete(conversationId);
      await this.drain(conversationId);
    }).catch((error: unknown) => this.logger.error({ err: error, conversationId }, 'outbox drain failed'));
  }

  /**
   * Entries were just queued for a conversation. On a channel with a passive-reply window
   * (WeChat) they are not due before the window ends, and the webhook has nearly always
   * delivered them by then, so reading each conversation's head at its window's end would
   * nearly always find nothing: the conversations whose windows end within the same 100 ms
   * are asked about in one query, and only those with an unsent entry are drained.
   */
  queued(conversationId: string, channel: string): void {
    const windowMs = this.channels.get(channel)?.capabilities.passiveReplyWindowMs ?? 0;
    if (windowMs > 0) this.checkAfterWindow(conversationId, windowMs);
    else this.kick(conversationId);
  }

  private checkAfterWindow(conversationId: string, windowMs: number): void {
    if (this.stopped) return;
    const slot = Math.ceil((Date.now() + windowMs) / WINDOW_SLOT_MS) * WINDOW_SLOT_MS;
    let check = this.windowChecks.get(slot);
    if (!check) {
      const timer = setTimeout(() => void this.runWindowCheck(slot), slot - Date.now() + 5);
      timer.unref();
      check = { conversations: new Set(), timer };
      this.windowChecks.set(slot, check);
    }
    check.conversations.add(conversationId);
  }

  private async runWindowCheck(slot: number): Promise<void> {
    const check = this.windowChecks.get(slot);
    this.windowChecks.delete(slot);
    if (!check || this.stopped) return;
    const conversations = [...check.conversations];
    for (let i = 0; i < conversations.length; i += WINDOW_CHECK_CHUNK) {
      const chunk = conversations.slice(i, i + WINDOW_CHECK_CHUNK);
      try {
        for (const id of await store.withUnsent(this.db.kysely, chunk)) this.kick(id);
      } catch (error) {
        // Nothing is skipped on a failed check: each conversation's head is read as usual.
        this.logger.warn({ err: error, conversations: chunk.length }, 'outbox window check failed; draining each conversation');
        for (const id of chunk) this.kick(id);
      }
    }
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async drain(conversationId: string): Promise<void> {
    const { kysely } = this.db;
    for (;;) {
      if (this.stopped) return;
      const head = await store.headOfConversation(kysely, conversationId);
      if (!head) return;
      const now = this.now();
      if (head.nextAttemptAt > now) {
        this.wakeAt(conversationId, head.nextAttemptAt - now);
        return;
      }
      const channel = this.channels.get(head.channel);
      const conversation = await store.getConversation(kysely, conversationId);
      if (channel?.capabilities.localDelivery && conversation) {
        if (await store.takeForImmediateDelivery(kysely, head.id, now)) {
          this.metrics.messagesOut.inc({ channel: head.channel });
          this.hub.notify(conversation);
        }
        continue;
      }
      const lease = await store.claimOutbox(kysely, head.id, now, this.leaseMs);
      if (!lease) return;
      if (!channel || !conversation) {
        await store.markFailed(kysely, lease, { error: `no channel '${head.channel}' is configured`, retryAt: null, now });
        continue;
      }
      if (!(await this.send(channel, conversation, head, lease))) return;
    }
  }

  /**
   * Sends one claimed entry and records the outcome under its lease. True: go on with the
   * conversation's next entry; false: this drain stops (a retry is due later, or the entry
   * is another worker's now).
   */
  private async send(channel: ChannelAdapter, conversation: Conversation, head: store.OutboxRow, lease: store.OutboxLease): Promise<boolean> {
    const { kysely } = this.db;
    const log = { conversationId: conversation.id, outboxId: head.id };
    const attempt = head.attempts + 1;
    const part = head.payload as { messageId: string; text: string; choices?: string[]; meta?: Record<string, unknown> };
    let result: Awaited<ReturnType<ChannelAdapter['send']>>;
    const release = keepLease(kysely, lease, { leaseMs: this.leaseMs, now: this.now, logger: this.logger });
    try {
      result = await channel.send(conversation, part);
    } catch (error) {
      result = { ok: false, retryable: true, error: error instanceof Error ? error.message : String(error) };
    } finally {
      release();
    }
    if (result.ok) {
      this.metrics.messagesOut.inc({ channel: head.channel });
      if (await store.markSent(kysely, lease, this.now())) return true;
      // Delivered, but another worker took the entry meanwhile: recorded only if nobody holds it now.
      const recorded = await store.markSentUnlessHeld(kysely, head.id, this.now());
      this.logger.warn({ ...log, recorded }, 'outbox lease lost before the send went through');
      return recorded;
    }
    if (result.deferredMs !== undefined) {
      const retryAt = this.now() + Math.max(0, result.deferredMs);
      if (!(await store.deferOutbox(kysely, lease, { note: result.error, retryAt, now: this.now() }))) return this.lost(log, result.error);
      this.logger.info({ ...log, retryInMs: result.deferredMs }, 'send deferred by the channel');
      this.wakeAt(conversation.id, Math.max(0, retryAt - this.now()));
      return false;
    }
    this.metrics.sendFailures.inc({ channel: head.channel });
    const giveUp = !result.retryable || attempt >= this.options.maxAttempts;
    const retryAt = giveUp ? null : this.now() + backoffMs(attempt);
    if (!(await store.markFailed(kysely, lease, { error: result.error, retryAt, now: this.now() }))) return this.lost(log, result.error);
    this.logger.warn({ ...log, attempt, giveUp, error: result.error }, 'send failed');
    this.hub.notify(conversation);
    if (retryAt !== null) this.wakeAt(conversation.id, Math.max(0, retryAt - this.now()));
    return giveUp;
  }

  /** A stale holder's result: the worker that holds the entry now decides what happens to it. */
  private lost(log: { conversationId: string; outboxId: string }, error: string): false {
    this.logger.warn({ ...log, error }, 'outbox lease lost: the result of this send is not recorded');
    return false;
  }

  /** Drain the conversation in `delayMs` (instead of any wake-up set before). */
  private wakeAt(conversationId: string, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(conversationId));
    const timer = setTimeout(() => {
      this.timers.delete(conversationId);
      this.kick(conversationId);
    }, delayMs + 5);
    timer.unref();
    this.timers.set(conversationId, timer);
  }
}

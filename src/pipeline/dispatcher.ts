/**
 * Sends what the outbox holds. Entries of one conversation go out strictly in order (a
 * failing head entry holds the rest back until it is sent or dead); conversations are sent
 * in parallel. Woken at once after a commit (`kick`) and by a slow poll that picks up
 * retries and entries whose lease expired because a process died mid-send.
 */
import type { ChannelAdapter } from '../../channels/types.js';
import type { Db } from '../storage/db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import * as store from '../store/index.js';
import type { MessageHub } from './hub.js';
import { KeyedQueue } from './keyed-queue.js';

export interface DispatcherOptions {
  maxAttempts: number;
  pollMs: number;
  /** How long a send may take before another worker may try again. */
  leaseMs?: number;
  now?: () => number;
}

/** 1 s, 2 s, 4 s ... capped at 5 minutes, with jitter so retries do not arrive in step. */
export function backoffMs(attempt: number): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export class OutboxDispatcher {
  private readonly queue = new KeyedQueue();
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; at: number }>();
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
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
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
   * delivered them by then: one timer at the window's end instead of reading the head now.
   */
  queued(conversationId: string, channel: string): void {
    const windowMs = this.channels.get(channel)?.capabilities.passiveReplyWindowMs ?? 0;
    if (windowMs > 0) this.wakeAt(conversationId, windowMs, true);
    else this.kick(conversationId);
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
      if (!channel || !conversation) {
        await store.markFailed(kysely, head.id, { error: `no channel '${head.channel}' is configured`, retryAt: null, now });
        continue;
      }
      if (channel.capabilities.localDelivery) {
        if (await store.takeForImmediateDelivery(kysely, head.id, now)) {
          this.metrics.messagesOut.inc({ channel: head.channel });
          this.hub.notify(conversation);
        }
        continue;
      }
      if (!(await store.claimOutbox(kysely, head.id, now, this.leaseMs))) return;
      const attempt = head.attempts + 1;
      const part = head.payload as { messageId: string; text: string; choices?: string[]; meta?: Record<string, unknown> };
      let result: Awaited<ReturnType<ChannelAdapter['send']>>;
      try {
        result = await channel.send(conversation, part);
      } catch (error) {
        result = { ok: false, retryable: true, error: error instanceof Error ? error.message : String(error) };
      }
      if (result.ok) {
        await store.markSent(kysely, head.id, this.now());
        this.metrics.messagesOut.inc({ channel: head.channel });
        continue;
      }
      if (result.deferredMs !== undefined) {
        const retryAt = this.now() + Math.max(0, result.deferredMs);
        await store.deferOutbox(kysely, head.id, { note: result.error, retryAt, now: this.now() });
        this.logger.info({ conversationId, outboxId: head.id, retryInMs: result.deferredMs }, 'send deferred by the channel');
        this.wakeAt(conversationId, Math.max(0, retryAt - this.now()));
        return;
      }
      this.metrics.sendFailures.inc({ channel: head.channel });
      const giveUp = !result.retryable || attempt >= this.options.maxAttempts;
      await store.markFailed(kysely, head.id, { error: result.error, retryAt: giveUp ? null : this.now() + backoffMs(attempt), now: this.now() });
      this.logger.warn({ conversationId, outboxId: head.id, attempt, giveUp, error: result.error }, 'send failed');
      this.hub.notify(conversation);
      if (!giveUp) {
        const row = await store.headOfConversation(kysely, conversationId);
        if (row) this.wakeAt(conversationId, Math.max(0, row.nextAttemptAt - this.now()));
        return;
      }
    }
  }

  /** Drain the conversation in `delayMs`; `keepSooner`: an earlier wake-up already set stays. */
  private wakeAt(conversationId: string, delayMs: number, keepSooner = false): void {
    if (this.stopped) return;
    const at = Date.now() + delayMs;
    const existing = this.timers.get(conversationId);
    if (existing && keepSooner && existing.at <= at) return;
    clearTimeout(existing?.timer);
    const timer = setTimeout(() => {
      this.timers.delete(conversationId);
      this.kick(conversationId);
    }, delayMs + 5);
    timer.unref();
    this.timers.set(conversationId, { timer, at });
  }
}

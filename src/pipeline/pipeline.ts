/**
 * The message pipeline: (channel verified and parsed already) -> persist once -> understand
 * -> dialog -> actions -> outbox -> (dispatcher) channel send.
 *
 * Each thread (channel + thread key) is handled one message at a time, in arrival order;
 * different threads run in parallel. A message is stored before it is answered, and marked
 * processed in the same transaction that stores its answer, so a crash at any point either
 * re-runs the message after restart (`recover`) or finds it done: nothing lost, nothing twice.
 */
import type { ChannelCapabilities } from '../../channels/types.js';
import type { Dialog, DialogEvent } from '../../dialogs/types.js';
import type { Conversation, InboundMessage } from '../contract.js';
import type { Db } from '../storage/db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import * as store from '../store/index.js';
import { localeFor, type Locale, type Templates } from '../templates/index.js';
import { runActions, type ActionOutcome } from './actions.js';
import type { MessageHub } from './hub.js';
import { KeyedQueue } from './keyed-queue.js';

/** What the pipeline needs from the understanding module (src/nlu). */
export interface Understander {
  understand(text: string, ctx?: { channel?: string; repeatContact?: number }): DialogEvent['understanding'];
  faq: { ask(text: string): { id: string; answer: string; score: number } | null };
}

export interface PipelineDeps {
  db: Db;
  nlu: Understander;
  dialog: Dialog;
  templates: Templates;
  hub: MessageHub;
  metrics: Metrics;
  logger: Logger;
  defaultLocale: Locale;
  capabilitiesOf(channel: string): ChannelCapabilities;
  /** Called after a commit that queued outbound messages for a conversation. */
  onOutbound(conversationId: string): void;
  now?: () => number;
}

export interface Handled extends ActionOutcome {
  conversationId: string;
}

export interface Ingested {
  messageId: string;
  conversationId: string;
  duplicate: boolean;
  /** Settles when the dialog has answered (immediately for a duplicate: nothing to do). */
  handled: Promise<Handled>;
}

const threadKeyOf = (channel: string, threadKey: string): string => `${channel}\u0000${threadKey}`;
const nothing = (conversationId: string, status: Conversation['status']): Handled => ({ conversationId, replies: [], status });

export class Pipeline {
  private readonly queue = new KeyedQueue();
  private readonly now: () => number;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Store an inbound message once, then answer it in order. Resolves once it is stored. */
  ingest(input: InboundMessage): Promise<Ingested> {
    const key = threadKeyOf(input.channel, input.threadKey);
    const started = process.hrtime.bigint();
    return this.queue.run(key, async () => {
      const { db } = this.deps;
      const stored = await db.kysely.transaction().execute(async (q) => {
        await store.lockThread(q, db.dialect, key);
        const existing = await store.findByChannelMessageId(q, input.channel, input.channelMessageId);
        if (existing) return { id: existing.id, conversationId: existing.conversationId, duplicate: true };
        const now = this.now();
        let conversation = await store.findOpenConversation(q, input.channel, input.threadKey);
        if (!conversation) {
          const who = await store.resolveIdentity(q, { channel: input.channel, externalId: input.sender.externalId, displayName: input.sender.displayName, now });
          conversation = await store.createConversation(q, { customerId: who.customerId, channel: input.channel, threadKey: input.threadKey, now });
        }
        const inserted = await store.insertInbound(q, {
          conversationId: conversation.id, channel: input.channel, authorId: input.sender.externalId, kind: input.kind,
          meta: input.kind === 'event' ? { event: input.event, key: input.key, public: input.public } : { public: input.public },
          text: input.text, attachments: input.kind === 'media' ? input.attachments : [],
          channelMessageId: input.channelMessageId, raw: input.raw, now,
        });
        await store.touchConversation(q, conversation.id, now);
        return { id: inserted.id, conversationId: conversation.id, duplicate: inserted.duplicate };
      });
      if (stored.duplicate) {
        this.deps.metrics.duplicatesIn.inc({ channel: input.channel });
        return { messageId: stored.id, conversationId: stored.conversationId, duplicate: true, handled: Promise.resolve(nothing(stored.conversationId, 'bot')) };
      }
      this.deps.metrics.messagesIn.inc({ channel: input.channel });
      this.deps.hub.notify({ id: stored.conversationId, channel: input.channel, threadKey: input.threadKey });
      // Queued behind this task on the same key: it runs as soon as this one returns.
      const handled = this.queue.run(key, () => this.handle(stored.id, started));
      handled.catch((error: unknown) => this.deps.logger.error({ err: error, messageId: stored.id }, 'handling a message failed; it will be retried on restart'));
      return { messageId: stored.id, conversationId: stored.conversationId, duplicate: false, handled };
    });
  }

  /** Re-run inbound messages that were stored but not answered (after a crash). */
  async recover(limit = 10000): Promise<number> {
    const pending = await store.listUnprocessed(this.deps.db.kysely, limit);
    for (const { id, conversationId } of pending) {
      const conversation = await store.getConversation(this.deps.db.kysely, conversationId);
      if (!conversation) continue;
      void this.queue.run(threadKeyOf(conversation.channel, conversation.threadKey), () => this.handle(id, process.hrtime.bigint()))
        .catch((error: unknown) => this.deps.logger.error({ err: error, messageId: id }, 'recovering a message failed'));
    }
    return pending.length;
  }

  /**
   * Run `task` in a thread's order (agent replies and status changes from the workspace use
   * this, so they never interleave with the bot's handling of the same conversation).
   */
  inThread<T>(channel: string, threadKey: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(threadKeyOf(channel, threadKey), task);
  }

  /** Resolves when everything queued so far is handled (tests, graceful shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async handle(messageId: string, started: bigint): Promise<Handled> {
    const { db, nlu, dialog, templates } = this.deps;
    const input = await store.getInboundForDialog(db.kysely, messageId);
    const before = input && await store.getConversation(db.kysely, input.conversationId);
    if (!input || !before) throw new Error(`message ${messageId} or its conversation is missing`);
    if (input.processed) return nothing(before.id, before.status);
    // Understanding is pure CPU work: done outside the transaction so it never holds the
    // database's single writer (SQLite) or a row lock (PostgreSQL).
    // Earlier complaints in this conversation, as the dialog counted them: repeated contact
    // about a problem raises its severity.
    const complaints = before.dialog?.data.complaints;
    const repeatContact = typeof complaints === 'number' ? complaints : 0;
    const understanding = nlu.understand(input.text, { channel: input.channel, repeatContact });
    const faq = input.kind === 'event' || !input.text.trim() ? null : nlu.faq.ask(input.text);

    const outcome = await db.kysely.transaction().execute(async (q) => {
      await store.lockThread(q, db.dialect, threadKeyOf(before.channel, before.threadKey));
      const now = this.now();
      if (await store.isProcessed(q, messageId)) return nothing(before.id, before.status);
      const conversation = (await store.getConversation(q, before.id)) ?? before;
      if (conversation.status !== 'bot') {
        // A person holds (or is about to hold) the conversation: the bot stays silent.
        await store.markProcessed(q, messageId, now);
        return nothing(conversation.id, conversation.status);
      }
      const customer = await store.getCustomer(q, conversation.customerId);
      const event: DialogEvent = {
        kind: input.kind, text: input.text, event: input.event, key: input.key, channel: input.channel, public: input.public,
        understanding, faq, customer: { tier: customer?.tier ?? 'standard', firstContact: conversation.dialog === null }, now,
      };
      const result = dialog(conversation.dialog, event);
      const locale = localeFor(customer?.language, understanding.language, this.deps.defaultLocale);
      const done = await runActions({ q, conversation, capabilities: this.deps.capabilitiesOf(conversation.channel), templates, locale, now }, result.actions);
      await store.saveDialogState(q, conversation.id, result.state, now);
      await store.markProcessed(q, messageId, now);
      return { ...done, conversationId: conversation.id };
    });

    this.deps.metrics.pipelineLatency.observe({ channel: input.channel }, Number(process.hrtime.bigint() - started) / 1e9);
    if (outcome.replies.length > 0 || outcome.status !== before.status) this.deps.hub.notify(before);
    if (outcome.replies.length > 0) this.deps.onOutbound(outcome.conversationId);
    return outcome;
  }
}

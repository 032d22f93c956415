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
import { dialogLanguage } from '../../dialogs/engine.js';
import type { Dialog, DialogEvent } from '../../dialogs/types.js';
import { runTurn, type OrderProviderFactory } from '../orders/index.js';
import { InboundMessage, type Conversation, type InboundMessageInput } from '../contract.js';
import type { Db } from '../storage/db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import * as store from '../store/index.js';
import type { Q } from '../store/index.js';
import type { SlaPolicy } from '../handoff/sla.js';
import { localeFor, type Locale, type Templates } from '../templates/index.js';
import { afterReplies, runActions, type ActionOutcome } from './actions.js';
import { threadTopic, type MessageHub, type ThreadAppend } from './hub.js';
import { KeyedQueue } from './keyed-queue.js';
import { analyseEarly, secondOpinionFor, type Analyser, type Analysis, type SecondOpinionHook, type Understander } from './understanding.js';

export type { Analyser, SecondOpinionHook, Understander } from './understanding.js';

export interface PipelineDeps {
  db: Db;
  nlu: Understander;
  dialog: Dialog;
  /** Performs the dialog's `place_order` / `lookup_shipping` (src/orders): the demo shop or ORDER_API_URL. */
  orders: OrderProviderFactory;
  templates: Templates;
  hub: MessageHub;
  metrics: Metrics;
  logger: Logger;
  defaultLocale: Locale;
  capabilitiesOf(channel: string): ChannelCapabilities;
  secondOpinion?: SecondOpinionHook | null;
  /** Understands texts on another thread in the meantime (null: in the message's turn). */
  analyser?: Analyser | null;
  /** Hour windows for follow-ups. */
  followUpWindows?: Array<[number, number]>;
  /** A survey answer on a closed thread (src/handoff/aftercare.ts) instead of a new conversation. */
  takeSurveyAnswer?(q: Q, input: InboundMessage, now: number): Promise<{ conversation: Conversation; messageId: string; outcome: ActionOutcome } | null>;
  /** What to tell a customer who writes while waiting for a person (null: nothing). */
  whileQueued?(q: Q, conversation: Conversation, now: number): Promise<ActionOutcome | null>;
  /** Service levels for cases opened by a hand-over. */
  sla?: SlaPolicy;
  /** Called after a commit that handed a conversation over (the router assigns it). */
  onHandover?(conversationId: string): void;
  /** Called after a commit that queued outbound messages for a conversation. */
  onOutbound(conversationId: string, channel: string): void;
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

const nothing = (conversationId: string, status: Conversation['status']): Handled => ({ conversationId, replies: [], status });

export class Pipeline {
  private readonly queue = new KeyedQueue();
  private readonly now: () => number;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Store an inbound message once and answer it, in one transaction (one commit per
   * message). If answering fails, the message is still stored on its own, so nothing is
   * lost: `recover` answers it at the next start.
   */
  ingest(message: InboundMessageInput): Promise<Ingested> {
    // Validated here too: whatever a channel built must satisfy the one message contract.
    const input = InboundMessage.parse(message);
    const key = store.threadKeyOf(input.channel, input.threadKey);
    const started = process.hrtime.bigint();
    // With other work in hand (any thread queued), understood on another thread meanwhile;
    // alone (one mail after another, a quiet moment), here in its turn: the round trip would
    // only add waiting.
    const analysed = this.queue.size > 0 ? analyseEarly(this.deps.analyser, input) : Promise.resolve(null);
    return this.queue.run(key, async () => {
      let result: Awaited<ReturnType<Pipeline['storeAndAnswer']>>;
      try {
        const analysis = await analysed;
        // Asked in the thread's turn (order kept) but outside the transaction (no lock held
        // while a remote model thinks); the answer is used only if the message is new.
        const hint = await secondOpinionFor(this.deps, input, analysis);
        result = await this.storeAndAnswer(input, true, hint, analysis);
      } catch (error) {
        this.deps.logger.error({ err: error, channel: input.channel }, 'answering a message failed; storing it to answer later');
        result = await this.storeAndAnswer(input, false);
      }
      const { stored, conversation, outcome, appended } = result;
      if (stored.duplicate) {
        this.deps.metrics.duplicatesIn.inc({ channel: input.channel });
      } else {
        this.deps.metrics.messagesIn.inc({ channel: input.channel });
        this.afterCommit(conversation, outcome, started, appended);
      }
      const handled = outcome ?? nothing(conversation.id, conversation.status);
      return { messageId: stored.id, conversationId: conversation.id, duplicate: stored.duplicate, handled: Promise.resolve(handled) };
    });
  }

  private async storeAndAnswer(input: InboundMessage, answer: boolean, hint?: string | null, analysis: Analysis = null): Promise<{
    stored: { id: string; duplicate: boolean }; conversation: Conversation; outcome: Handled | null; appended?: ThreadAppend;
  }> {
    return this.lockedWrite(store.threadKeyOf(input.channel, input.threadKey), async (q) => {
      const duplicateOf = async (first: { id: string; conversationId: string }) => ({
        stored: { id: first.id, duplicate: true }, conversation: (await store.getConversation(q, first.conversationId))!, outcome: null,
      });
      const now = this.now();
      let conversation = await store.findOpenConversation(q, input.channel, input.threadKey);
      if (!conversation) {
        // Nothing is created for a redelivery (its first copy's conversation may have closed since).
        const existing = await store.findByChannelMessageId(q, input.channel, input.channelMessageId);
        if (existing) return duplicateOf(existing);
        const survey = await this.deps.takeSurveyAnswer?.(q, input, now);
        if (survey) {
          return { stored: { id: survey.messageId, duplicate: false }, conversation: survey.conversation, outcome: { ...survey.outcome, conversationId: survey.conversation.id } };
        }
        const who = await store.resolveIdentity(q, { channel: input.channel, externalId: input.sender.externalId, displayName: input.sender.displayName, now });
        conversation = await store.createConversation(q, { customerId: who.customerId, channel: input.channel, threadKey: input.threadKey, now });
      }
      // Someone on this node reads the thread live (a web chat socket): the rows this commit
      // adds go with its notification, so the reader need not query them back (hub.ts).
      const live = this.deps.hub.listened(threadTopic(input.channel, input.threadKey));
      const before = live ? await store.lastThreadSeq(q, input.channel, input.threadKey) : 0;
      const meta = input.kind === 'event' ? { event: input.event, key: input.key, public: input.public } : { public: input.public };
      // Answered in this transaction: stored as processed (a failed answer rolls the insert back too).
      const inserted = await store.insertInbound(q, {
        conversationId: conversation.id, channel: input.channel, authorId: input.sender.externalId, kind: input.kind, meta,
        text: input.text, attachments: input.kind === 'media' ? input.attachments : [],
        channelMessageId: input.channelMessageId, raw: input.raw, now, processed: answer,
      });
      // With a conversation open, a redelivery is found by the insert itself (one query less per message).
      if (inserted.duplicate) return duplicateOf(inserted);
      // A bot turn records the activity with the dialog's state (one update, in `answer`).
      if (!answer || conversation.status !== 'bot') await store.touchConversation(q, conversation.id, now);
      const outcome = answer
        ? await this.answer(q, inserted.id, conversation, {
          kind: input.kind, text: input.text, ...meta, public: input.public, attachments: input.kind === 'media' ? input.attachments : undefined,
        }, now, hint, analysis)
        : null;
      // Everything this job wrote to the thread went into this conversation, from the inbound message on.
      const appended = live ? { after: before, messages: await store.listConversationMessagesFrom(q, conversation.id, inserted.seq) } : undefined;
      return { stored: { id: inserted.id, duplicate: false }, conversation, outcome, appended };
    });
  }

  /** Re-run inbound messages that were stored but not answered (after a crash). */
  async recover(limit = 10000): Promise<number> {
    const pending = await store.listUnprocessed(this.deps.db.kysely, limit);
    for (const { id, conversationId } of pending) {
      const conversation = await store.getConversation(this.deps.db.kysely, conversationId);
      if (!conversation) continue;
      void this.queue.run(store.threadKeyOf(conversation.channel, conversation.threadKey), () => this.handle(id, process.hrtime.bigint()))
        .catch((error: unknown) => this.deps.logger.error({ err: error, messageId: id }, 'recovering a message failed'));
    }
    return pending.length;
  }

  /**
   * A write to one thread outside the message path (an agent's reply or takeover step, a
   * channel's own follow-up write): in the thread's order on this node, so it never
   * interleaves with the bot's handling of the same conversation, and on PostgreSQL under
   * the thread's lock, as the pipeline's own writes are. Without the lock, a write on another
   * node could commit a row of the thread after a later one: a reader whose cursor passed
   * the later row would never read the earlier. (A due follow-up picks its thread inside its
   * transaction, so it takes the lock there: aftercare.ts `runFollowUp`.)
   */
  writeInThread<T>(channel: string, threadKey: string, job: (q: Q) => Promise<T>): Promise<T> {
    const key = store.threadKeyOf(channel, threadKey);
    return this.queue.run(key, () => this.lockedWrite(key, job));
  }

  /** One write under the thread's lock (PostgreSQL; SQLite has a single writer already). */
  private lockedWrite<T>(key: string, job: (q: Q) => Promise<T>): Promise<T> {
    const { db } = this.deps;
    return db.write(async (q) => {
      await store.lockThread(q, db.dialect, key);
      return job(q);
    });
  }

  /** Resolves when everything queued so far is handled (tests, graceful shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Answer a message stored earlier but left unanswered (see `recover`). */
  private async handle(messageId: string, started: bigint): Promise<Handled> {
    const { db } = this.deps;
    const result = await db.write(async (q) => {
      const input = await store.getInboundForDialog(q, messageId);
      const conversation = input && await store.getConversation(q, input.conversationId);
      if (!input || !conversation) throw new Error(`message ${messageId} or its conversation is missing`);
      await store.lockThread(q, db.dialect, store.threadKeyOf(conversation.channel, conversation.threadKey));
      if (await store.isProcessed(q, messageId)) return { conversation, outcome: null };
      const now = this.now();
      const outcome = await this.answer(q, messageId, conversation, input, now);
      await store.markProcessed(q, messageId, now);
      return { conversation, outcome };
    });
    this.afterCommit(result.conversation, result.outcome, started);
    return result.outcome ?? nothing(result.conversation.id, result.conversation.status);
  }

  /**
   * Understand, run the dialog and carry out its actions, inside the caller's transaction
   * (which also marks the message processed).
   * Understanding is a fraction of a millisecond of CPU, so it does not hold the writer long.
   */
  private async answer(
    q: Q, messageId: string, conversation: Conversation,
    message: { kind: InboundMessage['kind']; text: string; event?: string; key?: string; public: boolean; attachments?: Array<{ kind: string }> }, now: number,
    hint?: string | null, analysis: Analysis = null,
  ): Promise<Handled> {
    const { nlu, dialog, templates } = this.deps;
    if (conversation.status !== 'bot') {
      // A person holds (or is about to hold) the conversation: the bot stays silent, except
      // for the queue position while the customer waits.
      const position = conversation.status === 'queued' ? await this.deps.whileQueued?.(q, conversation, now) : null;
      return position ? { ...position, conversationId: conversation.id } : nothing(conversation.id, conversation.status);
    }
    // Earlier complaints in this conversation, as the dialog counted them: repeated contact
    // about a problem raises its severity.
    const complaints = conversation.dialog?.data.complaints;
    const ctx = { channel: conversation.channel, public: message.public, repeatContact: typeof complaints === 'number' ? complaints : 0 };
    // Worked out in advance without the conversation's history: good as long as there is none
    // that changes the grade (repeated complaints); otherwise understood here.
    const early = ctx.repeatContact === 0 ? analysis : null;
    const local = early?.understanding ?? nlu.understand(message.text, ctx);
    this.deps.metrics.understoodBy.inc({ where: early ? 'worker' : 'main' });
    const understanding = hint !== undefined && this.deps.secondOpinion ? this.deps.secondOpinion.apply(local, message.text, ctx, hint) : local;
    const faq = message.kind === 'event' || !message.text.trim() ? null : early ? early.faq : nlu.faq.ask(message.text);
    const customer = await store.getCustomerTraits(q, conversation.customerId);
    const event: DialogEvent = {
      kind: message.kind, text: message.text, event: message.event, key: message.key, channel: conversation.channel, public: message.public,
      attachments: message.attachments?.map((a) => ({ kind: a.kind })),
      understanding, faq, customer: { tier: customer?.tier ?? 'standard', firstContact: conversation.dialog === null }, now,
    };
    // Effects (placing an order, a shipping lookup) are performed here and their results fed
    // back to the dialog before anything is said; the inbound message id makes placing idempotent.
    const result = await runTurn(dialog, conversation.dialog, event, this.deps.orders(q),
      { customerId: conversation.customerId, idempotencyKey: messageId },
      (err) => this.deps.logger.error({ err, conversationId: conversation.id }, 'the order provider failed'));
    // The dialog's language is sticky ("1" or "ok" says nothing); an event without text (a follow)
    // says nothing either: then the default.
    const spoken = dialogLanguage(result.state) ?? (message.text.trim() ? understanding.language : undefined);
    const locale = localeFor(customer?.language, spoken, this.deps.defaultLocale);
    const done = await runActions({ q, conversation, capabilities: this.deps.capabilitiesOf(conversation.channel), templates, locale, now, sla: this.deps.sla, followUpWindows: this.deps.followUpWindows }, result.actions);
    await store.saveDialogState(q, conversation.id, result.state, now);
    return { ...done, conversationId: conversation.id };
  }

  /** After a commit: metrics, wake readers, hand queued replies to the dispatcher. */
  private afterCommit(conversation: Conversation, outcome: Handled | null, started: bigint, appended?: ThreadAppend): void {
    this.deps.metrics.pipelineLatency.observe({ channel: conversation.channel }, Number(process.hrtime.bigint() - started) / 1e9);
    this.deps.hub.notify(conversation, appended);
    if (!outcome) return;
    afterReplies(outcome, conversation.channel, outcome.conversationId, this.deps);
    if (outcome.status === 'queued' && conversation.status === 'bot') this.deps.onHandover?.(outcome.conversationId);
  }
}

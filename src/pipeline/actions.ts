/**
 * Carries out a dialog's actions inside the transaction that handles the message, so a
 * reply, its outbox entry, a hand-over and a case are stored together or not at all.
 */
import { fitToChannel } from '../../channels/capabilities.js';
import type { ChannelCapabilities } from '../../channels/types.js';
import type { Action } from '../../dialogs/types.js';
import type { Conversation } from '../contract.js';
import { DEFAULT_SLA, type SlaPolicy } from '../handoff/sla.js';
import { transition } from '../handoff/takeover.js';
import { nextAcceptable, scheduleFollowUp } from '../handoff/aftercare.js';
import type { Metrics } from '../metrics.js';
import * as store from '../store/index.js';
import type { Q } from '../store/index.js';
import type { Locale, Templates } from '../templates/index.js';

export interface ActionContext {
  q: Q;
  /** Hour windows for follow-ups (absent: any time). */
  followUpWindows?: Array<[number, number]>;
  /** Service levels for a case opened by a hand-over (absent: the workspace defaults). */
  sla?: SlaPolicy;
  conversation: Conversation;
  capabilities: ChannelCapabilities;
  templates: Templates;
  locale: Locale;
  now: number;
}

export type Reply = { messageId: string; text: string; choices?: string[] } & ({ delivered: false; outboxId: string } | { delivered: true; outboxId: null });

export interface ActionOutcome {
  /**
   * Replies, in order. A channel that reads our database (web chat) has them delivered at
   * commit and no outbox entry; the others' outbox entries, which a passive-reply channel
   * may deliver itself.
   */
  replies: Reply[];
  status: Conversation['status'];
  caseNumber?: string;
}

/**
 * After the commit that queued replies: count those delivered locally (web chat reads our
 * database) and hand the others to the dispatcher.
 */
export function afterReplies(
  outcome: ActionOutcome, channel: string, conversationId: string, deps: { metrics: Metrics; onOutbound(conversationId: string, channel: string): void },
): void {
  const local = outcome.replies.filter((r) => r.delivered).length;
  if (local > 0) deps.metrics.messagesOut.inc({ channel }, local);
  if (local < outcome.replies.length) deps.onOutbound(conversationId, channel);
}

export async function sendReply(
  ctx: ActionContext, outcome: ActionOutcome, text: string, author: { kind: 'bot' | 'agent' | 'system'; id: string | null }, choices?: string[],
): Promise<void> {
  const { q, conversation, now } = ctx;
  const message = await store.insertOutbound(q, {
    conversationId: conversation.id, channel: conversation.channel, authorKind: author.kind, authorId: author.id, text, now,
  });
  for (const part of fitToChannel(text, choices, ctx.capabilities)) {
    // Local delivery (web chat reads our database): the stored message is delivered at commit, nothing is left to send.
    if (ctx.capabilities.localDelivery) {
      outcome.replies.push({ outboxId: null, messageId: message.id, text: part.text, choices: part.choices, delivered: true });
      continue;
    }
    const outboxId = await store.enqueueOutbox(q, {
      messageId: message.id, conversationId: conversation.id, channel: conversation.channel, payload: { messageId: message.id, ...part },
      notBefore: now + ctx.capabilities.passiveReplyWindowMs, now,
    });
    outcome.replies.push({ outboxId, messageId: message.id, text: part.text, choices: part.choices, delivered: false });
  }
}

export async function runActions(ctx: ActionContext, actions: Action[]): Promise<ActionOutcome> {
  const outcome: ActionOutcome = { replies: [], status: ctx.conversation.status };
  for (const action of actions) {
    switch (action.type) {
      case 'reply':
        await sendReply(ctx, outcome, ctx.templates.render(action.template, ctx.locale, action.vars), { kind: 'bot', id: null }, action.choices);
        break;
      case 'handoff': {
        // The same state machine as every other path (src/handoff/takeover.ts).
        const after = await transition({ q: ctx.q, sla: ctx.sla ?? DEFAULT_SLA, actor: null, now: ctx.now }, ctx.conversation.id,
          { kind: 'hand_over', priority: action.priority, reason: action.reason });
        outcome.status = after.status;
        break;
      }
      case 'open_case': {
        const existing = await store.getCaseByConversation(ctx.q, ctx.conversation.id);
        if (existing) {
          outcome.caseNumber = existing.number;
          break;
        }
        const created = await store.createCase(ctx.q, {
          customerId: ctx.conversation.customerId, conversationId: ctx.conversation.id, severity: action.severity,
          category: action.category, form: action.form, nature: action.nature, reasons: action.reasons, subject: action.subject, now: ctx.now,
        });
        outcome.caseNumber = created.number;
        break;
      }
      case 'set_attribute':
        await store.updateCustomer(ctx.q, ctx.conversation.customerId, { attributes: { [action.key]: action.value } }, ctx.now);
        break;
      case 'schedule_follow_up': {
        const due = ctx.now + action.afterMs;
        await scheduleFollowUp(ctx.q, ctx.conversation, action.note, ctx.followUpWindows ? nextAcceptable(due, ctx.followUpWindows) : due, ctx.now);
        break;
      }
    }
  }
  return outcome;
}

/**
 * After a mail is stored: record its Message-ID on its thread, make sure its thread has a
 * case, and decide its automatic reply, all in one transaction keyed on the stored message,
 * so a restart after a crash decides nothing twice. The reply (an acknowledgement with the
 * case number and expected response time, or an FAQ answer when the match is confident) is
 * queued in the outbox like any other and sent by the adapter's `send` (outbound.ts).
 *
 * At most one automatic reply per case, at most `autoRepliesPerDay` per address, never to
 * mail that RFC 3834 says must not be answered (auto-reply.ts).
 */
import type { Case, Conversation, Severity } from '../../src/contract.js';
import { addCaseEvent } from '../../src/handoff/cases.js';
import { setCaseStatus } from '../../src/handoff/case-status.js';
import { DEFAULT_SLA } from '../../src/handoff/sla.js';
import { transition } from '../../src/handoff/takeover.js';
import { detectLanguage } from '../../src/nlu/normalize.js';
import * as store from '../../src/store/index.js';
import type { Q } from '../../src/store/index.js';
import { localeFor, type Locale } from '../../src/templates/index.js';
import type { NoReplyReason } from './auto-reply.js';
import { isSystemAddress } from './auto-reply.js';
import type { EmailSettings } from './definition.js';
import { hardFailures, type ParsedMail } from './parse.js';
import * as mailStore from './store.js';
import { MailTemplates, type MailTemplate } from './templates.js';
import { baseSubject, bodyMarker, replySubject, subjectKey } from './threading.js';

const DAY_MS = 24 * 3_600_000;

export interface Faq { ask(text: string): { id: string; question?: string; answer: string; score: number } | null }

export interface RespondContext {
  settings: EmailSettings;
  own: ReadonlySet<string>;
  templates: MailTemplates;
  faq: () => Faq | null;
  defaultLocale: Locale;
  /** `<id@domain>` for our mail built from a stored message id. */
  messageIdFor(storedMessageId: string): string;
}

/** What send() needs to compose an automatic reply: everything decided here, nothing looked up again. */
export interface AutoReplyMeta {
  auto: true;
  template: MailTemplate;
  locale: 'zh-CN' | 'en';
  vars: Record<string, string>;
  caseNumber: string;
  to: string;
  subject: string;
  inReplyTo: string;
  references: string[];
  messageId: string;
}

export interface MailFacts {
  inboundId: string;
  conversationId: string;
  mail: ParsedMail;
  reason: NoReplyReason | null;
  /** What the customer newly wrote (strip.ts). */
  newText: string;
}

export const replyAddressOf = (mail: ParsedMail): string | null => mail.replyTo[0] ?? mail.from?.address ?? null;

/**
 * The thread's case. A mail on a thread whose conversation was closed arrives in a new
 * conversation (the pipeline opens one on the same thread key); the handoff model
 * (src/handoff/case-status.ts) decides what becomes of the earlier case:
 *  - `resolved` may go back to `in_progress`: it is reopened, moved to the new conversation,
 *    and the conversation waits for a person again (its owner, first-contact responsibility);
 *  - `closed` is final (the customer accepted): a follow-up case is opened, linked both ways;
 *  - any other status (a bot conversation closed with its case open) simply continues.
 */
async function caseForThread(q: Q, conversation: Conversation, mail: ParsedMail, newText: string, now: number): Promise<Case> {
  const existing = await store.getCaseByConversation(q, conversation.id);
  if (existing) return existing;
  const earlierNumber = await mailStore.earlierCaseOnThread(q, conversation.threadKey, conversation.id);
  const earlier = earlierNumber ? await store.getCaseByNumber(q, earlierNumber) : undefined;
  if (earlier && earlier.status !== 'closed') {
    if (earlier.status === 'resolved') await setCaseStatus(q, earlier.number, 'in_progress', null, 'the customer wrote again by e-mail', now);
    await q.updateTable('cases').set({ conversation_id: conversation.id, updated_at: now }).where('id', '=', earlier.id).execute();
    await addCaseEvent(q, earlier.id, 'reopened', null, { channel: 'email', conversationId: conversation.id, from: earlier.status }, now);
    if (earlier.status === 'resolved' && conversation.status === 'bot') {
      await transition({ q, sla: DEFAULT_SLA, actor: null, now }, conversation.id,
        { kind: 'hand_over', priority: 'normal', reason: 'the customer replied to a resolved case by e-mail', severity: earlier.severity });
    }
    return (await store.getCaseByNumber(q, earlier.number))!;
  }
  const subject = earlier?.subject ?? (baseSubject(mail.subject) || newText.split('\n')[0]!.slice(0, 120) || '(e-mail)');
  const created = await store.createCase(q, {
    customerId: conversation.customerId, conversationId: conversation.id, severity: 'none', category: null, form: null, nature: null, reasons: [], subject, now,
  });
  if (earlier) {
    await addCaseEvent(q, created.id, 'opened', null, { followUpOf: earlier.number }, now);
    await addCaseEvent(q, earlier.id, 'follow_up', null, { case: created.number }, now);
  }
  return created;
}

/**
 * A bounce, recorded against the thread's case. A hard failure (5.x.x) of a mail we sent, for
 * an address on that thread, puts the address on the suppression list: no more automatic
 * mail to it. A report naming a Message-ID that is not ours suppresses nobody (anyone can
 * write a bounce-shaped mail about any address).
 */
async function recordBounce(q: Q, facts: MailFacts, conversation: Conversation, kase: Case | undefined, now: number): Promise<string[]> {
  const report = facts.mail.deliveryReport!;
  const ours = report.originalMessageId !== undefined && await mailStore.isOurMessage(q, report.originalMessageId);
  const suppressed: string[] = [];
  for (const address of ours ? hardFailures(report) : []) {
    if (!(await mailStore.addressOnThread(q, conversation.threadKey, address))) continue;
    await mailStore.suppress(q, { address, status: report.status ?? '5.0.0', diagnostic: report.diagnostic ?? null, bounceId: facts.inboundId, caseNumber: kase?.number ?? null, now });
    suppressed.push(address);
  }
  if (kase) {
    await addCaseEvent(q, kase.id, 'bounce', null, {
      messageId: facts.inboundId, status: report.status ?? null, recipients: report.recipients.slice(0, 20), ofOurMail: ours, suppressed,
    }, now);
  }
  return suppressed;
}

/** Returns the decision: `ack`, `faq` or `none:<why>`. Idempotent per stored message. */
export async function respond(q: Q, ctx: RespondContext, facts: MailFacts, now: number): Promise<string> {
  const done = await mailStore.decisionFor(q, facts.inboundId);
  if (done) return done;
  const { mail } = facts;
  const conversation = await store.getConversation(q, facts.conversationId);
  if (!conversation) throw new Error(`conversation ${facts.conversationId} is missing`);
  const recipient = replyAddressOf(mail);
  await mailStore.recordMessage(q, {
    messageId: mail.messageId, threadKey: conversation.threadKey, direction: 'in', sender: mail.from?.address ?? null,
    // Mail nobody may answer is never what an agent's reply answers either.
    replyTo: facts.reason ? null : recipient, subjectKey: subjectKey(mail.subject), now,
  });
  // Mail that must not be answered is recorded in its conversation (a bounce against its case) and opens no case.
  let kase = facts.reason ? await store.getCaseByConversation(q, conversation.id) : await caseForThread(q, conversation, mail, facts.newText, now);
  if (facts.reason === 'bounce') {
    const earlier = kase ? undefined : await mailStore.earlierCaseOnThread(q, conversation.threadKey, conversation.id);
    kase ??= earlier ? await store.getCaseByNumber(q, earlier) : undefined;
    await recordBounce(q, facts, conversation, kase, now);
  }
  const decision = await decide(q, ctx, facts, kase, recipient, now);
  if ((decision === 'ack' || decision === 'faq') && kase && recipient) {
    await queueAutoReply(q, ctx, facts, kase, recipient, decision, conversation, now);
  }
  await mailStore.recordDecision(q, { inboundId: facts.inboundId, caseNumber: kase?.number ?? null, recipient, decision, now });
  return decision;
}

async function decide(q: Q, ctx: RespondContext, facts: MailFacts, kase: Case | undefined, recipient: string | null, now: number): Promise<string> {
  if (facts.reason) return `none:${facts.reason}`;
  if (!kase || !recipient) return 'none:no-recipient';
  if (ctx.own.has(recipient) || isSystemAddress(recipient)) return 'none:own-address';
  if (await mailStore.isSuppressed(q, recipient)) return 'none:suppressed';
  if (await mailStore.caseAutoReplied(q, kase.number)) return 'none:once-per-case';
  if (await mailStore.autoRepliesSince(q, recipient, now - DAY_MS) >= ctx.settings.autoRepliesPerDay) return 'none:rate-limit';
  return faqHit(ctx, facts, kase.severity) ? 'faq' : 'ack';
}

/** A confident FAQ answer, and only for a question: a complaint gets a person, not an article. */
function faqHit(ctx: RespondContext, facts: MailFacts, severity: Severity) {
  if (severity !== 'none' || !facts.newText.trim()) return null;
  const hit = ctx.faq()?.ask(`${baseSubject(facts.mail.subject)}\n${facts.newText}`.slice(0, 2000));
  return hit && hit.score >= ctx.settings.faqConfidence ? hit : null;
}

async function queueAutoReply(
  q: Q, ctx: RespondContext, facts: MailFacts, kase: Case, recipient: string, decision: 'ack' | 'faq',
  conversation: { id: string; customerId: string; channel: string; threadKey: string }, now: number,
): Promise<void> {
  const { mail } = facts;
  const customer = await store.getCustomer(q, conversation.customerId);
  const detected = facts.newText.trim() ? detectLanguage(facts.newText) : undefined;
  const locale = MailTemplates.localeOf(localeFor(customer?.language, detected, ctx.defaultLocale));
  const hit = decision === 'faq' ? faqHit(ctx, facts, kase.severity) : null;
  const template: MailTemplate = hit ? 'faq-answer' : 'acknowledgement';
  const vars: Record<string, string> = {
    name: mail.from?.name ?? '', case_number: kase.number, subject: kase.subject,
    response_time: ctx.templates.string(locale, `response_time.${kase.severity}`),
    ...(hit ? { answer: hit.answer, question: hit.question ?? baseSubject(mail.subject) } : {}),
  };
  const secret = await mailStore.markerSecret(q, now);
  const { text } = ctx.templates.render(template, locale, vars, ctx.settings.brand, bodyMarker(kase.number, secret));
  const message = await store.insertOutbound(q, {
    conversationId: conversation.id, channel: 'email', authorKind: 'bot', authorId: null, text, now,
  });
  const messageId = ctx.messageIdFor(message.id);
  const meta: AutoReplyMeta = {
    auto: true, template, locale, vars, caseNumber: kase.number, to: recipient,
    subject: replySubject(mail.subject, kase.number, ctx.templates.string(locale, 'reply_prefix')),
    inReplyTo: mail.messageId, references: [...mail.references.slice(-18), mail.messageId], messageId,
  };
  await store.enqueueOutbox(q, {
    messageId: message.id, conversationId: conversation.id, channel: 'email',
    payload: { messageId: message.id, text, meta: { email: meta } }, notBefore: now, now,
  });
  // Recorded now, not at send time: a reply to it can never arrive before it is known.
  await mailStore.recordMessage(q, {
    messageId, threadKey: conversation.threadKey, direction: 'out', sender: null, replyTo: null, subjectKey: subjectKey(mail.subject), now,
  });
}

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
import type { Case, Severity } from '../../src/contract.js';
import { detectLanguage } from '../../src/nlu/normalize.js';
import * as store from '../../src/store/index.js';
import type { Q } from '../../src/store/index.js';
import { localeFor, type Locale } from '../../src/templates/index.js';
import type { NoReplyReason } from './auto-reply.js';
import { isSystemAddress } from './auto-reply.js';
import type { EmailSettings } from './definition.js';
import type { ParsedMail } from './parse.js';
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

async function ensureCase(q: Q, conversationId: string, customerId: string, mail: ParsedMail, newText: string, now: number): Promise<Case> {
  const existing = await store.getCaseByConversation(q, conversationId);
  if (existing) return existing;
  const subject = baseSubject(mail.subject) || newText.split('\n')[0]!.slice(0, 120) || '(e-mail)';
  return store.createCase(q, {
    customerId, conversationId, severity: 'none', category: null, form: null, nature: null, reasons: [], subject, now,
  });
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
  const kase = facts.reason ? await store.getCaseByConversation(q, conversation.id) : await ensureCase(q, conversation.id, conversation.customerId, mail, facts.newText, now);
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

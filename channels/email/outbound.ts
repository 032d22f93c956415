/**
 * The way out: the outbox dispatcher calls `send` with one queued part. Three kinds:
 *  - an automatic reply queued by respond.ts (`meta.email.auto`): composed from its template,
 *    with `Auto-Submitted: auto-replied` (RFC 3834);
 *  - an agent's reply: wrapped in the agent template, threaded on the customer's last mail;
 *  - anything else the dialog said: not mailed. A mail thread gets one automatic reply per
 *    case, never a chat; the part is marked in its message's meta so the console can tell.
 * SMTP answers 4xx -> retry later, 5xx -> give up (recorded on the outbox entry).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Conversation } from '../../src/contract.js';
import * as store from '../../src/store/index.js';
import { detectLanguage } from '../../src/nlu/normalize.js';
import { localeFor, type Locale } from '../../src/templates/index.js';
import type { OutboundPart, SendResult } from '../types.js';
import type { Db } from '../../src/storage/db.js';
import type { EmailSettings } from './definition.js';
import type { AutoReplyMeta } from './respond.js';
import * as mailStore from './store.js';
import { MailTemplates } from './templates.js';
import { bodyMarker, replySubject, subjectKey } from './threading.js';

export interface OutgoingMail {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references: string[];
  text: string;
  html: string;
  headers: Record<string, string>;
}

export const NOT_MAILED = { notMailed: 'email: the bot does not converse by e-mail; its one automatic reply per case is the acknowledgement' };

/** Whether an SMTP failure is worth retrying: 4xx and connection trouble yes, 5xx no. */
export function smtpRetryable(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  if (typeof code === 'number') return code < 500;
  return true;
}

const bracket = (id: string): string => `<${id.replace(/^<|>$/g, '')}>`;

export class MailSender {
  private readonly transporter: Transporter;

  constructor(private readonly db: Db, private readonly settings: EmailSettings, private readonly templates: MailTemplates, private readonly defaultLocale: Locale) {
    this.transporter = nodemailer.createTransport(settings.smtpUrl);
  }

  close(): void {
    this.transporter.close();
  }

  async send(conversation: Conversation, part: OutboundPart): Promise<SendResult> {
    const auto = (part.meta?.email as AutoReplyMeta | undefined)?.auto === true ? part.meta!.email as AutoReplyMeta : null;
    let mail: OutgoingMail | null;
    if (auto) {
      mail = await this.composeAuto(auto);
    } else {
      const message = await store.getMessage(this.db.kysely, part.messageId);
      if (message?.authorKind !== 'agent') {
        await this.db.kysely.updateTable('messages').set({ meta: JSON.stringify(NOT_MAILED) }).where('id', '=', part.messageId).execute();
        return { ok: true };
      }
      mail = await this.composeAgentReply(conversation, part);
      if (!mail) return { ok: false, retryable: false, error: 'email: this conversation has no address to reply to' };
    }
    try {
      await this.transporter.sendMail({
        from: mail.from, replyTo: mail.replyTo, to: mail.to, subject: mail.subject, messageId: mail.messageId,
        inReplyTo: mail.inReplyTo, references: mail.references.map(bracket), text: mail.text, html: mail.html, headers: mail.headers,
      });
      return { ok: true, channelMessageId: mail.messageId };
    } catch (error) {
      const err = error as { responseCode?: number; message?: string };
      return { ok: false, retryable: smtpRetryable(error), error: `smtp: ${err.responseCode ?? ''} ${(err.message ?? String(error)).slice(0, 300)}`.trim() };
    }
  }

  private async marker(caseNumber: string): Promise<string> {
    return bodyMarker(caseNumber, await mailStore.markerSecret(this.db.kysely, Date.now()));
  }

  private async composeAuto(meta: AutoReplyMeta): Promise<OutgoingMail> {
    const { text, html } = this.templates.render(meta.template, meta.locale, meta.vars, this.settings.brand, await this.marker(meta.caseNumber));
    return {
      from: this.settings.from, replyTo: this.settings.replyTo, to: meta.to, subject: meta.subject, messageId: bracket(meta.messageId),
      inReplyTo: bracket(meta.inReplyTo), references: meta.references, text, html,
      // RFC 3834 §5; the Microsoft header asks Exchange not to answer our answer with its own.
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
    };
  }

  private async composeAgentReply(conversation: Conversation, part: OutboundPart): Promise<OutgoingMail | null> {
    const q = this.db.kysely;
    const kase = await store.getCaseByConversation(q, conversation.id);
    const last = await mailStore.lastInbound(q, conversation.threadKey);
    const identity = await q.selectFrom('identities').select('external_id')
      .where('customer_id', '=', conversation.customerId).where('channel', '=', 'email').limit(1).executeTakeFirst();
    const to = last?.replyTo ?? identity?.external_id;
    if (!to) return null;
    const customer = await store.getCustomer(q, conversation.customerId);
    const locale = MailTemplates.localeOf(localeFor(customer?.language, detectLanguage(part.text), this.defaultLocale));
    const caseNumber = kase?.number ?? '';
    const subject = kase ? replySubject(kase.subject, kase.number, this.templates.string(locale, 'reply_prefix')) : this.templates.string(locale, 'reply_prefix').trim();
    const vars = { name: customer?.displayName ?? '', case_number: caseNumber, subject: kase?.subject ?? '', message: part.text };
    const { text, html } = this.templates.render('agent-reply', locale, vars, this.settings.brand, kase ? await this.marker(kase.number) : '');
    const messageId = messageIdFor(this.settings, part.messageId);
    const references = await mailStore.threadMessageIds(q, conversation.threadKey);
    await mailStore.recordMessage(q, {
      messageId, threadKey: conversation.threadKey, direction: 'out', sender: null, replyTo: null, subjectKey: subjectKey(kase?.subject ?? ''), now: Date.now(),
    });
    return {
      from: this.settings.from, replyTo: this.settings.replyTo, to, subject, messageId: bracket(messageId),
      inReplyTo: last ? bracket(last.messageId) : undefined, references, text, html, headers: {},
    };
  }
}

/** Our Message-ID for a stored outbound message: stable, so a retried send is recognisably the same mail. */
export function messageIdFor(settings: EmailSettings, storedMessageId: string): string {
  const address = /<([^>]+)>/.exec(settings.from)?.[1] ?? settings.from;
  const domain = address.split('@')[1]?.trim() || 'kefu.invalid';
  return `kefu.${storedMessageId}@${domain}`;
}

/**
 * One fetched mail -> parse (postal-mime) -> classify (RFC 3834) -> thread -> the pipeline
 * -> the automatic-reply decision. Safe to run twice for the same mail (after a crash): the
 * pipeline stores a Message-ID once, and the decision is recorded per stored message.
 */
import type { InboundMessageInput } from '../../src/contract.js';
import { mask } from '../../src/logger.js';
import type { ChannelDeps } from '../types.js';
import { eventFor, noReplyReason } from './auto-reply.js';
import { parseMail, type ParsedMail } from './parse.js';
import { respond, type RespondContext } from './respond.js';
import * as mailStore from './store.js';
import { htmlToText, newTextOf } from './strip.js';
import { baseSubject, resolveThread, type ThreadDecision } from './threading.js';

/** What is kept of the original mail in the stored message's `raw` (never a huge body whole). */
const RAW_HEADER_BYTES = 32 * 1024;
const RAW_BODY_CHARS = 64 * 1024;

export interface FetchedMail {
  mailbox: string;
  uid: number;
  uidValidity: string;
  source: Buffer;
  /** The whole message was larger than what was fetched. */
  truncated: boolean;
}

export interface IngestResult {
  messageId: string;
  duplicate: boolean;
  conversationId: string;
  thread: ThreadDecision;
  decision: string;
}

function rawOf(mail: ParsedMail, fetched: Pick<FetchedMail, 'mailbox' | 'uid' | 'uidValidity'>, thread: ThreadDecision, originalText: string) {
  const headers: Array<[string, string]> = [];
  let bytes = 0;
  for (const [k, v] of mail.headers) {
    bytes += k.length + v.length;
    if (bytes > RAW_HEADER_BYTES) break;
    headers.push([k, v]);
  }
  return {
    mailbox: fetched.mailbox, uid: fetched.uid, uidValidity: fetched.uidValidity, headers,
    body: originalText.slice(0, RAW_BODY_CHARS), bodyTruncated: originalText.length > RAW_BODY_CHARS || mail.truncated,
    hasHtml: mail.html !== undefined, threadVia: thread.via, ...(thread.refusedTag ? { refusedTag: thread.refusedTag } : {}),
    ...(mail.deliveryReport ? { deliveryReport: mail.deliveryReport } : {}),
  };
}

/** The pipeline message: an event the dialog ignores for mail nobody may answer, else text or media. */
export function toInbound(mail: ParsedMail, thread: ThreadDecision, newText: string, raw: unknown, reason: ReturnType<typeof noReplyReason>, receivedAt: number): InboundMessageInput {
  const sender = { externalId: (mail.from?.address || 'unknown@invalid').slice(0, 256), ...(mail.from?.name ? { displayName: mail.from.name.slice(0, 256) } : {}) };
  const base = { channel: 'email' as const, channelMessageId: mail.messageId.slice(0, 256), threadKey: thread.threadKey, sender, receivedAt, raw, public: false };
  if (reason) {
    const report = mail.deliveryReport;
    const text = report
      ? `Delivery failed${report.recipients.length ? ` to ${report.recipients.join(', ')}` : ''}: ${report.status ?? ''} ${report.diagnostic ?? ''}`.trim()
      : `${mail.subject}\n\n${newText}`.trim();
    return { ...base, kind: 'event', event: eventFor(reason), key: reason, text: text.slice(0, 2000) };
  }
  // A new thread's subject is part of what the customer said ("Refund for order 123").
  const subject = baseSubject(mail.subject);
  const text = (thread.via === 'new' && subject && !newText.includes(subject) ? `${subject}\n\n${newText}` : newText).trim().slice(0, 20000);
  const attachments = mail.attachments.filter((a) => !a.inline).slice(0, 50).map((a, i) => ({
    kind: a.mimeType.startsWith('image/') ? 'image' as const : a.mimeType.startsWith('video/') ? 'video' as const : a.mimeType.startsWith('audio/') ? 'voice' as const : 'file' as const,
    // RFC 2392 `mid:` URL: the part stays findable whichever folder the mail is moved to.
    ref: `mid:${encodeURIComponent(mail.messageId)}/${a.contentId ? encodeURIComponent(a.contentId) : String(i + 1)}`.slice(0, 2048),
    ...(a.name ? { name: a.name.slice(0, 512) } : {}), mimeType: a.mimeType.slice(0, 255), size: a.size,
    ...(a.oversize || mail.truncated ? { meta: { oversize: true } } : {}),
  }));
  if (attachments.length > 0) return { ...base, kind: 'media', text, attachments };
  return { ...base, kind: 'text', text: text || subject || '(empty e-mail)' };
}

export interface PreparedMail {
  fetched: FetchedMail;
  mail: ParsedMail;
  keys: string[];
}

export class MailIngest {
  private secret: string | undefined;

  constructor(private readonly deps: ChannelDeps, private readonly ctx: RespondContext, private readonly now: () => number = Date.now) {}

  async handle(fetched: FetchedMail): Promise<IngestResult> {
    return this.process(await this.prepare(fetched));
  }

  /** Parse and classify (pure CPU): may run ahead of `process` for a whole batch. */
  async prepare(fetched: FetchedMail): Promise<PreparedMail> {
    const mail = await parseMail(fetched.source, { maxAttachmentBytes: this.ctx.settings.maxAttachmentBytes, truncated: fetched.truncated });
    const report = mail.deliveryReport;
    const refs = [...mail.inReplyTo, ...mail.references, ...(report?.originalMessageId ? [report.originalMessageId] : [])];
    // Mails sharing a key may depend on each other's outcome (threading, once per case, the rate limit): keep their order.
    const keys = [`id:${mail.messageId}`, ...refs.map((r) => `id:${r}`), ...[mail.from?.address, ...mail.replyTo].filter(Boolean).map((a) => `from:${a}`)];
    return { fetched, mail, keys };
  }

  async process({ fetched, mail }: PreparedMail): Promise<IngestResult> {
    const { deps, ctx } = this;
    const reason = noReplyReason(mail, ctx.own);
    const original = mail.text.trim() ? mail.text : mail.html ? htmlToText(mail.html) : '';
    const newText = newTextOf(mail);
    const q = deps.db.kysely;
    this.secret ??= await mailStore.markerSecret(q, this.now());
    const secret = this.secret;
    const report = mail.deliveryReport;
    const thread = await resolveThread({
      messageId: mail.messageId, sender: mail.from?.address, subject: mail.subject,
      // A bounce names our original mail inside its report: that is its thread.
      inReplyTo: report?.originalMessageId ? [report.originalMessageId, ...mail.inReplyTo] : mail.inReplyTo,
      references: mail.references, body: `${mail.text}\n${mail.html ?? ''}`,
    }, mailStore.threadLookups(q), secret);
    if (thread.refusedTag) {
      deps.logger.info({ channel: 'email', tag: thread.refusedTag, sender: mask(mail.from?.address ?? '') }, 'a case tag from a sender not on that case was not trusted');
    }
    const inbound = toInbound(mail, thread, newText, rawOf(mail, fetched, thread, original), reason, this.now());
    const ingested = await deps.pipeline.ingest(inbound);
    await ingested.handled;
    // A write to the thread like the pipeline's (its order, and its lock on PostgreSQL).
    const decision = await deps.pipeline.writeInThread('email', inbound.threadKey, (tx) => respond(tx, ctx, {
      inboundId: ingested.messageId, conversationId: ingested.conversationId, mail, reason, newText,
    }, this.now()));
    if (reason === 'bounce') {
      deps.logger.info({ channel: 'email', status: report?.status, recipients: report?.recipients.slice(0, 5).map(mask), decision }, 'a bounce was recorded');
    }
    return { messageId: ingested.messageId, duplicate: ingested.duplicate, conversationId: ingested.conversationId, thread, decision };
  }
}

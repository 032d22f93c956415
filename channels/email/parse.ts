/**
 * Raw RFC 5322 source -> a parsed mail (postal-mime). Pure apart from hashing: no I/O, so it
 * is tested on recorded mails in fixtures/.
 */
import { createHash } from 'node:crypto';
import PostalMime from 'postal-mime';

export interface MailAttachment {
  name?: string;
  mimeType: string;
  size: number;
  contentId?: string;
  inline: boolean;
  /** Over MAIL_MAX_ATTACHMENT_BYTES, or cut off in a mail fetched partially: only its name and type are known. */
  oversize: boolean;
}

export interface ParsedMail {
  /** The Message-ID without angle brackets, or `sha256:<hex>` of the source when the mail has none. */
  messageId: string;
  hasMessageId: boolean;
  from: { address: string; name?: string } | null;
  replyTo: string[];
  to: string[];
  cc: string[];
  subject: string;
  inReplyTo: string[];
  /** Oldest first, as in the header (RFC 5322: the parent's References plus the parent). */
  references: string[];
  /** Header names lower-cased, values unfolded; repeated headers keep every value. */
  headers: Array<[string, string]>;
  text: string;
  html?: string;
  attachments: MailAttachment[];
  date?: string;
  /** multipart/report; report-type=delivery-status: a bounce. */
  deliveryReport: { originalMessageId?: string; recipients: string[]; status?: string; diagnostic?: string } | null;
  /** The source was larger than we fetch: headers and the first parts are here, not all attachments. */
  truncated: boolean;
}

/** `<a@b> <c@d>` (or comma/space separated, with comments) -> ['a@b', 'c@d']. */
export function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const inAngles = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (inAngles.length > 0) return inAngles;
  return value.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s.includes('@'));
}

const header = (headers: Array<[string, string]>, name: string): string | undefined => headers.find(([k]) => k === name)?.[1];

const sizeOf = (content: ArrayBuffer | Uint8Array | string): number =>
  typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;

/** postal-mime's Address (its CommonJS typings do not expose the type to ESM importers). */
type Address = { name: string; address?: string; group?: Array<{ name: string; address: string }> };

function addresses(list: Address[] | undefined): string[] {
  const out: string[] = [];
  for (const a of list ?? []) {
    if (a.group) out.push(...a.group.map((m) => m.address.toLowerCase()));
    else if (a.address) out.push(a.address.toLowerCase());
  }
  return out.filter(Boolean);
}

/** Fields of a message/delivery-status part (RFC 3464): per-recipient blocks after the per-message one. */
function deliveryStatus(text: string): { recipients: string[]; status?: string; diagnostic?: string } {
  const recipients = [...text.matchAll(/^(?:final|original)-recipient:\s*(?:rfc822;)?\s*(\S+)/gim)].map((m) => m[1]!.toLowerCase());
  const status = /^status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(text)?.[1];
  const diagnostic = /^diagnostic-code:\s*(.+(?:\n[ \t].+)*)/im.exec(text)?.[1]?.replace(/\s+/g, ' ').trim();
  return { recipients: [...new Set(recipients)], status, diagnostic };
}

const decode = (content: ArrayBuffer | Uint8Array | string): string =>
  typeof content === 'string' ? content : Buffer.from(content instanceof ArrayBuffer ? new Uint8Array(content) : content).toString('utf8');

export async function parseMail(source: Buffer | Uint8Array, opts: { maxAttachmentBytes: number; truncated?: boolean }): Promise<ParsedMail> {
  const email = await PostalMime.parse(source, { attachmentEncoding: 'arraybuffer', rfc822Attachments: true });
  const headers: Array<[string, string]> = email.headers.map((h) => [h.key.toLowerCase(), h.value.replace(/\r?\n[ \t]+/g, ' ')]);
  const ownId = messageIds(email.messageId)[0];
  const messageId = ownId ?? `sha256:${createHash('sha256').update(source).digest('hex')}`;
  const contentType = header(headers, 'content-type') ?? '';
  let deliveryReport: ParsedMail['deliveryReport'] = null;
  const attachments: MailAttachment[] = [];
  for (const a of email.attachments) {
    const type = a.mimeType.toLowerCase();
    if (/^multipart\/report/i.test(contentType) && /delivery-status/i.test(contentType)) {
      deliveryReport ??= { recipients: [] };
      if (type === 'message/delivery-status' || type === 'message/global-delivery-status') {
        Object.assign(deliveryReport, deliveryStatus(decode(a.content)));
        continue;
      }
      if (type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/rfc822-headers' || type === 'message/global-headers') {
        const original = /^message-id:\s*(.+)$/im.exec(decode(a.content).split(/\r?\n\r?\n/)[0] ?? '');
        deliveryReport.originalMessageId = messageIds(original?.[1])[0];
        continue;
      }
    }
    const size = sizeOf(a.content);
    attachments.push({
      name: a.filename ?? undefined, mimeType: type, size, contentId: a.contentId?.replace(/^<|>$/g, ''),
      inline: a.disposition === 'inline' || a.related === true, oversize: size > opts.maxAttachmentBytes,
    });
  }
  if (!deliveryReport && /^multipart\/report/i.test(contentType) && /delivery-status/i.test(contentType)) deliveryReport = { recipients: [] };
  const from = email.from && !email.from.group && email.from.address
    ? { address: email.from.address.toLowerCase(), ...(email.from.name ? { name: email.from.name } : {}) }
    : null;
  return {
    messageId, hasMessageId: ownId !== undefined, from,
    replyTo: addresses(email.replyTo), to: addresses(email.to), cc: addresses(email.cc),
    subject: (email.subject ?? '').replace(/\s+/g, ' ').trim(),
    inReplyTo: messageIds(email.inReplyTo), references: messageIds(email.references),
    headers, text: email.text ?? '', html: email.html, attachments, date: email.date, deliveryReport,
    truncated: opts.truncated === true,
  };
}

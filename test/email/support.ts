/** Helpers for the e-mail tests: build RFC 5322 mails, put them into Dovecot by IMAP APPEND, wait for the gateway. */
import { ImapFlow } from 'imapflow';
import { buildEmailChannel, emailSettingsFrom } from '../../channels/email/index.js';
import type { Faq } from '../../channels/email/respond.js';
import type { Db } from '../../src/storage/db.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { startSmtpRecorder, type SmtpRecorder } from '../support/smtp-recorder.js';

export interface MailSpec {
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
  body?: string;
  /** A whole MIME body with its own Content-Type (bounces, attachments). */
  contentType?: string;
}

export function buildMail(spec: MailSpec): string {
  const lines = [
    `From: ${spec.from ?? 'Zhang San <zhangsan@customer.test>'}`,
    `To: ${spec.to ?? 'support@example.test'}`,
    `Subject: =?UTF-8?B?${Buffer.from(spec.subject ?? '订单问题').toString('base64')}?=`,
    'Date: Mon, 01 Jul 2024 10:00:00 +0800',
    'MIME-Version: 1.0',
  ];
  if (spec.messageId !== null) lines.push(`Message-ID: <${spec.messageId ?? `${Math.random().toString(36).slice(2)}@customer.test`}>`);
  if (spec.inReplyTo) lines.push(`In-Reply-To: ${spec.inReplyTo}`);
  if (spec.references) lines.push(`References: ${spec.references}`);
  for (const [k, v] of Object.entries(spec.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push(`Content-Type: ${spec.contentType ?? 'text/plain; charset=utf-8'}`);
  if (!spec.contentType) lines.push('Content-Transfer-Encoding: 8bit');
  return `${lines.join('\r\n')}\r\n\r\n${(spec.body ?? '你好，我的订单还没有到。').replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** A delivery-status report (RFC 3464) from a mail system about one of our mails. */
export function buildBounce(spec: { id: string; original: string; recipient: string; action: 'failed' | 'delayed'; status: string }): string {
  const body = [
    '--B', 'Content-Type: text/plain; charset=us-ascii', '', `Delivery to ${spec.recipient} ${spec.action === 'failed' ? 'failed permanently' : 'is delayed'}.`, '',
    '--B', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.customer.test', '',
    `Final-Recipient: rfc822; ${spec.recipient}`, `Action: ${spec.action}`, `Status: ${spec.status}`, `Diagnostic-Code: smtp; ${spec.status.startsWith('5') ? '550' : '451'} ${spec.status} (test)`, '',
    '--B', 'Content-Type: text/rfc822-headers', '', `Message-ID: ${spec.original}`, 'Subject: whatever', '', '--B--',
  ].join('\n');
  return buildMail({
    messageId: spec.id, from: 'Mail Delivery System <MAILER-DAEMON@mx.customer.test>', subject: 'Undelivered Mail Returned to Sender',
    headers: { 'Auto-Submitted': 'auto-replied' }, contentType: 'multipart/report; report-type=delivery-status; boundary="B"', body,
  });
}

export async function imapClient(dovecot: Dovecot): Promise<ImapFlow> {
  const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
  await client.connect();
  return client;
}

export async function appendMails(dovecot: Dovecot, mails: string[], mailbox = 'INBOX'): Promise<void> {
  const client = await imapClient(dovecot);
  try {
    for (const mail of mails) await client.append(mailbox, mail);
  } finally {
    await client.logout();
  }
}

export async function until<T>(probe: () => Promise<T | undefined | false>, ms = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function inboundCount(db: Db): Promise<number> {
  const row = await db.kysely.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel', '=', 'email').where('direction', '=', 'in').executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Inbound mails whose automatic-reply decision is recorded: the last step of handling one. */
export async function decisionCount(db: Db): Promise<number> {
  const row = await db.kysely.withTables<{ email_auto_replies: { inbound_id: string } }>()
    .selectFrom('email_auto_replies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The automatic-reply decision recorded for an inbound mail (`ack`, `faq`, `none:<why>`). */
export async function decisionOf(db: Db, messageId: string): Promise<string | undefined> {
  const row = await db.kysely.withTables<{ email_auto_replies: { inbound_id: string; decision: string } }>()
    .selectFrom('email_auto_replies').innerJoin('messages', 'messages.id', 'email_auto_replies.inbound_id')
    .select('email_auto_replies.decision').where('messages.channel', '=', 'email').where('messages.channel_message_id', '=', messageId).executeTakeFirst();
  return row?.decision;
}

export async function storedMail(db: Db, messageId: string) {
  return db.kysely.selectFrom('messages').innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.id', 'messages.kind', 'messages.meta', 'messages.text', 'messages.raw', 'messages.attachments', 'conversations.id as conversationId', 'conversations.thread_key as threadKey'])
    .where('messages.channel', '=', 'email').where('messages.channel_message_id', '=', messageId).executeTakeFirst();
}

export const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

/** Dovecot, an SMTP recorder and a gateway with the e-mail channel reading the one from the other. */
export interface MailStack {
  dovecot: Dovecot;
  smtp: SmtpRecorder;
  gw: RunningGateway;
  /** APPEND the mails and wait until the gateway has stored them and answered. */
  deliver(...mails: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startMailStack(opts: { mailEnv?: Record<string, string>; gatewayEnv?: Record<string, string>; faq?: Faq | null } = {}): Promise<MailStack> {
  const dovecot = await startDovecot();
  const smtp = await startSmtpRecorder();
  const settings = emailSettingsFrom({ IMAP_URL: dovecot.url, SMTP_URL: smtp.url, MAIL_FROM: 'Kefu Support <support@example.test>', IMAP_POLL_MS: '1000', ...opts.mailEnv })!;
  const gw = await startGateway(opts.gatewayEnv ?? {}, { extraChannels: [(deps) => buildEmailChannel(deps, settings, { faq: opts.faq ?? null })] });
  let appended = 0;
  return {
    dovecot, smtp, gw,
    async deliver(...mails) {
      await appendMails(dovecot, mails);
      appended += mails.length;
      await until(async () => (await decisionCount(gw.gateway.db)) >= appended, 15_000, `${appended} handled mails`);
      await gw.gateway.pipeline.idle();
    },
    async stop() {
      await gw.stop();
      await smtp.close();
      await dovecot.stop();
    },
  };
}

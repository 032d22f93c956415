/**
 * E-mail ingest throughput: N mails (half new threads, half replies carrying a case tag or
 * In-Reply-To) are put into a local Dovecot by IMAP APPEND, then a gateway's e-mail channel
 * reads them: IMAP fetch, parse (postal-mime), RFC 3834 checks, threading, the pipeline's
 * store-and-answer transaction and the automatic-reply decision. Timed from the channel's
 * start to the last decision. Outbound SMTP goes to a local recorder and is not timed.
 * Run it from dist/ (`npm run build && node -e "import('./dist/test/bench/email.js').then(m => m.benchEmailIngest()).then(console.log)"`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEmailChannel, emailSettingsFrom, type EmailChannel } from '../../channels/email/index.js';
import { parseConfig } from '../../src/config.js';
import { createGateway } from '../../src/gateway.js';
import { startDovecot } from '../support/dovecot.js';
import { startSmtpRecorder } from '../support/smtp-recorder.js';
import { appendMails, buildMail } from '../email/support.js';

export async function benchEmailIngest(mails = Number(process.env.BENCH_MAILS ?? 1000)): Promise<{ mailsPerSecond: number; mails: number }> {
  const dovecot = await startDovecot();
  const smtp = await startSmtpRecorder();
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-bench-mail-'));
  try {
    const sources: string[] = [];
    for (let i = 0; i < mails; i++) {
      const customer = `c${i % Math.ceil(mails / 2)}@customer.test`;
      const reply = i >= mails / 2;
      sources.push(buildMail({
        messageId: `bench-${i}@customer.test`, from: customer,
        subject: reply ? `Re: 订单 ${i % Math.ceil(mails / 2)} 的问题` : `订单 ${i} 的问题`,
        inReplyTo: reply ? `<bench-${i - Math.ceil(mails / 2)}@customer.test>` : undefined,
        body: `您好，订单 ${i} 的椅子还没有到，请帮忙查一下物流。\n\n在 2024年7月1日 10:00，Kefu 写道：\n> 感谢您的来信\n\n发自我的iPhone`,
      }));
    }
    await appendMails(dovecot, sources);
    const settings = emailSettingsFrom({ IMAP_URL: dovecot.url, SMTP_URL: smtp.url, MAIL_FROM: 'support@example.test' })!;
    const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, OUTBOX_POLL_MS: process.env.BENCH_OUTBOX_POLL_MS ?? '1000' });
    let channel: EmailChannel | undefined;
    const gateway = await createGateway(config, { extraChannels: [(deps) => (channel = buildEmailChannel(deps, settings, { faq: null }))] });
    const decided = async () => Number((await gateway.db.kysely.withTables<{ email_auto_replies: { inbound_id: string } }>()
      .selectFrom('email_auto_replies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const started = process.hrtime.bigint();
    await gateway.listen();
    while ((await decided()) < mails) await new Promise((r) => setTimeout(r, 20));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!channel) throw new Error('the e-mail channel was not built');
    await gateway.close();
    return { mailsPerSecond: Math.round(mails / seconds), mails };
  } finally {
    await smtp.close();
    await dovecot.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

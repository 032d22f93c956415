/**
 * A real SMTP server (the smtp-server package) on a loopback port that records every mail
 * we send, parsed with postal-mime. `failNext(code)` answers the next DATA with that code.
 */
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface RecordedMail {
  envelope: { from: string; to: string[] };
  raw: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo: string;
  references: string;
}

export interface SmtpRecorder {
  url: string;
  mails: RecordedMail[];
  failNext(code: number, times?: number): void;
  waitFor(count: number, ms?: number): Promise<RecordedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpRecorder(): Promise<SmtpRecorder> {
  const mails: RecordedMail[] = [];
  let failures: Array<number> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = failures.shift();
        if (code !== undefined) {
          const error = Object.assign(new Error(code >= 500 ? 'mailbox unavailable (test)' : 'try again later (test)'), { responseCode: code });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        void PostalMime.parse(raw).then((parsed) => {
          const headers: Record<string, string> = {};
          for (const h of parsed.headers) headers[h.key.toLowerCase()] ??= h.value;
          mails.push({
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
            raw, headers, subject: parsed.subject ?? '', text: parsed.text ?? '', html: parsed.html ?? '',
            messageId: parsed.messageId ?? '', inReplyTo: parsed.inReplyTo ?? '', references: parsed.references ?? '',
          });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    failNext(code, times = 1) {
      failures = [...failures, ...Array.from({ length: times }, () => code)];
    },
    async waitFor(count, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (mails.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, recorded ${mails.length}: ${mails.map((m) => m.subject).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

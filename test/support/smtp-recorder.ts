/**
 * A real SMTP server (the smtp-server package) on a loopback port that records every mail
 * we send, parsed with postal-mime. `failNext(code)` answers the next DATA (or, with stage
 * `rcpt`, the next RCPT TO) with that code on the wire, as a real MTA would: 4xx is
 * "try again later", 5xx is final. Every transaction, accepted or refused, is listed in
 * `attempts` with the time it ended, so tests can see retries and their spacing.
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

export type SmtpStage = 'rcpt' | 'data';

export interface SmtpAttempt {
  at: number;
  stage: SmtpStage;
  /** What we answered: 250 for an accepted mail. */
  code: number;
  to: string[];
  /** The Message-ID header of the mail, when DATA got that far. */
  messageId?: string;
}

export interface SmtpRecorder {
  url: string;
  mails: RecordedMail[];
  attempts: SmtpAttempt[];
  failNext(code: number, times?: number, stage?: SmtpStage): void;
  waitFor(count: number, ms?: number): Promise<RecordedMail[]>;
  close(): Promise<void>;
}

const refusal = (code: number): Error =>
  Object.assign(new Error(code >= 500 ? '5.1.1 mailbox unavailable (test)' : '4.3.0 try again later (test)'), { responseCode: code });

export async function startSmtpRecorder(): Promise<SmtpRecorder> {
  const mails: RecordedMail[] = [];
  const attempts: SmtpAttempt[] = [];
  const failures: Record<SmtpStage, number[]> = { rcpt: [], data: [] };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, session, callback) {
      const code = failures.rcpt.shift();
      if (code === undefined) return callback();
      attempts.push({ at: Date.now(), stage: 'rcpt', code, to: [address.address] });
      callback(refusal(code));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = session.envelope.rcptTo.map((r) => r.address);
        const headerId = /^message-id:\s*(\S+)/im.exec(raw.split(/\r?\n\r?\n/)[0] ?? '')?.[1];
        const code = failures.data.shift();
        attempts.push({ at: Date.now(), stage: 'data', code: code ?? 250, to, ...(headerId ? { messageId: headerId } : {}) });
        if (code !== undefined) {
          callback(refusal(code));
          return;
        }
        void PostalMime.parse(raw).then((parsed) => {
          const headers: Record<string, string> = {};
          for (const h of parsed.headers) headers[h.key.toLowerCase()] ??= h.value;
          mails.push({
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to },
            raw, headers, subject: parsed.subject ?? '', text: parsed.text ?? '', html: parsed.html ?? '',
            messageId: parsed.messageId ?? '', inReplyTo: parsed.inReplyTo ?? '', references: parsed.references ?? '',
          });
          callback();
        }, callback);
      });
    },
  });
  // A client killed mid-exchange (the crash test) resets its socket: that is no test failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    attempts,
    failNext(code, times = 1, stage = 'data') {
      failures[stage].push(...Array.from({ length: times }, () => code));
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

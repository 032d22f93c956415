/**
 * Watches one IMAP mailbox (one connection each): new mail wakes it through IDLE, and a
 * poll every `pollMs` covers servers without IDLE and any missed notification. Mail is read
 * in UID order from the checkpoint (UIDVALIDITY + last UID, in the database) and handed to
 * the handler one by one; then the checkpoint moves and the batch is marked \Seen or moved.
 * A crash anywhere re-reads from the checkpoint, and the handler is idempotent (inbound.ts).
 */
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { Db } from '../../src/storage/db.js';
import type { Logger } from '../../src/logger.js';
import type { EmailSettings } from './definition.js';
import type { FetchedMail } from './inbound.js';
import { getUidCheckpoint, setUidCheckpoint } from './store.js';

const BATCH = 200;
const MAX_ATTEMPTS = 3;
/** Headroom over the attachment cap for the text parts and encoding (base64 is 4/3). */
const fetchCap = (maxAttachmentBytes: number) => Math.ceil(maxAttachmentBytes * 1.4) + 1024 * 1024;

export class MailboxWatcher {
  private client: ImapFlow | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private readonly failures = new Map<number, number>();
  readonly checkpointName: string;

  constructor(
    private readonly settings: EmailSettings,
    readonly mailbox: string,
    private readonly db: Db,
    private readonly logger: Logger,
    /** Handles a batch in UID order (or concurrently where order cannot matter); an error per mail, null when handled. */
    private readonly handle: (mails: FetchedMail[]) => Promise<Array<unknown | null>>,
  ) {
    const account = createHash('sha256').update(`${settings.imap.host}:${settings.imap.port}:${settings.imap.user}`).digest('hex').slice(0, 16);
    this.checkpointName = `email:imap:${account}:${mailbox}`;
  }

  start(): void {
    this.stopped = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const client = this.client;
    if (client) await client.logout().catch(() => client.close());
    await this.running?.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    let backoff = 1000;
    while (!this.stopped) {
      try {
        await this.session();
        backoff = 1000;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error, channel: 'email', mailbox: this.mailbox, retryInMs: backoff }, 'IMAP connection failed; reconnecting');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 60_000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() { clearTimeout(timer); resolve(); }
      this.wake = done;
    });
  }

  /** One connection: select, catch up, then wait for IDLE news or the poll, until it drops. */
  private async session(): Promise<void> {
    const { imap } = this.settings;
    const client = new ImapFlow({
      host: imap.host, port: imap.port, secure: imap.secure, auth: { user: imap.user, pass: imap.password },
      logger: false, disableAutoIdle: true, clientInfo: { name: 'kefu' },
    });
    this.client = client;
    let news = false;
    client.on('exists', () => { news = true; this.wake?.(); });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', (err: Error) => this.logger.warn({ err, channel: 'email', mailbox: this.mailbox }, 'IMAP error'));
    await client.connect();
    try {
      await client.mailboxOpen(this.mailbox);
      const idle = client.capabilities.has('IDLE');
      while (!this.stopped && client.usable) {
        news = false;
        await this.catchUp(client);
        if (this.stopped || news) continue;
        // IDLE ends when the next command is sent; without IDLE, the poll alone finds new mail.
        if (idle) void client.idle().catch(() => undefined);
        await Promise.race([this.sleep(this.settings.pollMs), closed]);
      }
    } finally {
      this.client = null;
      if (client.usable) await client.logout().catch(() => client.close());
    }
    if (!this.stopped) throw new Error('the IMAP connection closed');
  }

  private async catchUp(client: ImapFlow): Promise<void> {
    const box = client.mailbox;
    if (!box) throw new Error(`mailbox ${this.mailbox} is not open`);
    const validity = String(box.uidValidity);
    const saved = await getUidCheckpoint(this.db.kysely, this.checkpointName);
    let last = 0;
    if (saved?.uidValidity === validity) last = saved.uid;
    else if (saved) {
      // The mailbox was recreated: its UIDs mean nothing now. Read it all again; Message-IDs keep it exactly-once.
      this.logger.warn({ channel: 'email', mailbox: this.mailbox }, 'UIDVALIDITY changed; re-reading the mailbox');
    }
    if (box.exists === 0) return;
    // `n:*` returns the last message even when its UID is below n: filter.
    const listed = (await client.fetchAll(`${last + 1}:*`, { uid: true, size: true }, { uid: true })).filter((m) => m.uid > last);
    listed.sort((a, b) => a.uid - b.uid);
    const cap = fetchCap(this.settings.maxAttachmentBytes);
    for (let i = 0; i < listed.length && !this.stopped; i += BATCH) {
      const batch = listed.slice(i, i + BATCH);
      const small = batch.filter((m) => (m.size ?? 0) <= cap).map((m) => m.uid);
      const large = batch.filter((m) => (m.size ?? 0) > cap).map((m) => m.uid);
      const sources = new Map<number, { source: Buffer; truncated: boolean }>();
      if (small.length > 0) {
        for (const m of await client.fetchAll(small.join(','), { uid: true, source: true }, { uid: true })) {
          if (m.source) sources.set(m.uid, { source: m.source, truncated: false });
        }
      }
      if (large.length > 0) {
        // Huge mail: headers and the first parts (the text comes first) are enough; attachments are listed as oversize.
        for (const m of await client.fetchAll(large.join(','), { uid: true, source: { maxLength: cap } }, { uid: true })) {
          if (m.source) sources.set(m.uid, { source: m.source, truncated: true });
        }
      }
      const fetched = batch.flatMap(({ uid }) => {
        const source = sources.get(uid);
        return source ? [{ mailbox: this.mailbox, uid, uidValidity: validity, ...source }] : [];
      });
      if (this.stopped) return;
      this.giveUpOrThrow(fetched, await this.handle(fetched));
      const done = batch.map((m) => m.uid);
      if (done.length === 0) return;
      await setUidCheckpoint(this.db.kysely, this.checkpointName, { uidValidity: validity, uid: done[done.length - 1]! }, Date.now());
      await this.markProcessed(client, done);
    }
  }

  /**
   * A failure (the database away, a bug) ends the session and the batch is read again after
   * the reconnect (what was handled is found done); a mail that fails MAX_ATTEMPTS times in a
   * row is skipped and logged, so one bad mail cannot stop the mailbox.
   */
  private giveUpOrThrow(mails: FetchedMail[], errors: Array<unknown | null>): void {
    let first: unknown = null;
    mails.forEach((mail, i) => {
      const error = errors[i];
      if (error === null || error === undefined) {
        this.failures.delete(mail.uid);
        return;
      }
      const attempts = (this.failures.get(mail.uid) ?? 0) + 1;
      this.failures.set(mail.uid, attempts);
      if (attempts < MAX_ATTEMPTS) {
        first ??= error;
        return;
      }
      this.failures.delete(mail.uid);
      this.logger.error({ err: error, channel: 'email', mailbox: this.mailbox, uid: mail.uid }, 'a mail failed repeatedly and was skipped');
    });
    if (first !== null) throw first;
  }

  private async markProcessed(client: ImapFlow, uids: number[]): Promise<void> {
    const range = uids.join(',');
    const action = this.settings.processed;
    if (action.kind === 'seen') await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
    else await client.messageMove(range, action.folder, { uid: true });
  }
}

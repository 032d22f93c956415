/**
 * The e-mail channel: IMAP in (client.ts watches each mailbox -> inbound.ts stores each mail
 * once and decides its automatic reply), SMTP out (outbound.ts, called by the outbox
 * dispatcher). See README.md.
 */
import { listOf } from '../../src/config.js';
import { mask } from '../../src/logger.js';
import type { ChannelAdapter, ChannelDeps, ChannelFactory } from '../types.js';
import { MailboxWatcher } from './client.js';
import { emailCapabilities, emailSettingsFrom, ownAddresses, type EmailSettings } from './definition.js';
import { MailIngest, type FetchedMail } from './inbound.js';
import { MailSender, messageIdFor } from './outbound.js';
import { runOrdered } from './ordered.js';
import type { Faq, RespondContext } from './respond.js';
import { MailTemplates } from './templates.js';

export interface EmailChannelOptions {
  /** The FAQ used for automatic answers; default: the one the gateway loads (FAQ_FILES, FAQ_DEMO), loaded on first use. */
  faq?: Faq | null;
  templates?: MailTemplates;
  now?: () => number;
}

export interface EmailChannel extends ChannelAdapter {
  /** Handle one fetched mail as the watcher does (tests, the bench). */
  ingest(mail: FetchedMail): ReturnType<MailIngest['handle']>;
  watchers: readonly MailboxWatcher[];
}

// The gateway's own FAQ (FAQ_FILES / FAQ_DEMO), loaded once for every channel.
async function loadFaq(deps: ChannelDeps): Promise<Faq> {
  return deps.nlu.faq;
}

/**
 * Builds the channel. `deps` is read only when mail arrives or is sent, never here, so a
 * caller may hand in dependencies that are completed after construction.
 */
export function buildEmailChannel(deps: ChannelDeps, settings: EmailSettings, options: EmailChannelOptions = {}): EmailChannel {
  const templates = options.templates ?? MailTemplates.load();
  const config = deps.config as unknown as Record<string, unknown>;
  const defaultLocale = deps.config.DEFAULT_LOCALE;
  let faq: Faq | null = options.faq === undefined ? null : options.faq;
  let faqLoading: Promise<void> | null = null;
  const ctx: RespondContext = {
    settings, own: ownAddresses(settings), templates, defaultLocale, faq: () => faq,
    messageIdFor: (id) => messageIdFor(settings, id),
  };
  const ingest = new MailIngest(deps, ctx, options.now);
  const sender = new MailSender(deps.db, settings, templates, defaultLocale);
  const handle = async (mail: FetchedMail) => {
    if (options.faq === undefined && !faqLoading) faqLoading = loadFaq(deps).then((loaded) => { faq = loaded; });
    await faqLoading;
    const result = await ingest.handle(mail);
    deps.logger.debug({ channel: 'email', mailbox: mail.mailbox, uid: mail.uid, via: result.thread.via, decision: result.decision, duplicate: result.duplicate }, 'mail handled');
    return result;
  };
  const handleBatch = async (mails: FetchedMail[]): Promise<Array<unknown | null>> => {
    if (options.faq === undefined && !faqLoading) faqLoading = loadFaq(deps).then((loaded) => { faq = loaded; });
    await faqLoading;
    const prepared = await Promise.all(mails.map((m) => ingest.prepare(m).catch((error: unknown) => ({ error }))));
    const results = await runOrdered(prepared, (p) => ('keys' in p ? p.keys : []), async (p) => {
      if (!('keys' in p)) throw p.error;
      return ingest.process(p);
    });
    return results.map((r) => (r.ok ? null : r.error ?? new Error('mail handling failed')));
  };
  const watchers = settings.mailboxes.map((mailbox) => new MailboxWatcher(settings, mailbox, deps.db, deps.logger, handleBatch));

  return {
    name: 'email',
    capabilities: emailCapabilities,
    watchers,
    ingest: handle,
    send: (conversation, part) => sender.send(conversation, part),
    async start() {
      deps.logger.info({ channel: 'email', mailboxes: settings.mailboxes, user: mask(settings.imap.user) }, 'watching IMAP mailboxes');
      for (const watcher of watchers) watcher.start();
    },
    async stop() {
      await Promise.all(watchers.map((w) => w.stop()));
      sender.close();
    },
  };
}

/** The registry's factory: settings from the parsed configuration; null when IMAP is not configured. */
export const createEmailChannel: ChannelFactory = (deps) => {
  const settings = emailSettingsFrom(deps.config as unknown as Record<string, unknown>);
  return settings ? buildEmailChannel(deps, settings) : null;
};

export { emailSettingsFrom, type EmailSettings } from './definition.js';

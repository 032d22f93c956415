/**
 * One webhook request, from verification to the answer:
 *   verify (signature; msg_signature and decryption in safe mode) -> parse (xml.ts) ->
 *   normalise (inbound.ts) -> pipeline.ingest -> passive reply within the deadline, or `success`.
 * Failures before ingest are KefuErrors (401/400/413 as JSON, nothing stored); after it,
 * WeChat always gets a valid answer.
 */
import { z } from 'zod';
import type { InboundMessageInput } from '../../src/contract.js';
import { KefuError } from '../../src/errors.js';
import type { Handled } from '../../src/pipeline/pipeline.js';
import type { Q } from '../../src/store/index.js';
import { parseOr400 } from '../../src/server/http.js';
import type { ChannelDeps } from '../types.js';
import type { AccountRuntime, WechatAccounts } from './accounts.js';
import { decryptWithKeys } from './crypto.js';
import { quotaGrantOf, wechatInbound } from './inbound.js';
import { joinReplies, passiveText, passiveTransfer, sealReply, type ReplyTo } from './outbound.js';
import { InflightMessages, takeReplies, withTimeout, type Outcome } from './passive.js';
import type { Grant, ReplyQuota } from './quota.js';
import { signatureMatches } from './signature.js';
import { writeSoon } from './store.js';
import { field, parseWechatXml, type XmlNode } from './xml.js';
import { DEFAULT_SLA } from '../../src/handoff/sla.js';
import { transition } from '../../src/handoff/takeover.js';

export interface WebhookOptions {
  passiveDeadlineMs: number;
  maxTextLength: number;
  handoffTarget: 'kefu' | 'wechat';
  now: () => number;
  /** Tests pin the 16 random bytes of safe-mode replies. */
  randomPrefix?: () => Buffer;
}

export interface WebhookAnswer {
  contentType: string;
  body: string;
}

const SUCCESS: WebhookAnswer = { contentType: 'text/plain; charset=utf-8', body: 'success' };

const Query = z.object({
  signature: z.string().max(128).optional(),
  msg_signature: z.string().max(128).optional(),
  timestamp: z.string().regex(/^\d{1,12}$/, 'must be a Unix time'),
  nonce: z.string().min(1).max(64),
  echostr: z.string().min(1).max(2048).optional(),
  encrypt_type: z.string().max(16).optional(),
  openid: z.string().max(128).optional(),
});

/** One request's way to its answer (a first copy or a retry that answers for it). */
interface Answering {
  handled: Promise<Handled>;
  conversationId: string;
  deadline: number;
  alive: () => boolean;
  reply: { to: ReplyTo; encrypted: boolean; keyIndex: number };
  settle: (outcome: Outcome) => void;
  /** A first copy's customer-service window (quota.ts), if the message opens one. */
  window?: { threadKey: string; grant: Grant; at: number };
}

const unauthorized = () => new KefuError('unauthorized', 'signature does not match');

export class WechatWebhook {
  private readonly inflight: InflightMessages;

  constructor(
    private readonly deps: ChannelDeps,
    private readonly accounts: WechatAccounts,
    private readonly quota: ReplyQuota,
    private readonly options: WebhookOptions,
  ) {
    this.inflight = new InflightMessages(options.now);
  }

  /** GET: the URL check. Plain mode echoes `echostr`; with msg_signature it is encrypted (WeCom-style). */
  verifyUrl(account: AccountRuntime, rawQuery: unknown): string {
    const q = parseOr400(Query, rawQuery);
    const { token, appId } = account.settings;
    if (!q.echostr) throw new KefuError('validation_failed', 'echostr: required');
    if (q.msg_signature !== undefined) {
      if (!signatureMatches(q.msg_signature, [token, q.timestamp, q.nonce, q.echostr])) throw unauthorized();
      const plain = decryptWithKeys(q.echostr, appId ?? '', account.keys);
      if (!plain.ok) throw new KefuError('bad_request', `echostr cannot be decrypted (${plain.reason})`);
      return plain.message;
    }
    if (!signatureMatches(q.signature, [token, q.timestamp, q.nonce])) throw unauthorized();
    return q.echostr;
  }

  /** POST: a message or event. */
  async receive(account: AccountRuntime, input: { query: unknown; body: unknown; alive: () => boolean }): Promise<WebhookAnswer> {
    const receivedAt = this.options.now();
    const q = parseOr400(Query, input.query);
    const { token } = account.settings;
    // First, before the body is even looked at: nothing unsigned is parsed or stored.
    if (!signatureMatches(q.signature, [token, q.timestamp, q.nonce])) throw unauthorized();
    if (typeof input.body !== 'string') throw new KefuError('unsupported_media_type', 'WeChat messages are XML (text/xml)');
    const { xml, keyIndex } = this.open(account, q, input.body);
    const parsed = wechatInbound(xml, receivedAt);
    if (!parsed.ok) throw this.rejected('bad_request', `not a WeChat message: ${parsed.reason}`);
    const inbound = parsed.message;
    const [originalId = '', openid = ''] = inbound.threadKey.split(':');
    await this.accounts.remember(originalId, account.settings.name, receivedAt);

    const ingested = await this.deps.pipeline.ingest(inbound);
    const deadline = receivedAt + this.options.passiveDeadlineMs;
    const reply = { to: { account: originalId, openid }, encrypted: q.encrypt_type === 'aes', keyIndex: keyIndex ?? 0 };
    const key = `${account.settings.name}:${inbound.channelMessageId}`;

    if (ingested.duplicate) {
      const retry = await this.inflight.retry(key, deadline - this.options.now());
      if (!retry.handled) return SUCCESS;
      return this.answer(account, { handled: retry.handled, conversationId: ingested.conversationId, deadline, alive: input.alive, reply, settle: retry.settle });
    }
    const grant = quotaGrantOf(inbound);
    if (inbound.kind === 'event' && inbound.event === 'unsubscribe') this.closeAfter(ingested.handled, inbound);
    const settle = this.inflight.first(key, ingested.handled);
    return this.answer(account, {
      handled: ingested.handled, conversationId: ingested.conversationId, deadline, alive: input.alive, reply, settle,
      window: grant ? { threadKey: inbound.threadKey, grant, at: receivedAt } : undefined,
    });
  }

  /** The message's XML: parsed as is, or taken out of the safe-mode envelope. */
  private open(account: AccountRuntime, q: z.infer<typeof Query>, body: string): { xml: XmlNode; keyIndex?: number } {
    const outer = parseWechatXml(body);
    if (!outer.ok) throw this.rejected(outer.reason === 'xml_too_large' ? 'payload_too_large' : 'bad_request', outer.message);
    if (q.encrypt_type !== 'aes') return { xml: outer.root };
    const encrypt = field(outer.root, 'Encrypt');
    if (!encrypt) throw this.rejected('bad_request', 'encrypt_type=aes but the body has no <Encrypt>');
    if (!signatureMatches(q.msg_signature, [account.settings.token, q.timestamp, q.nonce, encrypt])) throw unauthorized();
    if (account.keys.length === 0) {
      this.deps.logger.error({ channel: 'wechat', account: account.settings.name }, 'WeChat sends safe-mode messages but no EncodingAESKey is configured');
      throw new KefuError('bad_request', 'this account has no EncodingAESKey configured');
    }
    const plain = decryptWithKeys(encrypt, account.settings.appId ?? '', account.keys);
    if (!plain.ok) {
      // Signed with our token, yet unreadable: a key that no longer matches the console's.
      this.deps.logger.error({ channel: 'wechat', account: account.settings.name, reason: plain.reason }, 'a signed safe-mode message cannot be decrypted: check WECHAT_ENCODING_AES_KEY');
      throw new KefuError(plain.reason === 'appid_mismatch' ? 'unauthorized' : 'bad_request', `the message cannot be decrypted (${plain.reason})`);
    }
    if (plain.keyIndex === 1) this.deps.logger.info({ channel: 'wechat', account: account.settings.name }, 'message decrypted with the previous EncodingAESKey');
    const inner = parseWechatXml(plain.message);
    if (!inner.ok) throw this.rejected(inner.reason === 'xml_too_large' ? 'payload_too_large' : 'bad_request', inner.message);
    return { xml: inner.root, keyIndex: plain.keyIndex };
  }

  /**
   * Wait for the answer until the deadline; reply passively if the connection is still there.
   * One write per request (store.ts `writeSoon`): the customer's new customer-service window
   * (quota.ts) and the replies taken for the answer.
   */
  private async answer(account: AccountRuntime, a: Answering): Promise<WebhookAnswer> {
    const outcome = await withTimeout(a.handled, a.deadline - this.options.now());
    const now = this.options.now();
    const gone = !a.alive();
    const late = !outcome || now > a.deadline;
    // WeChat's own agents take the customer; our replies (the hand-over notice) follow by API.
    const transfer = !!outcome && this.options.handoffTarget === 'wechat' && (outcome.status === 'queued' || outcome.status === 'human');
    const replies = outcome && !gone && !late && !transfer ? outcome.replies : null;
    const texts = replies || a.window ? await writeSoon(this.deps.db, async (q) => {
      if (a.window) await this.recordWindow(q, a.window);
      return replies ? takeReplies(q, a.conversationId, replies, this.options.maxTextLength, now) : [];
    }) : [];
    if (gone) {
      a.settle('abandoned');
      return SUCCESS;
    }
    if (late || (!transfer && texts.length === 0)) {
      a.settle('acknowledged');
      return SUCCESS;
    }
    const xml = transfer ? passiveTransfer(a.reply.to, now) : passiveText(a.reply.to, joinReplies(texts), now);
    a.settle('replied');
    if (!a.reply.encrypted) return { contentType: 'text/xml; charset=utf-8', body: xml };
    const { token, appId = '' } = account.settings;
    // Sealed with the key that opened the message: during a rotation WeChat reads both.
    const key = account.keys[a.reply.keyIndex] ?? account.keys[0]!;
    return { contentType: 'text/xml; charset=utf-8', body: sealReply(xml, { token, appId, key, now, randomPrefix: this.options.randomPrefix?.() }) };
  }

  /**
   * Recorded with the answer rather than at once: the pipeline answers before `ingest`
   * resolves, so this is the same moment, and it shares the take's write. A failure is
   * logged, not thrown: it costs at most a send refused by WeChat later, never the reply.
   */
  private async recordWindow(q: Q, w: NonNullable<Answering['window']>): Promise<void> {
    await this.quota.openedIn(q, w.threadKey, w.grant, w.at)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, channel: 'wechat' }, 'recording the customer-service window failed'));
  }

  /** Unfollowing ends the conversation: WeChat refuses every message to the customer from now on. */
  private closeAfter(handled: Promise<Handled>, inbound: InboundMessageInput): void {
    void handled.then(async (done) => {
      // Through the one takeover state machine, like every other change of who holds it.
      await this.deps.pipeline.writeInThread('wechat', inbound.threadKey, (q) => transition({ q, sla: DEFAULT_SLA, actor: null, now: this.options.now() }, done.conversationId,
        { kind: 'close', resolution: 'the customer unfollowed the account' }));
      this.deps.hub.notify({ id: done.conversationId, channel: 'wechat', threadKey: inbound.threadKey });
    }).catch((error: unknown) => this.deps.logger.warn({ err: error, channel: 'wechat' }, 'closing an unfollowed conversation failed'));
  }

  /** A refused payload is logged (size and reason, never content) before the error answer. */
  private rejected(code: 'bad_request' | 'payload_too_large', message: string): KefuError {
    this.deps.logger.warn({ channel: 'wechat', reason: message }, 'WeChat webhook payload refused');
    return new KefuError(code, message);
  }
}

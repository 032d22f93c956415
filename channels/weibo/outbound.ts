/**
 * The dispatcher's way out (`send`), by what a reply answers:
 *  - the channel's public reply (`meta.weiboPost`): a comment on the status
 *    (comments/create) or a reply to the comment (comments/reply), claimed first so it is
 *    posted at most once;
 *  - the channel's private invitation after a public complaint (`meta.weiboInvite`): the one
 *    private message Weibo allows after an @-mention (messages/reply.json on the fan-service
 *    host), claimed first so it is sent at most once, whatever the 48-hour window says;
 *  - a reply whose latest customer message is a public post: the bot's text is withheld
 *    (the public reply above speaks for it; the dialog text stays in the transcript for
 *    agents, its outbox entry records why it was not posted); an agent's text is posted as a
 *    reply comment when it fits 140 characters;
 *  - otherwise a private message (messages/reply.json), inside 48 h of the customer's last
 *    private message.
 */
import type { Conversation } from '../../src/contract.js';
import type { Db } from '../../src/storage/db.js';
import type { Logger } from '../../src/logger.js';
import type { OutboundPart, SendResult } from '../types.js';
import type { WeiboApi } from './client.js';
import { PRIVATE_REPLY_WINDOW_MS, PUBLIC_MAX_CHARS } from './definition.js';
import { uidOfThread } from './inbound.js';
import { claimInvite, claimReply, getPost, markInviteSent, markReplied, releaseInvite, releaseReply, type WeiboPostsTable } from './posts.js';
import { weiboLength } from './triage.js';

export const WITHHELD = 'weibo: withheld — a public post is answered only by the channel\'s public reply (see channels/weibo/README.md)';

export class WeiboSender {
  constructor(private readonly deps: { db: Db; logger: Logger }, private readonly api: WeiboApi, private readonly now: () => number = Date.now) {}

  async send(conversation: Conversation, part: OutboundPart): Promise<SendResult> {
    const postKey = typeof part.meta?.weiboPost === 'string' ? part.meta.weiboPost : undefined;
    if (postKey) return this.publicReply(postKey, part.text);
    const invitedFor = typeof part.meta?.weiboInvite === 'string' ? part.meta.weiboInvite : undefined;
    if (invitedFor) return this.privateInvite(invitedFor, part.text);
    const trigger = await this.triggerOf(conversation.id, part.messageId);
    if (!trigger) return { ok: false, retryable: false, error: 'weibo: no customer message to answer in this conversation' };
    if (trigger.public) {
      if (trigger.authorKind === 'bot') return { ok: false, retryable: false, error: WITHHELD };
      const post = trigger.channelMessageId ? await getPost(this.deps.db.kysely, trigger.channelMessageId) : undefined;
      if (!post) return { ok: false, retryable: false, error: 'weibo: the public post this answers is unknown' };
      if (weiboLength(part.text) > PUBLIC_MAX_CHARS) {
        return { ok: false, retryable: false, error: `weibo: over ${PUBLIC_MAX_CHARS} characters for a public comment; answer in a private message` };
      }
      return this.post(post, part.text);
    }
    const uid = uidOfThread(conversation.threadKey);
    if (!uid) return { ok: false, retryable: false, error: 'weibo: the conversation has no Weibo uid' };
    if (this.now() - trigger.createdAt > PRIVATE_REPLY_WINDOW_MS) {
      return { ok: false, retryable: false, error: 'weibo: more than 48 hours since the customer\'s last private message (Weibo refuses the reply)' };
    }
    const sent = await this.api.privateReply(uid, part.text);
    return sent.ok ? { ok: true } : { ok: false, retryable: sent.retryable, error: `weibo ${sent.error}` };
  }

  private async publicReply(postKey: string, text: string): Promise<SendResult> {
    const { db, logger } = this.deps;
    const post = await getPost(db.kysely, postKey);
    if (!post) return { ok: false, retryable: false, error: `weibo: unknown post ${postKey}` };
    if (post.replied_at !== null) return { ok: true, channelMessageId: post.reply_id ?? undefined };
    if (!(await claimReply(db.kysely, postKey, this.now()))) {
      // Claimed before and never confirmed: a crash or a timeout mid-post. Posting again could
      // make two comments; an agent checks the post instead.
      logger.warn({ channel: 'weibo', post: postKey }, 'the public reply may have been posted already; not posted again');
      return { ok: false, retryable: false, error: 'weibo: the public reply was attempted before and not confirmed; check the post before answering again' };
    }
    return this.post(post, text, true);
  }

  /** The private message after an @-mention: to the post's author, once. */
  private async privateInvite(postKey: string, text: string): Promise<SendResult> {
    const { db, logger } = this.deps;
    const post = await getPost(db.kysely, postKey);
    if (!post) return { ok: false, retryable: false, error: `weibo: unknown post ${postKey}` };
    if (post.invite_sent_at !== null) return { ok: true };
    if (!(await claimInvite(db.kysely, postKey, this.now()))) {
      logger.warn({ channel: 'weibo', post: postKey }, 'the private invitation may have been sent already; not sent again');
      return { ok: false, retryable: false, error: 'weibo: the private invitation was attempted before and not confirmed (Weibo allows one message after a mention)' };
    }
    const sent = await this.api.privateReply(post.author_uid, text);
    if (sent.ok) {
      await markInviteSent(db.kysely, postKey, this.now());
      return { ok: true };
    }
    const retryable = sent.retryable && !sent.error.endsWith('timed out');
    await releaseInvite(db.kysely, postKey, sent.error, this.now(), retryable);
    return { ok: false, retryable, error: `weibo ${sent.error}` };
  }

  private async post(post: WeiboPostsTable, text: string, claimed = false): Promise<SendResult> {
    const { db } = this.deps;
    const id = post.key.slice(post.key.indexOf(':') + 1);
    const result = post.kind === 'comment' ? await this.api.replyToComment(id, post.status_id, text) : await this.api.comment(post.status_id, text);
    if (result.ok) {
      if (claimed) await markReplied(db.kysely, post.key, result.body.id, this.now());
      return { ok: true, channelMessageId: result.body.id };
    }
    // Refused before anything was posted: the claim is given back so the dispatcher's retry
    // may post. A timeout is ambiguous (Weibo may have posted): kept claimed, not retried.
    const ambiguous = result.error.endsWith('timed out');
    const retryable = result.retryable && !ambiguous;
    if (claimed) await releaseReply(db.kysely, post.key, result.error, this.now(), retryable);
    return { ok: false, retryable, error: `weibo ${result.error}` };
  }

  /** The customer message a reply answers: the latest inbound message before it. */
  private async triggerOf(conversationId: string, messageId: string) {
    const q = this.deps.db.kysely;
    const out = await q.selectFrom('messages').select(['seq', 'author_kind']).where('id', '=', messageId).executeTakeFirst();
    if (!out) return undefined;
    const inbound = await q.selectFrom('messages').select(['meta', 'channel_message_id', 'created_at'])
      .where('conversation_id', '=', conversationId).where('direction', '=', 'in').where('seq', '<', out.seq)
      .orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (!inbound) return undefined;
    let isPublic = false;
    try {
      isPublic = (JSON.parse(inbound.meta) as { public?: unknown }).public === true;
    } catch {
      isPublic = false;
    }
    return { public: isPublic, channelMessageId: inbound.channel_message_id, createdAt: inbound.created_at, authorKind: out.author_kind };
  }
}

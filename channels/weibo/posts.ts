/**
 * The `weibo_posts` table (src/storage/migrations/004-weibo.ts, 009-weibo-private-invite.ts):
 * every public post that mentions the account, its grade and state, its public reply, and the
 * private invitation sent after a complaint's acknowledgement. The claim columns make both
 * at-most-once: a post is claimed before the comment (or the private message) is sent, so a
 * crash in between (or a retried send) never sends a second one; an agent sees the post as
 * claimed-but-unconfirmed instead.
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../src/storage/db.js';
import type { Q } from '../../src/store/index.js';
import type { WeiboPost } from './inbound.js';
import type { PostGrade, PostKind } from './triage.js';

export type PostState = 'new' | 'acknowledged' | 'handed_over' | 'ignored';
export const POST_STATES: readonly PostState[] = ['new', 'acknowledged', 'handed_over', 'ignored'];

export interface WeiboPostsTable {
  key: string;
  kind: string;
  status_id: string;
  author_uid: string;
  author_name: string | null;
  text: string;
  link: string;
  posted_at: number;
  conversation_id: string | null;
  triage_kind: string | null;
  intent: string | null;
  severity: string;
  category: string | null;
  form: string | null;
  nature: string | null;
  reasons: string;
  priority: string;
  state: string;
  triaged_at: number | null;
  reply_text: string | null;
  reply_queued_at: number | null;
  reply_claimed_at: number | null;
  reply_id: string | null;
  replied_at: number | null;
  reply_error: string | null;
  invite_text: string | null;
  invite_queued_at: number | null;
  invite_claimed_at: number | null;
  invite_sent_at: number | null;
  invite_error: string | null;
  created_at: number;
  updated_at: number;
}

type Tables = { weibo_posts: WeiboPostsTable };
/** The store's runner seen with this channel's table (the shared schema does not list it). */
const t = (q: Q | Db['kysely']): Kysely<Tables> => (q as unknown as Kysely<object>).withTables<Tables>() as unknown as Kysely<Tables>;

/** Record a post the first time it is seen; later sightings change nothing. */
export async function recordPost(q: Q | Db['kysely'], post: WeiboPost, now: number): Promise<void> {
  await t(q).insertInto('weibo_posts').values({
    key: post.key, kind: post.kind, status_id: post.statusId, author_uid: post.authorUid, author_name: post.authorName ?? null,
    text: post.text, link: post.link, posted_at: post.createdAt, conversation_id: null, triage_kind: null, intent: null,
    severity: 'none', category: null, form: null, nature: null, reasons: '[]', priority: 'normal', state: 'new', triaged_at: null,
    reply_text: null, reply_queued_at: null, reply_claimed_at: null, reply_id: null, replied_at: null, reply_error: null,
    invite_text: null, invite_queued_at: null, invite_claimed_at: null, invite_sent_at: null, invite_error: null,
    created_at: now, updated_at: now,
  }).onConflict((oc) => oc.column('key').doNothing()).execute();
}

export async function getPost(q: Q | Db['kysely'], key: string): Promise<WeiboPostsTable | undefined> {
  return t(q).selectFrom('weibo_posts').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function saveTriage(
  q: Q | Db['kysely'], key: string,
  g: { kind: PostKind; grade: PostGrade; priority: string; state: PostState; conversationId: string }, now: number,
): Promise<void> {
  await t(q).updateTable('weibo_posts').set({
    triage_kind: g.kind, intent: g.grade.intent, severity: g.grade.severity, category: g.grade.category, form: g.grade.form,
    nature: g.grade.nature, reasons: JSON.stringify(g.grade.reasons), priority: g.priority, state: g.state,
    conversation_id: g.conversationId, triaged_at: now, updated_at: now,
  }).where('key', '=', key).execute();
}

/** Mark the public reply queued; false when it was queued before (a re-read post). */
export async function markReplyQueued(q: Q, key: string, text: string, now: number): Promise<boolean> {
  const result = await t(q).updateTable('weibo_posts').set({ reply_text: text, reply_queued_at: now, updated_at: now })
    .where('key', '=', key).where('reply_queued_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Take the right to post the reply; false when it was taken before (never post twice). */
export async function claimReply(q: Q | Db['kysely'], key: string, now: number): Promise<boolean> {
  const result = await t(q).updateTable('weibo_posts').set({ reply_claimed_at: now, updated_at: now })
    .where('key', '=', key).where('reply_claimed_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The comment was posted: `acknowledged`, unless the post is already with a person. */
export async function markReplied(q: Q | Db['kysely'], key: string, replyId: string, now: number): Promise<void> {
  await t(q).updateTable('weibo_posts').set({ reply_id: replyId, replied_at: now, reply_error: null, updated_at: now }).where('key', '=', key).execute();
  await t(q).updateTable('weibo_posts').set({ state: 'acknowledged' }).where('key', '=', key).where('state', 'in', ['new', 'ignored']).execute();
}

/** Posting failed in a way a retry may fix: give the claim back. */
export async function releaseReply(q: Q | Db['kysely'], key: string, error: string, now: number, retry: boolean): Promise<void> {
  await t(q).updateTable('weibo_posts').set({ reply_error: error.slice(0, 500), updated_at: now, ...(retry ? { reply_claimed_at: null } : {}) })
    .where('key', '=', key).execute();
}

/** How long after inviting an author in private no second invitation is queued (whatever they post). */
export const INVITE_COOLDOWN_MS = 24 * 3600_000;

/**
 * Mark the private invitation queued; false when this post had one, or its author was invited
 * within the cooldown (several complaining posts in a row get one invitation, not one each).
 */
export async function markInviteQueued(q: Q, post: Pick<WeiboPostsTable, 'key' | 'author_uid'>, text: string, now: number): Promise<boolean> {
  const recent = await t(q).selectFrom('weibo_posts').select('key').where('author_uid', '=', post.author_uid)
    .where('invite_queued_at', '>', now - INVITE_COOLDOWN_MS).limit(1).executeTakeFirst();
  if (recent) return false;
  const result = await t(q).updateTable('weibo_posts').set({ invite_text: text, invite_queued_at: now, updated_at: now })
    .where('key', '=', post.key).where('invite_queued_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Take the right to send the invitation; false when it was taken before (Weibo allows one). */
export async function claimInvite(q: Q | Db['kysely'], key: string, now: number): Promise<boolean> {
  const result = await t(q).updateTable('weibo_posts').set({ invite_claimed_at: now, updated_at: now })
    .where('key', '=', key).where('invite_claimed_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markInviteSent(q: Q | Db['kysely'], key: string, now: number): Promise<void> {
  await t(q).updateTable('weibo_posts').set({ invite_sent_at: now, invite_error: null, updated_at: now }).where('key', '=', key).execute();
}

/** Sending the invitation failed: the error is kept; the claim is given back only when a retry may work. */
export async function releaseInvite(q: Q | Db['kysely'], key: string, error: string, now: number, retry: boolean): Promise<void> {
  await t(q).updateTable('weibo_posts').set({ invite_error: error.slice(0, 500), updated_at: now, ...(retry ? { invite_claimed_at: null } : {}) })
    .where('key', '=', key).execute();
}

export async function setState(q: Q | Db['kysely'], key: string, state: PostState, now: number): Promise<void> {
  await t(q).updateTable('weibo_posts').set({ state, updated_at: now }).where('key', '=', key).execute();
}

/** The triage view: most severe first, newest first within a severity. */
export async function listPosts(
  q: Q | Db['kysely'], filter: { severity?: string[]; state?: string[]; limit: number },
): Promise<WeiboPostsTable[]> {
  let query = t(q).selectFrom('weibo_posts').selectAll();
  if (filter.severity?.length) query = query.where('severity', 'in', filter.severity);
  if (filter.state?.length) query = query.where('state', 'in', filter.state);
  const rank = sql<number>`case severity when 'critical' then 0 when 'serious' then 1 when 'general' then 2 else 3 end`;
  return query.orderBy(rank).orderBy('posted_at', 'desc').limit(filter.limit).execute();
}

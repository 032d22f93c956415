/**
 * A public post, from the poller to its public reply:
 *   record (posts table) -> grade (understanding, `channel: 'weibo'`) -> pipeline.ingest
 *   (`public: true`; the dialog answers, hands a critical complaint to a supervisor) ->
 *   a serious (or critical) complaint the dialog kept goes to the queue with its priority ->
 *   the public reply (triage.ts) queued in the outbox with `meta.weiboPost`, once per post ->
 *   after a complaint's acknowledgement, the one private message Weibo allows after an
 *   @-mention (channels.md), inviting the customer to continue there (`meta.weiboInvite`),
 *   once per post and at most once a day per author.
 * The dialog's own replies to the post are withheld at send time (outbound.ts): in public only
 * the triage reply appears; the conversation continues in private.
 */
import { DEFAULT_SLA } from '../../src/handoff/sla.js';
import { transition } from '../../src/handoff/takeover.js';
import * as store from '../../src/store/index.js';
import { localeFor, type Locale, type Templates } from '../../src/templates/index.js';
import type { ChannelDeps } from '../types.js';
import type { PublicPolicy } from './definition.js';
import { postMessage, type WeiboPost } from './inbound.js';
import { getPost, markInviteQueued, markReplyQueued, recordPost, saveTriage, type PostState } from './posts.js';
import { forbiddenIn, kindOf, priorityOf, publicReplyFor, type PostGrade, type PostKind } from './triage.js';

type GradeOf = { severity: string; category: string | null; form: string | null; nature: string | null; reasons: string[] };

/** The understanding the channel grades posts with (src/nlu's `understand` and `grade`). */
export interface Grader {
  understand(text: string, ctx: { channel: string }): { intent: string; language: 'zh' | 'en'; grade: GradeOf; praise?: boolean };
  /** The complaint grade whatever the intent: for a post the channel takes as a complaint when the intent model did not. */
  grade?(text: string, ctx: { channel: string }): GradeOf;
}

export interface PublicPostDeps {
  deps: ChannelDeps;
  grader: () => Grader;
  templates: Templates;
  policy: PublicPolicy;
  defaultLocale: Locale;
  now: () => number;
}

const SEVERITIES = new Set(['none', 'general', 'serious', 'critical']);

const severityOf = (value: string): PostGrade['severity'] => (SEVERITIES.has(value) ? value as PostGrade['severity'] : 'none');

export function gradePost(grader: Grader, text: string): PostGrade {
  if (!text.trim()) return { intent: 'other', severity: 'none', category: null, form: null, nature: null, reasons: [], language: 'zh', praise: false };
  const u = grader.understand(text, { channel: 'weibo' });
  return {
    intent: u.intent, severity: severityOf(u.grade.severity), category: u.grade.category, form: u.grade.form, nature: u.grade.nature,
    reasons: u.grade.reasons, language: u.language, ...(u.praise !== undefined ? { praise: u.praise } : {}),
  };
}

/**
 * The post's grade and kind. A post the channel takes as a complaint although the intent model
 * did not (a complaint cue beside praise words, or in a post that asks nothing: triage.ts) is
 * graded as one, at least general.
 */
export function triagePost(grader: Grader, text: string): { grade: PostGrade; kind: PostKind } {
  const grade = gradePost(grader, text);
  const kind = kindOf(grade, text);
  if (kind !== 'complaint' || grade.severity !== 'none') return { grade, kind };
  const g = grader.grade?.(text, { channel: 'weibo' });
  const severity = g ? severityOf(g.severity) : 'none';
  const reasons = ['complaint cue in a post not read as a complaint: taken as one', ...(g?.reasons ?? [])];
  return {
    grade: { ...grade, severity: severity === 'none' ? 'general' : severity, category: g?.category ?? null, form: g?.form ?? null, nature: g?.nature ?? null, reasons, praise: false },
    kind,
  };
}

export async function handlePublicPost(p: PublicPostDeps, post: WeiboPost): Promise<void> {
  const { db, pipeline, logger, hub } = p.deps;
  const receivedAt = p.now();
  await recordPost(db.kysely, post, receivedAt);
  // Triaged before (a re-read page, a restart): nothing more to do, nothing said twice.
  if ((await getPost(db.kysely, post.key))?.triaged_at != null) return;

  const { grade, kind } = triagePost(p.grader(), post.text);
  const priority = priorityOf(grade);
  const message = postMessage(post, receivedAt);
  const ingested = await pipeline.ingest(message);
  const handled = await ingested.handled;
  let status = handled.status;

  if (kind === 'complaint' && priority !== 'normal' && status === 'bot') {
    // The dialog soothes and listens; on a public channel a serious complaint also waits for
    // a person, ahead of ordinary work (domain.md §1: 坐席沟通, stop it spreading). A critical
    // one the dialog did not hand over (the channel found the complaint, not the intent model)
    // goes the same way, with priority critical.
    status = await pipeline.writeInThread('weibo', message.threadKey, async (q) => {
      const after = await transition({ q, sla: DEFAULT_SLA, actor: null, now: p.now() }, ingested.conversationId,
        { kind: 'hand_over', priority, reason: `${priority} complaint in a public Weibo post`, severity: priority });
      return after.status;
    });
    hub.notify({ id: ingested.conversationId, channel: 'weibo', threadKey: message.threadKey });
  }

  const locale = localeFor(null, grade.language, p.defaultLocale);
  const ownReplies = handled.replies.map((r) => r.text);
  const reply = publicReplyFor(kind, grade, p.policy, p.templates, locale, ownReplies.length > 0 ? ownReplies.join('\n') : undefined);
  const state: PostState = status !== 'bot' ? 'handed_over' : reply.action === 'ignore' ? 'ignored' : 'new';
  if (reply.action === 'ignore' && kind === 'complaint') logger.error({ channel: 'weibo', post: post.key, reason: reply.reason }, 'a public complaint cannot be acknowledged');

  // The private invitation follows a complaint's public acknowledgement (so it is never sent
  // for a complaint that could not be acknowledged, nor for praise or questions).
  const invite = kind === 'complaint' && reply.action === 'reply' && p.templates.has('private.invite', locale) ? p.templates.render('private.invite', locale).trim() : '';
  let invited = false;
  await pipeline.writeInThread('weibo', message.threadKey, async (q) => {
    const now = p.now();
    await saveTriage(q, post.key, { kind, grade, priority, state, conversationId: ingested.conversationId }, now);
    if (reply.action !== 'reply' || !(await markReplyQueued(q, post.key, reply.text, now))) return;
    const queue = async (text: string, meta: Record<string, string>) => {
      const out = await store.insertOutbound(q, { conversationId: ingested.conversationId, channel: 'weibo', authorKind: 'bot', authorId: null, text, now });
      await store.enqueueOutbox(q, { messageId: out.id, conversationId: ingested.conversationId, channel: 'weibo', payload: { messageId: out.id, text, meta }, notBefore: now, now });
    };
    await queue(reply.text, { weiboPost: post.key });
    if (invite && forbiddenIn(invite).length === 0 && (await markInviteQueued(q, { key: post.key, author_uid: post.authorUid }, invite, now))) {
      await queue(invite, { weiboInvite: post.key });
      invited = true;
    }
  });
  hub.notify({ id: ingested.conversationId, channel: 'weibo', threadKey: message.threadKey });
  if (invite && forbiddenIn(invite).length > 0) logger.error({ channel: 'weibo', post: post.key, words: forbiddenIn(invite) }, 'the private invitation template contains words it must not use; not sent');
  logger.info({ channel: 'weibo', post: post.key, kind, severity: grade.severity, form: grade.form, state, reply: reply.action, invited }, 'Weibo post triaged');
}

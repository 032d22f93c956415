/**
 * A public post, from the poller to its public reply:
 *   record (posts table) -> grade (understanding, `channel: 'weibo'`) -> pipeline.ingest
 *   (`public: true`; the dialog answers, hands a critical complaint to a supervisor) ->
 *   a serious complaint the dialog kept goes to the queue with priority `serious` ->
 *   the public reply (triage.ts) queued in the outbox with `meta.weiboPost`, once per post.
 * The dialog's own replies to the post are withheld at send time (index.ts): in public only
 * the triage reply appears; the conversation continues in private.
 */
import { DEFAULT_SLA } from '../../src/handoff/sla.js';
import { transition } from '../../src/handoff/takeover.js';
import * as store from '../../src/store/index.js';
import { localeFor, type Locale, type Templates } from '../../src/templates/index.js';
import type { ChannelDeps } from '../types.js';
import type { PublicPolicy } from './definition.js';
import { postMessage, type WeiboPost } from './inbound.js';
import { getPost, markReplyQueued, recordPost, saveTriage, type PostState } from './posts.js';
import { kindOf, priorityOf, publicReplyFor, type PostGrade } from './triage.js';

/** The understanding the channel grades posts with (src/nlu's `understand`). */
export interface Grader {
  understand(text: string, ctx: { channel: string }): {
    intent: string;
    language: 'zh' | 'en';
    grade: { severity: string; category: string | null; form: string | null; nature: string | null; reasons: string[] };
  };
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

export function gradePost(grader: Grader, text: string): PostGrade {
  if (!text.trim()) return { intent: 'other', severity: 'none', category: null, form: null, nature: null, reasons: [], language: 'zh' };
  const u = grader.understand(text, { channel: 'weibo' });
  const severity = SEVERITIES.has(u.grade.severity) ? u.grade.severity as PostGrade['severity'] : 'none';
  return { intent: u.intent, severity, category: u.grade.category, form: u.grade.form, nature: u.grade.nature, reasons: u.grade.reasons, language: u.language };
}

export async function handlePublicPost(p: PublicPostDeps, post: WeiboPost): Promise<void> {
  const { db, pipeline, logger, hub } = p.deps;
  const receivedAt = p.now();
  await recordPost(db.kysely, post, receivedAt);
  // Triaged before (a re-read page, a restart): nothing more to do, nothing said twice.
  if ((await getPost(db.kysely, post.key))?.triaged_at != null) return;

  const grade = gradePost(p.grader(), post.text);
  const kind = kindOf(grade, post.text);
  const priority = priorityOf(grade);
  const message = postMessage(post, receivedAt);
  const ingested = await pipeline.ingest(message);
  const handled = await ingested.handled;
  let status = handled.status;

  if (kind === 'complaint' && priority === 'serious' && status === 'bot') {
    // The dialog soothes and listens; on a public channel a serious complaint also waits for
    // a person, ahead of ordinary work (domain.md §1: 坐席沟通, stop it spreading).
    status = await pipeline.inThread('weibo', message.threadKey, () => db.write(async (q) => {
      const after = await transition({ q, sla: DEFAULT_SLA, actor: null, now: p.now() }, ingested.conversationId,
        { kind: 'hand_over', priority: 'serious', reason: 'serious complaint in a public Weibo post', severity: 'serious' });
      return after.status;
    }));
    hub.notify({ id: ingested.conversationId, channel: 'weibo', threadKey: message.threadKey });
  }

  const locale = localeFor(null, grade.language, p.defaultLocale);
  const ownReplies = handled.replies.map((r) => r.text);
  const reply = publicReplyFor(kind, grade, p.policy, p.templates, locale, ownReplies.length > 0 ? ownReplies.join('\n') : undefined);
  const state: PostState = status !== 'bot' ? 'handed_over' : reply.action === 'ignore' ? 'ignored' : 'new';
  if (reply.action === 'ignore' && kind === 'complaint') logger.error({ channel: 'weibo', post: post.key, reason: reply.reason }, 'a public complaint cannot be acknowledged');

  await pipeline.inThread('weibo', message.threadKey, () => db.write(async (q) => {
    const now = p.now();
    await saveTriage(q, post.key, { kind, grade, priority, state, conversationId: ingested.conversationId }, now);
    if (reply.action !== 'reply' || !(await markReplyQueued(q, post.key, reply.text, now))) return;
    const out = await store.insertOutbound(q, { conversationId: ingested.conversationId, channel: 'weibo', authorKind: 'bot', authorId: null, text: reply.text, now });
    await store.enqueueOutbox(q, {
      messageId: out.id, conversationId: ingested.conversationId, channel: 'weibo',
      payload: { messageId: out.id, text: reply.text, meta: { weiboPost: post.key } }, notBefore: now, now,
    });
  }));
  hub.notify({ id: ingested.conversationId, channel: 'weibo', threadKey: message.threadKey });
  logger.info({ channel: 'weibo', post: post.key, kind, severity: grade.severity, form: grade.form, state, reply: reply.action }, 'Weibo post triaged');
}

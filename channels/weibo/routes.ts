/**
 * HTTP routes of the Weibo channel:
 *   GET  /webhooks/weibo     fan-service URL check (answers echostr)
 *   POST /webhooks/weibo     fan-service pushes (JSON, read as text so the signature is
 *                            checked before anything is parsed; 64 KiB cap)
 *   GET  /api/weibo/posts    the console's triage view (an agent's login, or KEFU_ADMIN_TOKEN: auth.ts)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOr400 } from '../../src/server/http.js';
import type { ChannelDeps } from '../types.js';
import { requireAgentOrAdminToken } from './auth.js';
import { MAX_BODY_BYTES } from './definition.js';
import { listPosts, POST_STATES, type WeiboPostsTable } from './posts.js';
import type { FanServiceWebhook } from './webhook.js';

const list = <T extends string>(values: readonly [T, ...T[]]) => z.string().max(200).optional()
  .transform((s) => (s ? s.split(',').map((v) => v.trim()).filter(Boolean) : []))
  .pipe(z.array(z.enum(values)));

const PostsQuery = z.object({
  severity: list(['none', 'general', 'serious', 'critical']),
  state: list(POST_STATES as [string, ...string[]]),
  limit: z.coerce.number().int().min(1).max(500).default(100),
}).strict();

const view = (row: WeiboPostsTable) => ({
  key: row.key, kind: row.kind, text: row.text, link: row.link, postedAt: row.posted_at,
  author: { uid: row.author_uid, name: row.author_name },
  triage: row.triage_kind, intent: row.intent, severity: row.severity, category: row.category, form: row.form, nature: row.nature,
  reasons: JSON.parse(row.reasons) as string[], priority: row.priority, state: row.state, conversationId: row.conversation_id,
  publicReply: row.reply_text === null ? null : { text: row.reply_text, postedAt: row.replied_at, commentId: row.reply_id, error: row.reply_error },
  privateInvite: row.invite_text === null ? null : { text: row.invite_text, queuedAt: row.invite_queued_at, sentAt: row.invite_sent_at, error: row.invite_error },
});

export function registerWeiboRoutes(app: FastifyInstance, deps: Pick<ChannelDeps, 'db' | 'logger'>, webhook: FanServiceWebhook, adminToken: string | undefined): void {
  void app.register(async (scope) => {
    // Read as text inside this scope only: the signature is checked before JSON.parse.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
    scope.addHook('onError', async (request, _reply, error) => {
      const code = (error as { code?: string }).code;
      if (code?.startsWith('FST_ERR_CTP_')) deps.logger.warn({ channel: 'weibo', reason: code, length: request.headers['content-length'] }, 'fan-service payload refused');
    });
    scope.get('/webhooks/weibo', async (request, reply) => reply.type('text/plain; charset=utf-8').send(webhook.verifyUrl(request.query)));
    scope.post('/webhooks/weibo', { bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
      const answer = await webhook.receive({
        query: request.query, body: request.body,
        alive: () => !reply.raw.destroyed && !request.raw.socket.destroyed,
      });
      return reply.type(answer.contentType).send(answer.body);
    });
  });

  const authorize = requireAgentOrAdminToken(deps.db, adminToken);
  app.get('/api/weibo/posts', { preHandler: authorize }, async (request) => {
    const q = parseOr400(PostsQuery, request.query);
    const rows = await listPosts(deps.db.kysely, { severity: q.severity, state: q.state, limit: q.limit });
    return { posts: rows.map(view) };
  });
}

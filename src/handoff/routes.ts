/**
 * The agent API (all Bearer- or cookie-authenticated):
 *   GET  /api/conversations?status=queued|human|bot|closed
 *   GET  /api/conversations/:id             messages, customer + identities, flow/step/status, grading, case
 *   POST /api/conversations/:id/claim
 *   POST /api/conversations/:id/messages    {"text"}  delivered on the conversation's own channel
 *   POST /api/conversations/:id/transfer    {"agent"} | {"group"}
 *   POST /api/conversations/:id/release     back to the bot
 *   POST /api/conversations/:id/close       {"resolution"}
 *   GET  /api/canned-replies?locale=
 *   POST /api/cases/:number/status {"status","note"?}  the case lifecycle (approve/reject: supervisor)
 *   GET  /api/reports?from=&to=   (supervisor) service figures for a period (epoch ms; default: the last 7 days)
 *   PUT  /api/customers/:id/preferences  {"optedOut":[channels],"preferredChannel"}  (revisits honour it)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate, requireRole } from '../agents/auth.js';
import { buildReport } from './reports.js';
import { CASE_STATUSES, setCaseStatus } from './case-status.js';
import { findAgentByName } from '../agents/store.js';
import { Channel, ConversationStatus } from '../contract.js';
import * as store from '../store/index.js';
import { audit } from '../agents/store.js';
import { KefuError } from '../errors.js';
import { parseOr400 } from '../server/http.js';
import type { Db } from '../storage/db.js';
import type { Templates } from '../templates/index.js';
import { conversationDetail, listConversationSummaries } from './views.js';
import type { Workspace } from './workspace.js';

const Id = z.object({ id: z.string().min(1).max(64) });
const ListQuery = z.object({ status: ConversationStatus.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const MessageBody = z.object({ text: z.string().transform((t) => t.replace(/\u0000/g, '').trim()).pipe(z.string().min(1).max(4000)) }).strict();
const TransferBody = z.union([
  z.object({ agent: z.string().min(1).max(64) }).strict(),
  z.object({ group: z.string().min(1).max(64) }).strict(),
]);
const CloseBody = z.object({ resolution: z.string().trim().min(1).max(2000) }).strict();
const LIMIT = { bodyLimit: 16 * 1024 };
const Preferences = z.object({ optedOut: z.array(Channel).max(10).optional(), preferredChannel: Channel.optional() }).strict();

export function registerConversationRoutes(app: FastifyInstance, deps: { db: Db; workspace: Workspace; canned: Templates }): void {
  const { db, workspace } = deps;
  const who = (request: Parameters<typeof authenticate>[1]) => authenticate(db, request);

  app.get('/api/conversations', async (request) => {
    await who(request);
    const query = parseOr400(ListQuery, request.query);
    return { conversations: await listConversationSummaries(db.kysely, query) };
  });
  app.get('/api/conversations/:id', async (request) => {
    await who(request);
    const detail = await conversationDetail(db.kysely, parseOr400(Id, request.params).id);
    if (!detail) throw new KefuError('not_found', 'no such conversation');
    return detail;
  });
  app.post('/api/conversations/:id/claim', LIMIT, async (request) => {
    const agent = await who(request);
    return { conversation: await workspace.act(parseOr400(Id, request.params).id, agent, { kind: 'assign', agentId: agent.id }) };
  });
  app.post('/api/conversations/:id/messages', LIMIT, async (request, reply) => {
    const agent = await who(request);
    const { id } = parseOr400(Id, request.params);
    const { text } = parseOr400(MessageBody, request.body);
    return reply.status(202).send(await workspace.reply(id, agent, text));
  });
  app.post('/api/conversations/:id/transfer', LIMIT, async (request) => {
    const agent = await who(request);
    const { id } = parseOr400(Id, request.params);
    const body = parseOr400(TransferBody, request.body);
    if ('agent' in body) {
      const target = await findAgentByName(db.kysely, body.agent);
      if (!target) throw new KefuError('validation_failed', `agent: no agent '${body.agent}'`);
      return { conversation: await workspace.act(id, agent, { kind: 'transfer', toAgentId: target.id }) };
    }
    return { conversation: await workspace.act(id, agent, { kind: 'transfer', toGroup: body.group }) };
  });
  app.post('/api/conversations/:id/release', LIMIT, async (request) => {
    const agent = await who(request);
    return { conversation: await workspace.act(parseOr400(Id, request.params).id, agent, { kind: 'release' }) };
  });
  app.post('/api/conversations/:id/close', LIMIT, async (request) => {
    const agent = await who(request);
    const { resolution } = parseOr400(CloseBody, request.body);
    return { conversation: await workspace.act(parseOr400(Id, request.params).id, agent, { kind: 'close', resolution }) };
  });
  app.put('/api/customers/:id/preferences', LIMIT, async (request) => {
    const agent = await who(request);
    const { id } = parseOr400(Id, request.params);
    const body = parseOr400(Preferences, request.body);
    const customer = await store.getCustomer(db.kysely, id);
    if (!customer) throw new KefuError('not_found', 'no such customer');
    const contactPreferences = { ...customer.contactPreferences, ...body };
    await db.write(async (q) => {
      await store.updateCustomer(q, id, { contactPreferences }, Date.now());
      await audit(q, { agentId: agent.id, action: 'customer_preferences', target: id, detail: body }, Date.now());
    });
    return { contactPreferences };
  });
  app.post('/api/cases/:number/status', LIMIT, async (request) => {
    const agent = await who(request);
    const { number } = parseOr400(z.object({ number: z.string().regex(/^K\d{6,}$/, 'a case number like K000123') }), request.params);
    const body = parseOr400(z.object({ status: z.enum(CASE_STATUSES), note: z.string().max(2000).optional() }).strict(), request.body);
    return db.write((q) => setCaseStatus(q, number, body.status, agent, body.note ?? null, Date.now()));
  });
  app.get('/api/reports', async (request) => {
    requireRole(await who(request), 'supervisor');
    const now = Date.now();
    const range = parseOr400(z.object({
      from: z.coerce.number().int().min(0).default(now - 7 * 24 * 3_600_000),
      to: z.coerce.number().int().min(0).default(now + 1),
    }).refine((r) => r.from < r.to, 'from must be before to'), request.query);
    return buildReport(db.kysely, range);
  });
  app.get('/api/canned-replies', async (request) => {
    await who(request);
    const { locale } = parseOr400(z.object({ locale: z.enum(['zh-CN', 'zh-TW', 'en']).default('zh-CN') }), request.query);
    return { replies: cannedReplies(deps.canned, locale) };
  });
}

/** Canned replies are the `templates/canned/<locale>.json` set: editable without code. */
function cannedReplies(templates: Templates, locale: 'zh-CN' | 'zh-TW' | 'en'): Array<{ id: string; text: string }> {
  return templates.ids(locale).map((id) => ({ id, text: templates.render(id, locale, {}) }));
}

/**
 *   POST /api/auth/login {"username","password"} -> {"token"} (+ session cookie for the console)
 *   POST /api/auth/logout
 *   GET  /api/me                       -> the agent
 *   PUT  /api/me/presence {"presence"}  online | away | offline (online re-runs routing)
 *   GET  /api/agents                   (supervisor) the team with their load
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../storage/db.js';
import { parseOr400 } from '../server/http.js';
import { authenticate, login, requireRole, setSessionCookie, SESSION_COOKIE } from './auth.js';
import * as agents from './store.js';

const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();
const PresenceBody = z.object({ presence: z.enum(['online', 'away', 'offline']) }).strict();

export function registerAuthRoutes(app: FastifyInstance, deps: { db: Db; secureCookies: boolean; onPresence(): void }): void {
  const { db } = deps;
  app.post('/api/auth/login', { bodyLimit: 4096 }, async (request, reply) => {
    const body = parseOr400(LoginBody, request.body);
    const { token } = await login(db, body.username, body.password);
    setSessionCookie(reply, token, deps.secureCookies);
    return { token };
  });
  app.post('/api/auth/logout', async (request, reply) => {
    const agent = await authenticate(db, request);
    await db.write(async (q) => {
      await agents.deleteSession(q, agent.token);
      await agents.setPresence(q, agent.id, 'offline', Date.now());
    });
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { ok: true };
  });
  app.get('/api/me', async (request) => {
    const { token: _token, ...agent } = await authenticate(db, request);
    return agent;
  });
  app.put('/api/me/presence', { bodyLimit: 1024 }, async (request) => {
    const agent = await authenticate(db, request);
    const { presence } = parseOr400(PresenceBody, request.body);
    await db.write(async (q) => {
      await agents.setPresence(q, agent.id, presence, Date.now());
      await agents.audit(q, { agentId: agent.id, action: 'presence', detail: { presence } }, Date.now());
    });
    if (presence === 'online') deps.onPresence();
    return { presence };
  });
  app.get('/api/agents', async (request) => {
    requireRole(await authenticate(db, request), 'supervisor');
    return { agents: await agents.listAgents(db.kysely) };
  });
}

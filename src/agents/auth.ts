/**
 * Agent authentication: username + password -> a session token, sent back as a Bearer token
 * and as an HttpOnly cookie for the console. Repeated failures lock the account for a while.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KefuError } from '../errors.js';
import type { Db } from '../storage/db.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import * as agents from './store.js';
import type { Agent, Role } from './store.js';

export const SESSION_COOKIE = 'kefu_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60 * 1000;

export async function login(db: Db, username: string, password: string, now = Date.now()): Promise<{ token: string; agent: Agent }> {
  const row = await agents.findAgentForLogin(db.kysely, username);
  // Verify even for an unknown user, so the answer takes as long either way.
  const valid = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  if (!row) throw new KefuError('unauthorized', 'wrong username or password');
  if (row.locked_until && row.locked_until > now) {
    throw new KefuError('unauthorized', 'too many failed logins: the account is locked for a while');
  }
  if (!valid) {
    const failures = row.failed_logins + 1;
    await db.write(async (q) => {
      await agents.recordLoginFailure(q, row.id, failures, failures >= MAX_FAILURES ? now + LOCK_MS : null, now);
      await agents.audit(q, { agentId: row.id, action: failures >= MAX_FAILURES ? 'login_locked' : 'login_failed' }, now);
    });
    throw new KefuError('unauthorized', 'wrong username or password');
  }
  const token = await db.write(async (q) => {
    await agents.recordLoginSuccess(q, row.id, now);
    await agents.audit(q, { agentId: row.id, action: 'login' }, now);
    return agents.createSession(q, row.id, SESSION_TTL_MS, now);
  });
  return { token, agent: (await agents.getAgent(db.kysely, row.id))! };
}

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const bearer = header ? /^Bearer\s+([A-Za-z0-9_-]{20,128})$/.exec(header)?.[1] : undefined;
  if (bearer) return bearer;
  const cookie = request.headers.cookie;
  return cookie ? new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]{20,128})`).exec(cookie)?.[1] : undefined;
}

/** The agent behind a request (Bearer token or the console's cookie); 401 otherwise. */
export async function authenticate(db: Db, request: FastifyRequest): Promise<Agent & { token: string }> {
  const token = tokenOf(request);
  const agent = token ? await agents.agentForToken(db.kysely, token, Date.now()) : undefined;
  if (!agent || !token) throw new KefuError('unauthorized', 'log in first (missing, wrong or expired token)');
  return { ...agent, token };
}

const RANK: Record<Role, number> = { agent: 1, supervisor: 2, admin: 3 };

/** 403 unless the agent has at least this role. */
export function requireRole(agent: Agent, role: Role): void {
  if (RANK[agent.role] < RANK[role]) throw new KefuError('forbidden', `this needs the ${role} role`);
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean): void {
  const attributes = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${SESSION_TTL_MS / 1000}`];
  if (secure) attributes.push('Secure');
  reply.header('set-cookie', attributes.join('; '));
}

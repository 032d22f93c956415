/** Agents, their login sessions and the audit log. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sha256 } from '../server/http.js';
import { newId, parseJson, type Q } from '../store/rows.js';
import { hashPassword } from './passwords.js';

export const Role = z.enum(['agent', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;
export type Presence = 'online' | 'away' | 'offline';

export interface Agent {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  groups: string[];
  capacity: number;
  presence: Presence;
}

export const Username = z.string().trim().min(2).max(64).regex(/^[\p{L}\p{N}._@-]+$/u, 'letters, digits and . _ @ - only');
export const Password = z.string().min(10, 'at least 10 characters').max(256);

type Row = { id: string; username: string; display_name: string; role: string; groups: string; capacity: number; presence: string };
const toAgent = (r: Row): Agent => ({
  id: r.id, username: r.username, displayName: r.display_name, role: r.role as Role,
  groups: parseJson(r.groups, []), capacity: r.capacity, presence: r.presence as Presence,
});

export async function createAgent(
  q: Q, input: { username: string; displayName?: string; role: Role; password: string; groups?: string[]; capacity?: number }, now: number,
): Promise<Agent> {
  const id = newId();
  await q.insertInto('agents').values({
    id, username: input.username, display_name: input.displayName ?? input.username, role: input.role,
    password_hash: await hashPassword(input.password), groups: JSON.stringify(input.groups ?? []),
    capacity: input.capacity ?? 5, presence: 'offline', failed_logins: 0, locked_until: null, created_at: now, updated_at: now,
  }).execute();
  return (await getAgent(q, id))!;
}

export async function getAgent(q: Q, id: string): Promise<Agent | undefined> {
  const row = await q.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAgent(row);
}

export async function findAgentForLogin(q: Q, username: string) {
  return q.selectFrom('agents').select(['id', 'password_hash', 'failed_logins', 'locked_until']).where('username', '=', username).executeTakeFirst();
}

export async function findAgentByName(q: Q, username: string): Promise<Agent | undefined> {
  const row = await q.selectFrom('agents').selectAll().where('username', '=', username).executeTakeFirst();
  return row && toAgent(row);
}

export async function listAgents(q: Q): Promise<Agent[]> {
  return (await q.selectFrom('agents').selectAll().orderBy('username').execute()).map(toAgent);
}

export async function countAgents(q: Q): Promise<number> {
  const row = await q.selectFrom('agents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function recordLoginFailure(q: Q, id: string, failures: number, lockUntil: number | null, now: number): Promise<void> {
  await q.updateTable('agents').set({ failed_logins: failures, locked_until: lockUntil, updated_at: now }).where('id', '=', id).execute();
}

export async function recordLoginSuccess(q: Q, id: string, now: number): Promise<void> {
  await q.updateTable('agents').set({ failed_logins: 0, locked_until: null, updated_at: now }).where('id', '=', id).execute();
}

export async function setPresence(q: Q, id: string, presence: Presence, now: number): Promise<void> {
  await q.updateTable('agents').set({ presence, updated_at: now }).where('id', '=', id).execute();
}

/** A new session token (returned once; only its hash is stored). */
export async function createSession(q: Q, agentId: string, ttlMs: number, now: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await q.insertInto('agent_sessions').values({ token_hash: sha256(token), agent_id: agentId, created_at: now, expires_at: now + ttlMs }).execute();
  return token;
}

export async function agentForToken(q: Q, token: string, now: number): Promise<Agent | undefined> {
  const row = await q.selectFrom('agent_sessions').innerJoin('agents', 'agents.id', 'agent_sessions.agent_id')
    .select(['agents.id', 'agents.username', 'agents.display_name', 'agents.role', 'agents.groups', 'agents.capacity', 'agents.presence', 'agent_sessions.expires_at'])
    .where('agent_sessions.token_hash', '=', sha256(token)).executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  return toAgent(row);
}

export async function deleteSession(q: Q, token: string): Promise<void> {
  await q.deleteFrom('agent_sessions').where('token_hash', '=', sha256(token)).execute();
}

export async function audit(q: Q, entry: { agentId: string | null; action: string; target?: string; detail?: Record<string, unknown> }, now: number): Promise<void> {
  await q.insertInto('audit_log').values({
    agent_id: entry.agentId, action: entry.action, target: entry.target ?? null, detail: JSON.stringify(entry.detail ?? {}), created_at: now,
  }).execute();
}

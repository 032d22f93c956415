/** Agents for tests: created through the store, logged in through the real API. */
import { createAgent, type Role } from '../../src/agents/store.js';
import type { Gateway } from '../../src/gateway.js';
import { http } from './gateway.js';

export async function addAgent(gateway: Gateway, username: string, role: Role, extra: { groups?: string[]; capacity?: number } = {}) {
  return gateway.db.write((q) => createAgent(q, { username, role, password: `${username}-secret-pw`, ...extra }, Date.now()));
}

export async function loginAs(url: string, username: string): Promise<string> {
  const r = await http(`${url}/api/auth/login`, { body: { username, password: `${username}-secret-pw` } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return r.json.token as string;
}

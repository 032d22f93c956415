/** Who gets the next queued conversation: pure ordering over what the database says. */
import type { Q } from '../store/index.js';
import { parseJson } from '../store/rows.js';
import { PRIORITY_RANK, type Priority } from './takeover.js';

export interface Waiting { id: string; priority: Priority; queuedAt: number; group: string | null }
export interface Candidate { id: string; groups: string[]; capacity: number; load: number }

/** Highest priority first, then the longest wait. */
export const byUrgency = (a: Waiting, b: Waiting): number =>
  PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.queuedAt - b.queuedAt;

/** The least-loaded agent with room who serves the group (any agent when there is no group). */
export function chooseAgent(waiting: Waiting, agents: Candidate[]): Candidate | undefined {
  return agents
    .filter((a) => a.load < a.capacity && (!waiting.group || a.groups.includes(waiting.group)))
    .sort((a, b) => a.load / a.capacity - b.load / b.capacity || a.load - b.load)[0];
}

export async function pickAgent(q: Q): Promise<{ conversationId: string; agentId: string } | null> {
  const agents = await q.selectFrom('agents').select(['id', 'groups', 'capacity']).where('presence', '=', 'online').execute();
  if (agents.length === 0) return null;
  const loads = await q.selectFrom('conversations').select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'human').groupBy('assignee_id').execute();
  const load = new Map(loads.map((l) => [l.assignee_id, Number(l.n)]));
  const candidates: Candidate[] = agents.map((a) => ({ id: a.id, groups: parseJson(a.groups, []), capacity: a.capacity, load: load.get(a.id) ?? 0 }));
  const queued = (await q.selectFrom('conversations').select(['id', 'priority', 'queued_at', 'group_name'])
    .where('status', '=', 'queued').limit(1000).execute())
    .map((r): Waiting => ({ id: r.id, priority: (r.priority ?? 'normal') as Priority, queuedAt: r.queued_at ?? 0, group: r.group_name }))
    .sort(byUrgency);
  for (const waiting of queued) {
    const agent = chooseAgent(waiting, candidates);
    if (agent) return { conversationId: waiting.id, agentId: agent.id };
  }
  return null;
}

/**
 * The case lifecycle (domain.md §4, the seed's SAP-style service notification):
 *   open -> in_progress -> pending_approval -> approved | rejected -> replied -> resolved -> closed
 * SAP user statuses map onto it: TZJL created = open, KCJS surveyed = in_progress,
 * ZGPZ approved / BPZ not approved = approved / rejected (by a supervisor), ZBHF department
 * replied = replied, closed after the customer accepts = closed.
 */
import type { Agent } from '../agents/store.js';
import { audit } from '../agents/store.js';
import { KefuError } from '../errors.js';
import type { Q } from '../store/index.js';
import { addCaseEvent } from './cases.js';

export const CASE_STATUSES = ['open', 'in_progress', 'pending_approval', 'approved', 'rejected', 'replied', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

const NEXT: Record<CaseStatus, CaseStatus[]> = {
  open: ['in_progress', 'pending_approval', 'resolved'],
  in_progress: ['pending_approval', 'replied', 'resolved'],
  pending_approval: ['approved', 'rejected'],
  approved: ['replied', 'resolved'],
  rejected: ['in_progress', 'replied', 'resolved'],
  replied: ['in_progress', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: [],
};

/** Approving or rejecting is a supervisor's decision. */
const NEEDS_SUPERVISOR = new Set<CaseStatus>(['approved', 'rejected']);

export function checkCaseTransition(from: CaseStatus, to: CaseStatus, agent: Pick<Agent, 'role'> | null): void {
  if (!NEXT[from].includes(to)) throw new KefuError('conflict', `a case cannot go from ${from} to ${to}`);
  if (agent && NEEDS_SUPERVISOR.has(to) && agent.role === 'agent') throw new KefuError('forbidden', `only a supervisor may mark a case ${to}`);
}

export async function setCaseStatus(q: Q, number: string, to: CaseStatus, agent: Agent | null, note: string | null, now: number) {
  const row = await q.selectFrom('cases').select(['id', 'status']).where('number', '=', number).executeTakeFirst();
  if (!row) throw new KefuError('not_found', `no case ${number}`);
  checkCaseTransition(row.status as CaseStatus, to, agent);
  const result = await q.updateTable('cases').set({ status: to, updated_at: now, ...(to === 'resolved' ? { resolved_at: now } : {}) })
    .where('id', '=', row.id).where('status', '=', row.status).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new KefuError('conflict', 'the case changed meanwhile; reload it');
  await addCaseEvent(q, row.id, `status:${to}`, agent?.id ?? null, { from: row.status, note }, now);
  await audit(q, { agentId: agent?.id ?? null, action: 'case_status', target: number, detail: { from: row.status, to } }, now);
  return { number, status: to };
}

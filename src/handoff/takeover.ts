/**
 * The one state machine for who holds a conversation. Every path (the bot's hand-over, the
 * console, the API, automatic routing, channel events) changes `status` through `transition`,
 * inside the caller's transaction, so the rules live in one place:
 *
 *   bot --hand_over--> queued --assign--> human --transfer(agent)--> human
 *                        ^                  |--transfer(group)--> queued
 *   queued|human --release--> bot           any --close--> closed
 *
 * While a conversation is `queued` or `human` the bot never answers (src/pipeline/pipeline.ts).
 */
import type { Conversation, Severity } from '../contract.js';
import { KefuError } from '../errors.js';
import * as store from '../store/index.js';
import type { Q } from '../store/index.js';
import { audit } from '../agents/store.js';
import { dueTimes, type SlaPolicy } from './sla.js';
import { addCaseEvent, ensureCase } from './cases.js';

export type Priority = 'critical' | 'serious' | 'vip' | 'normal';
export const PRIORITY_RANK: Record<Priority, number> = { critical: 0, serious: 1, vip: 2, normal: 3 };

export type Transition =
  | { kind: 'hand_over'; priority: Priority; reason: string; group?: string | null; severity?: Severity }
  | { kind: 'assign'; agentId: string }
  | { kind: 'transfer'; toAgentId?: string; toGroup?: string }
  | { kind: 'release' }
  | { kind: 'close'; resolution: string };

export interface TransitionContext {
  q: Q;
  sla: SlaPolicy;
  /** Who acts: an agent id, or null for the bot / the router / a channel event. */
  actor: string | null;
  now: number;
}

const ALLOWED: Record<Transition['kind'], Conversation['status'][]> = {
  hand_over: ['bot', 'queued'],
  assign: ['queued'],
  transfer: ['human', 'queued'],
  release: ['queued', 'human'],
  close: ['bot', 'queued', 'human'],
};

export async function transition(ctx: TransitionContext, conversationId: string, t: Transition): Promise<Conversation> {
  const { q, now, actor } = ctx;
  const conversation = await store.getConversation(q, conversationId);
  if (!conversation) throw new KefuError('not_found', 'no such conversation');
  if (!ALLOWED[t.kind].includes(conversation.status)) {
    throw new KefuError('conflict', `cannot ${t.kind.replace('_', ' ')} a conversation that is ${conversation.status}`);
  }
  const patch: Record<string, unknown> = { updated_at: now };
  // Closing a conversation nobody handed over (a bot chat, an unfollow) opens no case.
  const caseRow = t.kind === 'close' && conversation.status === 'bot'
    ? await store.getCaseByConversation(q, conversationId)
    : await ensureCase(q, conversation, { now, sla: ctx.sla, severity: t.kind === 'hand_over' ? t.severity : undefined,
      reason: t.kind === 'hand_over' ? t.reason : undefined });
  switch (t.kind) {
    case 'hand_over': {
      const current = (await q.selectFrom('conversations').select(['priority', 'queued_at']).where('id', '=', conversationId).executeTakeFirstOrThrow());
      const keep = current.priority && PRIORITY_RANK[current.priority as Priority] <= PRIORITY_RANK[t.priority];
      Object.assign(patch, {
        status: 'queued', priority: keep ? current.priority : t.priority, queued_at: current.queued_at ?? now,
        handoff_reason: t.reason, group_name: t.group ?? null, assignee_id: null,
      });
      break;
    }
    case 'assign':
      Object.assign(patch, { status: 'human', assignee_id: t.agentId });
      // First-contact responsibility: the first agent to take it owns the case until a formal transfer.
      if (!caseRow!.ownerId) await q.updateTable('cases').set({ owner_id: t.agentId, status: 'in_progress', updated_at: now }).where('id', '=', caseRow!.id).execute();
      break;
    case 'transfer':
      if (t.toAgentId) {
        Object.assign(patch, { status: 'human', assignee_id: t.toAgentId });
        await q.updateTable('cases').set({ owner_id: t.toAgentId, updated_at: now }).where('id', '=', caseRow!.id).execute();
      } else {
        Object.assign(patch, { status: 'queued', assignee_id: null, group_name: t.toGroup ?? null, queued_at: now });
      }
      break;
    case 'release':
      Object.assign(patch, { status: 'bot', assignee_id: null, priority: null, queued_at: null, group_name: null });
      break;
    case 'close':
      Object.assign(patch, { status: 'closed', priority: null, queued_at: null });
      if (caseRow) {
        await q.updateTable('cases').set({ status: 'resolved', resolution: t.resolution, resolved_at: now, updated_at: now })
          .where('id', '=', caseRow.id).where('status', 'not in', ['resolved', 'closed']).execute();
      }
      break;
  }
  // Conditional on the status we read: two agents claiming at once, one wins, one gets 409.
  const result = await q.updateTable('conversations').set(patch).where('id', '=', conversationId)
    .where('status', '=', conversation.status).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new KefuError('conflict', 'the conversation changed meanwhile; reload it');
  const { kind, ...detail } = t;
  if (caseRow) await addCaseEvent(q, caseRow.id, kind, actor, detail, now);
  await audit(q, { agentId: actor, action: `conversation_${kind}`, target: conversationId, detail }, now);
  return (await store.getConversation(q, conversationId))!;
}

export { dueTimes };

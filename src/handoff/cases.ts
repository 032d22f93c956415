/** Case bookkeeping for the workspace: one case per handed-over conversation, with SLA and timeline. */
import type { Case, Conversation, Severity } from '../contract.js';
import * as store from '../store/index.js';
import type { Q } from '../store/index.js';
import { dueTimes, type SlaPolicy } from './sla.js';

export async function addCaseEvent(q: Q, caseId: string, kind: string, actor: string | null, detail: Record<string, unknown>, now: number): Promise<void> {
  await q.insertInto('case_events').values({ case_id: caseId, kind, actor, detail: JSON.stringify(detail), created_at: now }).execute();
}

/**
 * The conversation's case, opened now if the bot did not open one (a plain request for a
 * person is a case too: the customer must never have to ask twice). SLA due times are set
 * from its severity when they are not set yet.
 */
export async function ensureCase(
  q: Q, conversation: Conversation, opts: { now: number; sla: SlaPolicy; severity?: Severity; reason?: string },
): Promise<Case> {
  let found = await store.getCaseByConversation(q, conversation.id);
  if (!found) {
    found = await store.createCase(q, {
      customerId: conversation.customerId, conversationId: conversation.id, severity: opts.severity ?? 'none',
      category: null, form: null, nature: null, reasons: [], subject: opts.reason ?? 'conversation handed to a person', now: opts.now,
    });
    await addCaseEvent(q, found.id, 'opened', null, { reason: opts.reason ?? null }, opts.now);
  }
  const row = await q.selectFrom('cases').select(['first_response_due']).where('id', '=', found.id).executeTakeFirstOrThrow();
  if (row.first_response_due === null) {
    const due = dueTimes(opts.sla, found.severity, opts.now);
    await q.updateTable('cases').set({ first_response_due: due.firstResponseDue, resolution_due: due.resolutionDue }).where('id', '=', found.id).execute();
  }
  return found;
}

/** An agent's first message answers the case's first-response SLA. */
export async function recordFirstResponse(q: Q, conversationId: string, now: number): Promise<void> {
  await q.updateTable('cases').set({ first_response_at: now, updated_at: now })
    .where('conversation_id', '=', conversationId).where('first_response_at', 'is', null).execute();
}

/**
 * Looks for cases past their first-response or resolution target and alerts supervisors once
 * (with several nodes, the node whose update flags the case alerts; the others skip it).
 */
import { audit } from '../agents/store.js';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import { addCaseEvent } from './cases.js';

export async function findBreaches(db: Db, now: number): Promise<Array<{ caseId: string; number: string; conversationId: string | null; kind: string }>> {
  const rows = await db.kysely.selectFrom('cases').select(['id', 'number', 'conversation_id', 'first_response_due', 'first_response_at', 'resolution_due'])
    .where('sla_breached', '=', 0).where('status', 'not in', ['resolved', 'closed'])
    .where((eb) => eb.or([
      eb.and([eb('first_response_at', 'is', null), eb('first_response_due', '<', now)]),
      eb('resolution_due', '<', now),
    ])).limit(500).execute();
  const found = rows.map((r) => ({
    caseId: r.id, number: r.number, conversationId: r.conversation_id,
    kind: r.first_response_at === null && (r.first_response_due ?? Infinity) < now ? 'first_response' : 'resolution',
  }));
  if (found.length === 0) return found;
  return db.write(async (q) => {
    const flagged: typeof found = [];
    for (const b of found) {
      const updated = await q.updateTable('cases').set({ sla_breached: 1, updated_at: now }).where('id', '=', b.caseId).where('sla_breached', '=', 0).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) continue;
      await addCaseEvent(q, b.caseId, 'sla_breach', null, { kind: b.kind }, now);
      await audit(q, { agentId: null, action: 'sla_breach', target: b.caseId, detail: { kind: b.kind } }, now);
      flagged.push(b);
    }
    return flagged;
  });
}

export function watchSla(db: Db, everyMs: number, logger: Logger, alert: (breach: { caseId: string; number: string; conversationId: string | null; kind: string }) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      for (const breach of await findBreaches(db, Date.now())) alert(breach);
    } catch (error) {
      logger.warn({ err: error }, 'SLA check failed');
    }
    if (!stopped) timer = setTimeout(tick, everyMs);
  };
  timer = setTimeout(tick, everyMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * Service reports over a period: first response, resolution, queue wait, SLA breaches,
 * satisfaction, complaints by category/severity/channel, and per agent. Computed from the
 * cases, their timeline and the surveys (bounded to the newest 20,000 cases of the period).
 */
import type { Q } from '../store/index.js';

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null);
  return { count: sorted.length, avg: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null, p50: at(0.5), p90: at(0.9) };
};
const tally = (keys: Array<string | null>) => {
  const out: Record<string, number> = {};
  for (const k of keys) out[k ?? 'unknown'] = (out[k ?? 'unknown'] ?? 0) + 1;
  return out;
};

export async function buildReport(q: Q, range: { from: number; to: number }) {
  const cases = await q.selectFrom('cases').leftJoin('conversations', 'conversations.id', 'cases.conversation_id')
    .select(['cases.id', 'cases.severity', 'cases.category', 'cases.owner_id', 'cases.created_at', 'cases.first_response_at', 'cases.resolved_at',
      'cases.sla_breached', 'conversations.channel'])
    .where('cases.created_at', '>=', range.from).where('cases.created_at', '<', range.to)
    .orderBy('cases.created_at', 'desc').limit(20000).execute();
  const ids = cases.map((c) => c.id);
  const events = ids.length === 0 ? [] : await q.selectFrom('case_events').select(['case_id', 'kind', 'created_at'])
    .where('kind', 'in', ['hand_over', 'assign']).where('created_at', '>=', range.from).orderBy('seq').execute();
  const handedAt = new Map<string, number>();
  const waits: number[] = [];
  for (const e of events) {
    if (e.kind === 'hand_over' && !handedAt.has(e.case_id)) handedAt.set(e.case_id, e.created_at);
    if (e.kind === 'assign' && handedAt.has(e.case_id)) {
      waits.push((e.created_at - handedAt.get(e.case_id)!) / 1000);
      handedAt.delete(e.case_id);
    }
  }
  const surveys = await q.selectFrom('surveys').select(['agent_id', 'rating', 'answered_at'])
    .where('sent_at', '>=', range.from).where('sent_at', '<', range.to).execute();
  const answered = surveys.filter((s) => s.rating !== null);
  const complaints = cases.filter((c) => c.severity !== 'none');
  const agents = await q.selectFrom('agents').select(['id', 'username']).execute();
  const seconds = (from: number, to: number | null) => (to === null ? null : (to - from) / 1000);
  return {
    range,
    cases: cases.length,
    firstResponseSeconds: stats(cases.map((c) => seconds(c.created_at, c.first_response_at)).filter((v): v is number => v !== null)),
    resolutionSeconds: stats(cases.map((c) => seconds(c.created_at, c.resolved_at)).filter((v): v is number => v !== null)),
    queueWaitSeconds: stats(waits),
    slaBreaches: cases.filter((c) => c.sla_breached === 1).length,
    satisfaction: {
      sent: surveys.length, answered: answered.length,
      average: answered.length ? answered.reduce((a, s) => a + s.rating!, 0) / answered.length : null,
      distribution: tally(answered.map((s) => String(s.rating))),
    },
    complaints: {
      total: complaints.length,
      bySeverity: tally(complaints.map((c) => c.severity)),
      byCategory: tally(complaints.map((c) => c.category)),
      byChannel: tally(complaints.map((c) => c.channel)),
    },
    agents: agents.map((a) => {
      const own = cases.filter((c) => c.owner_id === a.id);
      const ratings = answered.filter((s) => s.agent_id === a.id).map((s) => s.rating!);
      return {
        agent: a.username,
        cases: own.length,
        firstResponseSeconds: stats(own.map((c) => seconds(c.created_at, c.first_response_at)).filter((v): v is number => v !== null)).avg,
        slaBreaches: own.filter((c) => c.sla_breached === 1).length,
        satisfaction: ratings.length ? ratings.reduce((x, y) => x + y, 0) / ratings.length : null,
      };
    }).filter((a) => a.cases > 0 || a.satisfaction !== null),
  };
}

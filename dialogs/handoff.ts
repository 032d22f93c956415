/**
 * When a person takes over (issue 4, domain.md §3-4): the customer asks for one; a critical
 * complaint (at once); a serious one the bot cannot resolve; two turns in a row the bot did
 * not understand; the same question twice; a VIP customer (configurable); rising
 * frustration. The conversation then goes `bot -> queued` (the runtime's `handoff` action)
 * and the bot falls silent until it is given back (`no_agent`).
 */
import { closeComplaint, complaintCase } from './complaint/case.js';
import type { EngineData } from './state.js';
import { reply, type TemplateId } from './templates.js';
import { extend, type Ctx, type Turn } from './turn.js';
import type { Action, Priority } from './types.js';

export type HandoffReason =
  | 'asked' | 'critical' | 'serious' | 'beyond_authority' | 'unresolved' | 'low_confidence' | 'repeat' | 'vip' | 'frustration' | 'order_rejected';

const REASON_TEXT: Record<HandoffReason, string> = {
  asked: 'customer asked for a person',
  critical: 'critical complaint: a supervisor must answer now',
  serious: 'serious complaint beyond the bot\'s authority',
  beyond_authority: 'customer asks for a remedy beyond the bot\'s authority',
  unresolved: 'complaint not resolved by the remedies offered',
  low_confidence: 'two turns in a row the bot did not understand',
  repeat: 'customer asked the same question twice',
  vip: 'VIP customer: served by a person',
  frustration: 'customer is getting frustrated',
  order_rejected: 'the shop refused the order: needs a person',
};

/** The most urgent of: the complaint's severity, the customer's tier, a normal request. */
export function priorityFor(data: EngineData, ctx: Ctx, reason: HandoffReason): Priority {
  const severity = data.complaint && !data.complaint.closed ? data.complaint.severity : 'none';
  if (reason === 'critical' || severity === 'critical') return 'critical';
  if (severity === 'serious') return 'serious';
  if (ctx.event.customer.tier === 'vip') return 'vip';
  return 'normal';
}

/**
 * Hand over: say so (`template`), open a case for a complaint in progress so the grading
 * reaches the agent, queue the conversation. Where the bot stopped (flow, step, the order
 * being built) stays in the state for the agent to read and for the bot to resume.
 */
export function handOver(turn: Turn, ctx: Ctx, reason: HandoffReason, template: TemplateId): Turn {
  const priority = priorityFor(turn.data, ctx, reason);
  const where = `${turn.flow}/${turn.step}`;
  const actions: Action[] = [reply(template)];
  let data = turn.data;
  if (data.complaint && !data.complaint.closed) {
    actions.push(complaintCase(data.complaint, 'handed over'));
    data = closeComplaint(data);
  }
  actions.push({ type: 'handoff', reason: `${REASON_TEXT[reason]} (at ${where})`, priority });
  return {
    ...extend(turn, actions),
    // The pending question stays: if the conversation comes back (no agent), the answer still fits.
    data: { ...data, pending: null, handover: { reason, priority } },
    understood: true,
  };
}

/** The template for a customer's own request for a person: an order in progress is mentioned. */
export function askedTemplate(turn: Turn): TemplateId {
  const ordering = turn.flow === 'reception' && ['close', 'confirm'].includes(turn.step) && turn.data.sale.productId !== null;
  if (turn.data.complaint && !turn.data.complaint.closed) return 'complaint.handoff';
  return ordering ? 'handoff.in_order' : 'handoff';
}

/** After a turn is decided: not understood twice in a row, or the same question twice, goes to a person. */
export function afterTurn(turn: Turn, ctx: Ctx, questionKey: string | null): Turn {
  if (turn.data.handover) return turn;
  const signals = { ...turn.data.signals };
  if (turn.understood) signals.notUnderstood = 0;
  else signals.notUnderstood += 1;
  const repeated = questionKey !== null && questionKey === turn.data.signals.lastQuestion;
  signals.lastQuestion = questionKey;
  const next = { ...turn, data: { ...turn.data, signals } };
  if (signals.notUnderstood >= ctx.policy.lowConfidenceTurns) {
    return handOver({ ...next, actions: [] }, ctx, 'low_confidence', 'handoff.low_confidence');
  }
  if (repeated) return handOver({ ...next, actions: [] }, ctx, 'repeat', 'handoff.repeat');
  return next;
}

/**
 * Complaint steps 3-5 (domain.md §3): empathise (apologise and thank), offer a remedy within
 * the bot's authority and agree on one, then open the case and schedule the follow-up.
 * The bot only ever names remedies its policy allows for this severity and category; a
 * customer who wants more, or none of them, is handed to a person with the case open.
 */
import { handOver } from '../handoff.js';
import type { DialogPolicy, Remedy } from '../policy.js';
import { asksForPerson, choiceIndex, saysGoodbye, yesNo } from '../reading.js';
import type { ComplaintData } from '../state.js';
import { reply } from '../templates.js';
import { extend, rest, type Ctx, type Turn } from '../turn.js';
import { listOf, remedyLabel } from '../words.js';
import { closeComplaint, complaintCase } from './case.js';

/** Which remedies fit which kind of problem (a late delivery is not repaired). */
const SUITABLE: Record<string, Remedy[]> = {
  product: ['replace', 'repair', 'refund', 'coupon'],
  service: ['coupon'],
  price: ['coupon'],
  integrity: ['refund', 'coupon'],
};

const REMEDY_WORDS: Record<Remedy, RegExp> = {
  replace: /换货|换新|更换|换一(?:个|把|张)|换个新|replace|replacement|exchange|new one/,
  repair: /维修|修理|修一下|修好|上门修|repair|fix/,
  refund: /退款|退货|退钱|退了|refund|return|money back/,
  coupon: /优惠券|券|coupon|voucher/,
};
const COMPENSATION = /赔偿|赔钱|补偿|精神损失|损失费|双倍|三倍|compensat|damages|pay me/;

/** Remedies the bot may offer for this complaint: the policy's authority, narrowed to what fits. */
export function offerable(c: ComplaintData, policy: DialogPolicy): Remedy[] {
  if (c.severity === 'critical') return [];
  const allowed = policy.authority[c.severity];
  const fits = SUITABLE[c.category ?? 'product'] ?? SUITABLE.product!;
  return allowed.filter((r) => fits.includes(r)).slice(0, 3);
}

const labels = (remedies: Remedy[], ctx: Ctx) => remedies.map((r) => remedyLabel(r, ctx.lang, ctx.policy.couponValue));

/** Step 3, then 4: apologise and thank; then offer what the bot may, or hand over. */
export function empathise(turn: Turn, ctx: Ctx): Turn {
  const c = turn.data.complaint!;
  const said = extend(rest('complaint', 'empathise', turn.data, turn.actions), [reply('complaint.empathise')]);
  const remedies = offerable(c, ctx.policy);
  if (remedies.length === 0) return handOver(said, ctx, c.severity === 'serious' ? 'serious' : 'beyond_authority', 'complaint.handoff');
  const options = labels(remedies, ctx);
  const data = { ...turn.data, complaint: { ...c, offered: remedies }, ask: 'remedy' as const, choices: remedies };
  return extend(rest('complaint', 'propose', data, said.actions), [reply('complaint.propose', { options: listOf(options, ctx.lang) }, options)]);
}

/** Step 4, agreeing: read the customer's pick among the remedies offered. */
export function propose(turn: Turn, ctx: Ctx): Turn {
  const c = turn.data.complaint!;
  const here = rest('complaint', 'propose', turn.data, turn.actions);
  if (asksForPerson(ctx.text)) return handOver(here, ctx, 'asked', 'complaint.handoff');
  const named = (Object.keys(REMEDY_WORDS) as Remedy[]).filter((r) => REMEDY_WORDS[r].test(ctx.text));
  const picked = choiceIndex(ctx.text, labels(c.offered, ctx));
  const choice = picked !== null ? c.offered[picked] : named.find((r) => c.offered.includes(r));
  if (choice) return agree(here, ctx, choice);
  // More than the bot may promise: never a promise it cannot keep, a person decides.
  if (COMPENSATION.test(ctx.text) || named.length > 0) return handOver(here, ctx, 'beyond_authority', 'complaint.beyond');
  if (saysGoodbye(ctx.text) && yesNo(ctx.text) !== 'yes') return leaves(here, ctx);
  const answer = yesNo(ctx.text);
  if (answer === 'yes' && c.offered.length === 1) return agree(here, ctx, c.offered[0]!);
  if (answer === 'no') return handOver(here, ctx, 'unresolved', 'complaint.handoff');
  const story = ctx.raw.trim() ? { ...c, story: [...c.story, ctx.raw.trim()].slice(-10) } : c;
  const options = labels(c.offered, ctx);
  return { ...extend({ ...here, data: { ...turn.data, complaint: story } }, [reply('complaint.propose.which', undefined, options)]), understood: answer === 'yes' };
}

/** Step 5: the case with the grading and the remedy, a follow-up when it is due, and a deadline the follow-up keeps. */
function agree(turn: Turn, ctx: Ctx, remedy: Remedy): Turn {
  const c = { ...turn.data.complaint!, remedy };
  const severity = c.severity === 'serious' ? 'serious' : 'general';
  const afterMs = ctx.policy.followUpMs[severity];
  const data = closeComplaint({ ...turn.data, complaint: c, ask: 'anything_else', choices: [] });
  return extend(rest('complaint', 'follow_up', data, turn.actions), [
    complaintCase(c, `agreed on ${remedy}`),
    { type: 'schedule_follow_up', afterMs, note: `complaint follow-up: check that the ${remedy} was carried out and the customer is satisfied` },
    reply('complaint.agreed', { remedy: remedyLabel(remedy, ctx.lang, ctx.policy.couponValue), hours: Math.max(1, Math.round(afterMs / 3_600_000)) }),
  ]);
}

/** The customer leaves before agreeing: the case is still opened (首问负责制: nothing is dropped) and followed up. */
export function leaves(turn: Turn, ctx: Ctx): Turn {
  const c = turn.data.complaint!;
  const data = closeComplaint({ ...turn.data, ask: null, choices: [] });
  return extend(rest('reception', 'farewell', data, turn.actions), [
    complaintCase(c, 'customer left before a remedy was agreed'),
    { type: 'schedule_follow_up', afterMs: ctx.policy.followUpMs.general, note: 'complaint follow-up: the customer left before a remedy was agreed' },
    reply('farewell'),
  ]);
}

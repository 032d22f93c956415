/**
 * Complaint steps 1-2 (domain.md §3): soothe, then listen. Emotion first: an angry customer
 * is soothed before anything is asked; a calm one is asked, once and all at once, for what
 * is missing (order number, photos of a faulty product). Never interrogate: after one
 * question the bot goes on with what it has. A critical complaint skips everything: a
 * holding reply that admits nothing, a case, a supervisor now.
 */
import { handOver } from '../handoff.js';
import { asksForPerson, orderNumber } from '../reading.js';
import type { ComplaintData, EngineData } from '../state.js';
import { reply } from '../templates.js';
import { extend, rest, type Ctx, type Turn } from '../turn.js';
import { listOf, word } from '../words.js';
import { empathise } from './resolve.js';

const rank = { general: 1, serious: 2, critical: 3 } as const;

const photosIn = (ctx: Ctx): number =>
  ctx.event.kind === 'media' ? Math.max(1, (ctx.event.attachments ?? []).filter((a) => a.kind === 'image' || a.kind === 'video').length) : 0;

/** A story worth empathising with: more than "太差了". */
const detailed = (story: string[]): boolean => {
  const text = story.join(' ');
  return (text.match(/[\u4e00-\u9fff]/g) ?? []).length >= 8 || text.split(/\s+/).length >= 6;
};

function missingFacts(c: ComplaintData, ctx: Ctx): string {
  const missing: string[] = [];
  if (!c.orderNo) missing.push(word('orderNo', ctx.lang));
  if (c.photos === 0 && (c.category === 'product' || c.category === null)) missing.push(word('photos', ctx.lang));
  return listOf(missing, ctx.lang, 'and');
}

/** What this message adds to the complaint: its words, an order number, photos, a higher severity. */
function heard(c: ComplaintData, ctx: Ctx): ComplaintData {
  const grade = ctx.event.understanding.grade;
  const raised = grade.severity !== 'none' && rank[grade.severity] > rank[c.severity];
  const story = ctx.raw.trim() && !/^[\s\p{P}]*$/u.test(ctx.raw) ? [...c.story, ctx.raw.trim()].slice(-10) : c.story;
  return {
    ...c,
    story,
    orderNo: c.orderNo ?? orderNumber(ctx.raw),
    photos: c.photos + photosIn(ctx),
    ...(raised ? { severity: grade.severity as ComplaintData['severity'], reasons: [...new Set([...c.reasons, ...grade.reasons])] } : {}),
    ...(raised && grade.form ? { form: grade.form } : {}),
  };
}

export function critical(turn: Turn, ctx: Ctx): Turn {
  const grade = ctx.event.understanding.grade;
  const c = turn.data.complaint && !turn.data.complaint.closed ? heard(turn.data.complaint, ctx) : fresh(ctx);
  const data: EngineData = { ...turn.data, greeted: true, complaint: { ...c, severity: 'critical', reasons: [...new Set([...c.reasons, ...grade.reasons])] } };
  return handOver(rest('complaint', 'soothe', data, turn.actions), ctx, 'critical', 'complaint.critical');
}

function fresh(ctx: Ctx): ComplaintData {
  const g = ctx.event.understanding.grade;
  return {
    severity: g.severity === 'none' ? 'general' : g.severity, category: g.category, form: g.form, nature: g.nature, reasons: g.reasons,
    story: [ctx.raw.trim()], orderNo: orderNumber(ctx.raw), photos: photosIn(ctx), asked: false, offered: [], remedy: null, closed: false,
  };
}

/** A new complaint: soothe and listen, or (calm, and everything known) go straight on to empathise. */
export function openComplaint(turn: Turn, ctx: Ctx): Turn {
  const c = fresh(ctx);
  const data: EngineData = { ...turn.data, greeted: true, complaint: c, ask: null, choices: [], pending: null };
  const opened = rest('complaint', 'soothe', data, turn.actions);
  if (c.severity === 'critical') return critical(turn, ctx);
  if (ctx.event.customer.tier === 'vip' && ctx.policy.vip !== 'never') return handOver(opened, ctx, 'vip', 'complaint.vip');
  if (asksForPerson(ctx.text)) return handOver(opened, ctx, 'asked', 'complaint.handoff');
  const angry = c.form === 'venting' || c.form === 'extreme' || !detailed(c.story);
  const missing = missingFacts(c, ctx);
  if (!angry && !missing) return empathise(opened, ctx);
  const template = angry ? reply('complaint.soothe') : reply('complaint.soothe.ask', { missing });
  return extend(rest('complaint', 'listen', { ...data, complaint: { ...c, asked: true }, ask: 'complaint_details' }, turn.actions), [template]);
}

/** Step 2, listening: take in what the customer adds; ask once for what is missing, then go on. */
export function listen(turn: Turn, ctx: Ctx): Turn {
  const c = heard(turn.data.complaint!, ctx);
  const data = { ...turn.data, complaint: c };
  const here = rest('complaint', 'listen', data, turn.actions);
  if (asksForPerson(ctx.text)) return handOver(here, ctx, 'asked', 'complaint.handoff');
  const missing = missingFacts(c, ctx);
  if (!c.asked && missing) {
    return extend(rest('complaint', 'listen', { ...data, complaint: { ...c, asked: true }, ask: 'complaint_details' }, turn.actions), [
      reply('complaint.listen.more', { missing }),
    ]);
  }
  return empathise(here, ctx);
}

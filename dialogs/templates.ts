/**
 * Every template the engine can ask for, with the variables it fills. The wording lives in
 * templates/bot/<locale>.json (rendered by the runtime); this list is what
 * test/dialogs/templates.test.ts checks against all three locales, so a template id used in
 * code and missing from a language fails the tests rather than a customer's conversation.
 */
import type { Tone } from './profile.js';
import type { Action } from './types.js';

export const TEMPLATES = {
  // The first dialog's templates, still used.
  greeting: [],
  event_subscribe: [],
  event_friend_added: [],
  faq_answer: ['answer'],
  greeting_faq_answer: ['answer'],
  fallback: [],
  'fallback.choice': [],
  handoff: [],
  // Reception, steps 2-8.
  'inquiry.ask': [],
  'inquiry.ask.choice': [],
  'inquiry.ask.brief': [],
  'recommend.fab': ['name', 'price', 'feature', 'advantage', 'benefit'],
  'recommend.fab.peer': ['name', 'price', 'specs'],
  'recommend.fab.brief': ['name', 'price', 'benefit'],
  'recommend.fab.two': ['name', 'price', 'benefit', 'altName', 'altPrice', 'altBenefit'],
  'objection.generous': ['name', 'gift'],
  'objection.testing': ['name', 'price', 'benefit'],
  'objection.insisting': ['name', 'altName', 'altPrice', 'altBenefit'],
  'objection.insisting.lowest': ['name', 'price', 'benefit'],
  'objection.doubt': ['name', 'assurance'],
  'objection.undecided': ['name', 'altName'],
  'objection.general': [],
  'close.quantity': ['name', 'unit'],
  'close.quantity.two': ['name', 'unit'],
  'close.contact': ['name', 'quantity', 'unit'],
  'close.contact.missing': ['missing'],
  'close.private': [],
  'confirm.restate': ['name', 'quantity', 'unit', 'price', 'total', 'contactName', 'phone', 'address'],
  'confirm.change': [],
  'order.placed': ['orderNo', 'total', 'shipDays'],
  'order.rejected': [],
  'order.unavailable': [],
  'shipping.ask_order': [],
  'shipping.processing': ['orderNo', 'date'],
  'shipping.shipped': ['orderNo', 'carrier', 'trackingNo', 'date'],
  'shipping.delivered': ['orderNo', 'date'],
  'shipping.cancelled': ['orderNo'],
  'shipping.not_found': ['orderNo'],
  'shipping.unavailable': ['orderNo'],
  anything_else: [],
  farewell: [],
  // A customer who fell silent (runtime `idle` events): an open question, then a choice, then goodbye.
  'idle.open': [],
  'idle.choice': [],
  'idle.farewell': [],
  // Complaint, five steps.
  'complaint.soothe': [],
  'complaint.soothe.ask': ['missing'],
  'complaint.listen.more': ['missing'],
  'complaint.empathise': [],
  'complaint.propose': ['options'],
  'complaint.propose.which': [],
  'complaint.agreed': ['remedy', 'hours'],
  'complaint.beyond': [],
  'complaint.handoff': [],
  'complaint.critical': [],
  'complaint.vip': [],
  // Hand-over, by reason.
  'handoff.in_order': [],
  'handoff.low_confidence': [],
  'handoff.repeat': [],
  'handoff.frustration': [],
  'handoff.vip': [],
  no_agent: ['hours'],
} as const satisfies Record<string, readonly string[]>;

export type TemplateId = keyof typeof TEMPLATES;

export function reply(template: TemplateId, vars?: Record<string, string | number>, choices?: string[]): Action {
  return {
    type: 'reply', template,
    ...(vars && Object.keys(vars).length > 0 ? { vars } : {}),
    ...(choices && choices.length > 0 ? { choices: choices.map((c) => Array.from(c).slice(0, 64).join('')) } : {}),
  };
}

/** The tone's wording of a template when it has one (`recommend.fab.peer`), else the plain one. */
export function variant(base: TemplateId, tone: Tone): TemplateId {
  const id = `${base}.${tone}`;
  return id in TEMPLATES ? (id as TemplateId) : base;
}

/**
 * The engine's serialisable state and its version. `DialogState` (src/contract.ts) is
 * `{ version, flow, step, data }`; `data` is `EngineData` below. Every field of `data`
 * carries a fallback (`.catch`), so a state written by an older or newer release, or
 * damaged, is read field by field: what still makes sense is kept, the rest starts fresh.
 * A flow changed under a live conversation is handled by `load`, never by a crash.
 */
import { z } from 'zod';
import type { DialogState } from '../src/contract.js';
import { REMEDIES } from './policy.js';

/** Bump when the meaning of flow, step or data changes, and teach `load` the old shape. */
export const ENGINE_VERSION = 2;

/** domain.md §2: the eight steps of online reception, in order. */
export const RECEPTION_STEPS = ['greet', 'inquiry', 'recommend', 'objection', 'close', 'confirm', 'order', 'farewell'] as const;
/** domain.md §3: the five steps of a complaint (the bot rests in these between messages). */
export const COMPLAINT_STEPS = ['soothe', 'listen', 'empathise', 'propose', 'follow_up'] as const;
export const FLOWS = { reception: RECEPTION_STEPS, complaint: COMPLAINT_STEPS } as const;
export type Flow = keyof typeof FLOWS;
export type ReceptionStep = (typeof RECEPTION_STEPS)[number];
export type ComplaintStep = (typeof COMPLAINT_STEPS)[number];
export type Step = ReceptionStep | ComplaintStep;

/** What the bot's last question waits for: the next message is first read as its answer. */
export const SLOTS = [
  'topic', 'category', 'decision', 'product', 'quantity', 'contact', 'confirm', 'change', 'order_no', 'anything_else', 'complaint_details', 'remedy',
] as const;
export type Slot = (typeof SLOTS)[number];

const str = z.string().max(2000);
const Contact = z.object({ name: str.optional().catch(undefined), phone: str.optional().catch(undefined), address: str.optional().catch(undefined) });

const EngineDataSchema = z.object({
  greeted: z.boolean().catch(false),
  lang: z.enum(['zh', 'en']).nullable().catch(null),
  /** Complaints closed in this conversation (the pipeline passes it to the grader as repeat contact). */
  complaints: z.number().int().min(0).catch(0),
  profile: z.object({
    knowledge: z.enum(['novice', 'expert']).catch('novice'),
    price: z.enum(['unknown', 'generous', 'testing', 'insisting']).catch('unknown'),
    style: z.enum(['unknown', 'silent', 'talkative', 'indecisive']).catch('unknown'),
  }).catch({ knowledge: 'novice', price: 'unknown', style: 'unknown' }),
  signals: z.object({
    notUnderstood: z.number().int().min(0).catch(0),
    /** The last question answered from the FAQ or not understood: asked again, a person takes over. */
    lastQuestion: str.nullable().catch(null),
    frustration: z.number().int().min(0).catch(0),
    idle: z.number().int().min(0).catch(0),
    shortReplies: z.number().int().min(0).catch(0),
    expertCues: z.number().int().min(0).catch(0),
    priceObjections: z.number().int().min(0).catch(0),
  }).catch({ notUnderstood: 0, lastQuestion: null, frustration: 0, idle: 0, shortReplies: 0, expertCues: 0, priceObjections: 0 }),
  ask: z.enum(SLOTS).nullable().catch(null),
  /** Keys of the choices last offered (product ids, category ids, remedies): "2" picks the second. */
  choices: z.array(str).max(10).catch([]),
  /** The effect the bot is waiting on (its result comes as a `result` event). */
  pending: z.enum(['place_order', 'lookup_shipping']).nullable().catch(null),
  sale: z.object({
    category: str.nullable().catch(null),
    productId: str.nullable().catch(null),
    quantity: z.number().int().min(1).max(99).nullable().catch(null),
    contact: Contact.catch({}),
    orderNo: str.nullable().catch(null),
  }).catch({ category: null, productId: null, quantity: null, contact: {}, orderNo: null }),
  complaint: z.object({
    severity: z.enum(['general', 'serious', 'critical']),
    category: str.nullable().catch(null),
    form: str.nullable().catch(null),
    nature: str.nullable().catch(null),
    reasons: z.array(str).catch([]),
    story: z.array(str).catch([]),
    orderNo: str.nullable().catch(null),
    photos: z.number().int().min(0).catch(0),
    asked: z.boolean().catch(false),
    offered: z.array(z.enum(REMEDIES)).catch([]),
    remedy: z.enum(REMEDIES).nullable().catch(null),
    /** Agreed or handed over: counted in `complaints`, a new complaint starts a new episode. */
    closed: z.boolean().catch(false),
  }).nullable().catch(null),
  /** A VIP was already handed to a person once (policy `vip: always`): not again after `no_agent`. */
  vipHandled: z.boolean().catch(false),
  /** Set when the bot handed the conversation to a person; cleared when it comes back. */
  handover: z.object({ reason: str, priority: z.enum(['critical', 'serious', 'vip', 'normal']) }).nullable().catch(null),
});

export type EngineData = z.infer<typeof EngineDataSchema>;
export type ComplaintData = NonNullable<EngineData['complaint']>;

// Every field of an empty object falls back to its default: worked out once (each fallback
// builds and discards a validation issue), then copied, so no caller shares another's data.
// Copied from JSON: plain data, and twice as fast as structuredClone.
const FRESH = JSON.stringify(EngineDataSchema.parse({}));
export const freshData = (): EngineData => JSON.parse(FRESH) as EngineData;

export interface Loaded {
  flow: Flow;
  step: Step;
  data: EngineData;
}

const isStepOf = (flow: Flow, step: unknown): step is Step => (FLOWS[flow] as readonly unknown[]).includes(step);

/** Steps renamed or removed since an earlier version, mapped to where to continue. */
const MOVED_STEPS: Record<string, { flow: Flow; step: Step }> = {
  // greeter v1 (dialogs/greeter.ts) rested in 'inquiry' after greeting: same meaning here.
  'reception/inquiry': { flow: 'reception', step: 'inquiry' },
};

/** Read any stored state (null, this version, an older one, a damaged one) into this version's shape. */
export function load(state: DialogState | null): Loaded {
  if (!state) return { flow: 'reception', step: 'greet', data: freshData() };
  const data = EngineDataSchema.parse(typeof state.data === 'object' && state.data !== null ? state.data : {});
  if (state.version === ENGINE_VERSION && (state.flow === 'reception' || state.flow === 'complaint') && isStepOf(state.flow, state.step)) {
    return { flow: state.flow, step: state.step, data };
  }
  // Another version, or a flow or step this version does not know: keep what was learnt
  // (greeted, language, complaints, profile, the order being built) and continue from a safe
  // place. A question the bot asked under another version is not assumed to be pending.
  const moved = MOVED_STEPS[`${state.flow}/${state.step}`];
  const restart = { ...data, ask: null, choices: [], pending: null };
  if (moved) return { ...moved, data: restart };
  if (state.flow === 'complaint' && data.complaint) return { flow: 'complaint', step: 'listen', data: { ...restart, ask: 'complaint_details' } };
  return { flow: 'reception', step: data.greeted ? 'inquiry' : 'greet', data: { ...restart, complaint: null } };
}

export function save(flow: Flow, step: Step, data: EngineData): DialogState {
  return { version: ENGINE_VERSION, flow, step, data: data as unknown as Record<string, unknown> };
}

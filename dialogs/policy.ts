/**
 * What the bot may do on its own: which remedies it may offer for a complaint (its
 * authority: it never offers more), when it hands over, how soon it follows up. Passed to
 * `createDialog(policy)`; `parsePolicy` validates a policy read from configuration.
 */
import { z } from 'zod';
import { demoCatalogue, type Catalogue } from './catalogue/index.js';

export const REMEDIES = ['replace', 'repair', 'refund', 'coupon'] as const;
export type Remedy = (typeof REMEDIES)[number];

const HOUR = 3_600_000;

export const PolicySchema = z.object({
  /**
   * Remedies the bot may agree to, by complaint severity. A critical complaint always goes
   * to a person; a serious one with no remedy here goes to a person right after the apology.
   */
  authority: z.object({
    general: z.array(z.enum(REMEDIES)).default(['replace', 'repair', 'refund', 'coupon']),
    serious: z.array(z.enum(REMEDIES)).default(['replace', 'repair']),
  }).prefault({}),
  /** Face value of a goodwill coupon, whole yuan (only offered when `coupon` is in the authority). */
  couponValue: z.number().int().positive().max(10000).default(30),
  /** VIP customers: a person `always`, on a `complaint`, or `never` (the bot serves them like anyone). */
  vip: z.enum(['always', 'complaint', 'never']).default('complaint'),
  /** A turn the dialog could not place, with intent confidence below this, counts as not understood. */
  lowConfidence: z.number().min(0).max(1).default(0.45),
  /** Hand over after this many not-understood turns in a row. */
  lowConfidenceTurns: z.number().int().min(1).max(10).default(2),
  /** Hand over when frustration (see signals.ts) reaches this level. */
  frustrationLimit: z.number().int().min(1).max(20).default(3),
  /** When the follow-up of an agreed remedy is due, by severity (ms). */
  followUpMs: z.object({
    general: z.number().int().positive().default(24 * HOUR),
    serious: z.number().int().positive().default(4 * HOUR),
  }).prefault({}),
  /** Idle events answered before the bot says goodbye (silent customer). */
  idleNudges: z.number().int().min(0).max(5).default(2),
});

export type PolicyInput = z.input<typeof PolicySchema>;
export type DialogPolicy = z.output<typeof PolicySchema> & { catalogue: Catalogue };

/** Validate a policy (from configuration); throws a zod error naming the bad field. */
export function parsePolicy(input: PolicyInput = {}, catalogue: Catalogue = demoCatalogue): DialogPolicy {
  return Object.freeze({ ...PolicySchema.parse(input), catalogue });
}

export const DEFAULT_POLICY: DialogPolicy = parsePolicy();

/**
 * The understanding module's public API: what a customer wants (intent), how serious a
 * complaint is (grade, with the cues that decided), whether it is praise (praise.ts), and FAQ
 * answers. Loading is synchronous (jieba's dictionary, the FAQ index, and the intent model
 * trained from dialogs/nlu/ take well under 1.5 s together); every call after that is pure,
 * synchronous and local.
 */
import { existsSync } from 'node:fs';
import { fromRoot } from '../paths.js';
import { FaqIndex, loadFaqFile, type FaqEntry, type FaqHit } from './faq.js';
import { gradeComplaint, NO_GRADE, type Grade } from './grade.js';
import { loadIntentModel, type IntentModel } from './intent.js';
import { normalize, stripEmail, type PreProcessor } from './normalize.js';
import { readPraise } from './praise.js';
import type { Intent, Language, MessageContext } from './types.js';

export type { Category, Form, Intent, Language, MessageContext, Nature, Severity } from './types.js';
export { CATEGORIES, FORMS, INTENTS, NATURES, SEVERITIES } from './types.js';
export type { FaqEntry, FaqHit } from './faq.js';
export type { Grade } from './grade.js';
export type { PreProcessor } from './normalize.js';
export { complaintCues, praiseOf, praiseWithComplaint, readPraise, type PraiseReading } from './praise.js';
export { createSecondOpinion, secondOpinionFromEnv, understandWithSecondOpinion, type SecondOpinion } from './llm.js';

export interface Understanding {
  intent: Intent;
  /** Probability of the intent (0..1), temperature-calibrated by cross-validation on the training examples. */
  confidence: number;
  grade: Grade;
  language: Language;
  /** The text as matched: half-width, Simplified, lower-case. The original is the caller's. */
  normalized: string;
  /** The runner-up intent, for a second opinion or a clarifying question. */
  alternative?: { intent: Intent; confidence: number };
  /** A compliment with nothing in it that complains, denies, turns or asks (praise.ts). Not an intent. */
  praise: boolean;
}

export interface UnderstandContext extends MessageContext {
  /** Channel-specific clean-up (the e-mail channel strips quotes and signatures). */
  preprocess?: PreProcessor;
}

export interface Nlu {
  understand(text: string, ctx?: UnderstandContext): Understanding;
  /** The complaint grade of a text whatever its intent (for a second opinion that says complaint). */
  grade(text: string, ctx?: UnderstandContext): Grade;
  faq: { ask(text: string): FaqHit | null; rank(text: string, k?: number): FaqHit[]; size: number };
}

export interface LoadOptions {
  /** Knowledge-base files in the faq-base.json format, loaded in order. */
  faqFiles?: string[];
  /** Also load faq/demo.json (default: true when no faqFiles are given). */
  includeDemoFaq?: boolean;
  /** Train the intent model now (default) or on the first `understand` call (FAQ-only tools). */
  eagerIntents?: boolean;
}

export const DEMO_FAQ = fromRoot('faq', 'demo.json');

/** Load everything once, synchronously. Safe to `await` (the gateway does). */
export function loadNlu(opts: LoadOptions = {}): Nlu {
  const files = [...(opts.faqFiles ?? [])];
  const includeDemo = opts.includeDemoFaq ?? files.length === 0;
  if (includeDemo && existsSync(DEMO_FAQ)) files.unshift(DEMO_FAQ);
  const entries: FaqEntry[] = files.flatMap((f) => loadFaqFile(f));
  const faq = new FaqIndex(entries);
  let model = opts.eagerIntents === false ? undefined : loadIntentModel();
  return {
    understand: (text, ctx = {}) => understandWith((model ??= loadIntentModel()), text, ctx),
    grade: (text, ctx = {}) => gradeComplaint(normalizeFor(text, ctx), ctx, (model ??= loadIntentModel()).category),
    faq: { ask: (text) => faq.ask(text), rank: (text, k) => faq.rank(text, k), size: faq.size },
  };
}

function normalizeFor(text: string, ctx: UnderstandContext) {
  return normalize(text, ctx.preprocess ?? (ctx.channel === 'email' ? stripEmail : undefined));
}

export function understandWith(model: IntentModel, text: string, ctx: UnderstandContext = {}): Understanding {
  const norm = normalizeFor(text, ctx);
  const predicted = model.classify(norm, ctx);
  const praise = readPraise(norm).praise;
  // A compliment read as a complaint: praise means no complaint cue at all (praise.ts), so it is
  // the thanks LABELS.md calls `farewell`, and no complaint is opened for it.
  const mistaken = praise && predicted.intent === 'complaint';
  const intent = mistaken ? 'farewell' : predicted.intent;
  const grade = intent === 'complaint' ? gradeComplaint(norm, ctx, model.category) : { ...NO_GRADE, reasons: [] };
  const alternative = mistaken ? { intent: predicted.intent, confidence: predicted.confidence } : predicted.alternative;
  return {
    intent,
    confidence: predicted.confidence,
    grade,
    language: norm.language,
    normalized: norm.text,
    ...(alternative ? { alternative } : {}),
    praise,
  };
}

/**
 * FAQ retrieval: BM25F over shop concepts (shared by Chinese and English, so an English
 * question finds a Chinese entry), words and Chinese character bigrams. An answer is given
 * only when the query's meaning is covered well enough; otherwise null, never a guess.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FeatureIndex, PAIR_FEATURES, type QueryFeatures } from './faq-features.js';
import { ANSWER_WEIGHTS, FAQ_THRESHOLD, RANK_WEIGHTS } from './faq-model.js';
import { detectLanguage } from './normalize.js';

export const FaqEntrySchema = z.object({
  id: z.string().min(1),
  lang: z.string().default('zh'),
  question: z.string().min(1),
  alternates: z.array(z.string()).default([]),
  answer: z.string().min(1),
});
export type FaqEntry = z.infer<typeof FaqEntrySchema>;

export interface FaqHit {
  id: string;
  question: string;
  answer: string;
  /** Confidence in [0, 1]: how much of the question's meaning the entry covers. */
  score: number;
}

export { FAQ_THRESHOLD } from './faq-model.js';
export { analyze, type Analyzed } from './faq-features.js';

export function parseFaq(json: unknown, source = 'faq'): FaqEntry[] {
  const parsed = z.array(FaqEntrySchema).safeParse(json);
  if (!parsed.success) throw new Error(`${source}: not an FAQ list: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function loadFaqFile(path: string): FaqEntry[] {
  return parseFaq(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}

export class FaqIndex {
  private readonly features: FeatureIndex;

  constructor(readonly entries: readonly FaqEntry[], private readonly threshold = FAQ_THRESHOLD) {
    this.features = new FeatureIndex(entries.map((e) => ({
      lang: e.lang === 'en' || e.lang === 'zh' ? e.lang : detectLanguage(e.question),
      questions: [e.question, ...e.alternates],
      answer: e.answer,
    })));
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * The best entries, best first, each with the answer model's probability that it answers
   * the question (see faq-model.ts): that probability is the score, and `ask` answers only
   * when it reaches the calibrated threshold.
   */
  rank(text: string, k = 3): FaqHit[] {
    if (this.entries.length === 0) return [];
    const f = this.features.features(text);
    const scores = f.pairs.map((x) => dot(RANK_WEIGHTS, x));
    const order = scores.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
    return order.slice(0, k).map((doc, pos) => {
      const entry = this.entries[doc] as FaqEntry;
      const rival = scores[order[pos === 0 ? 1 : 0] ?? -1] ?? (scores[doc] ?? 0) - 1;
      const p = answerProbability(f, doc, scores[doc] ?? 0, rival);
      return { id: entry.id, question: entry.question, answer: entry.answer, score: round(p) };
    });
  }

  ask(text: string): FaqHit | null {
    const best = this.rank(text, 1)[0];
    return best && best.score >= this.threshold ? best : null;
  }
}

/** The answer model's input for one entry: its rank score, the margin over its best rival, and how well the question is understood. */
export function answerFeatures(f: QueryFeatures, doc: number, score: number, rival: number): number[] {
  const x = f.pairs[doc] as Float64Array;
  return [
    1, score, score - rival, f.unknown, x[PAIR_INDEX.best_f1] ?? 0, f.coverage[doc] ?? 0, f.knownMass, x[PAIR_INDEX.cross] ?? 0,
    f.missed[doc] ?? 1, f.worstMiss[doc] ?? 1, f.foreign, f.foreign * f.unknown, f.foreign * (f.missed[doc] ?? 1),
    f.unknownBy.concept, f.unknownBy.noun, f.unknownBy.verb, f.unknownBy.latin,
  ];
}

export function answerProbability(f: QueryFeatures, doc: number, score: number, rival: number): number {
  return 1 / (1 + Math.exp(-dot(ANSWER_WEIGHTS, answerFeatures(f, doc, score, rival))));
}

export const dot = (w: readonly number[], x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (w[i] ?? 0) * (x[i] ?? 0);
  return s;
};

const PAIR_INDEX = Object.fromEntries(PAIR_FEATURES.map((n, i) => [n, i])) as Record<(typeof PAIR_FEATURES)[number], number>;
const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * FAQ retrieval: BM25 over shop concepts (synonyms shared by Chinese and English, so an English
 * question finds a Chinese entry), words and character n-grams, on an entry's questions and its
 * answer apart (faq-features.ts); a linear ranker weighs those scores, and a logistic
 * answer-or-null model decides whether the best entry really answers (faq-model.ts, both fitted
 * on the project's own questions). Below the calibrated threshold the answer is null: the bot
 * does not pretend to know.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FeatureIndex, type QueryTraits } from './faq-features.js';
import { ANSWER_WEIGHTS, FAQ_THRESHOLD, RANK_WEIGHTS } from './faq-model.js';
import { defaultOutOfScope, type OutOfScopeModel } from './faq-oos.js';
import { projectParaphrases } from './faq-paraphrase.js';
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
  /** Confidence in [0, 1]: the answer model's probability that this entry answers the question (faq-model.ts). */
  score: number;
}

export { FAQ_THRESHOLD } from './faq-model.js';
export { analyze, type Analyzed } from './faq-analyze.js';

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

  constructor(
    readonly entries: readonly FaqEntry[],
    private readonly threshold = FAQ_THRESHOLD,
    private readonly outOfScope: OutOfScopeModel = defaultOutOfScope(),
    paraphrases: ReadonlyMap<string, string[]> = projectParaphrases(new Set(entries.map((e) => e.id))),
  ) {
    this.features = new FeatureIndex(entries.map((e) => ({
      lang: e.lang === 'en' || e.lang === 'zh' ? e.lang : detectLanguage(e.question),
      questions: [e.question, ...e.alternates],
      answer: e.answer,
      paraphrases: paraphrases.get(e.id) ?? [],
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
    const scores: number[] = [];
    const f = this.features.each(text, (x) => scores.push(dot(RANK_WEIGHTS, x)));
    const oos = this.outOfScope.logit(f.terms);
    // The rival of the best entry is the second best, so at least two are ranked.
    const order = topIndices(scores, Math.max(k, 2));
    let ceiling = 1;
    return order.slice(0, k).map((doc, pos) => {
      const entry = this.entries[doc] as FaqEntry;
      const rival = scores[order[pos === 0 ? 1 : 0] ?? -1] ?? (scores[doc] ?? 0) - 1;
      // A lower-ranked entry never reads as more likely than the one above it.
      ceiling = Math.min(ceiling, answerProbability(f, doc, scores[doc] ?? 0, rival, oos));
      return { id: entry.id, question: entry.question, answer: entry.answer, score: round(ceiling) };
    });
  }

  ask(text: string): FaqHit | null {
    const best = this.rank(text, 1)[0];
    return best && best.score >= this.threshold ? best : null;
  }
}

/**
 * The answer model's input for one entry: its rank score, the margin over its best rival, how
 * well the question is understood, and the out-of-scope cues' logit (faq-oos.ts).
 */
export function answerFeatures(f: QueryTraits, doc: number, score: number, rival: number, oos: number): number[] {
  return [1, score, score - rival, f.unknown, f.knownMass, f.missed[doc] ?? 1, f.worstMiss[doc] ?? 1, f.foreign * f.unknown, oos];
}

export function answerProbability(f: QueryTraits, doc: number, score: number, rival: number, oos: number): number {
  return 1 / (1 + Math.exp(-dot(ANSWER_WEIGHTS, answerFeatures(f, doc, score, rival, oos))));
}

export const dot = (w: readonly number[], x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (w[i] ?? 0) * (x[i] ?? 0);
  return s;
};

/** Indices of the k highest scores, highest first (ties: lower index first, as a stable sort gives). One pass: k is small. */
export function topIndices(scores: readonly number[], k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (top.length === k && s <= (scores[top[k - 1] as number] as number)) continue;
    if (top.length === k) top.pop();
    let at = top.length;
    while (at > 0 && s > (scores[top[at - 1] as number] as number)) at--;
    top.splice(at, 0, i);
  }
  return top;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

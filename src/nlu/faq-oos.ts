/**
 * Out-of-scope cues: a sparse logistic regression over a question's terms (faq-analyze.ts:
 * concepts, words, character n-grams) that says how much it reads like a question a shop FAQ
 * does not answer (renting furniture, jobs, the company itself, a service the shop does not
 * offer, another shop's goods), whatever words it shares with an entry. Its logit is one input
 * of the answer-or-null model (faq.ts).
 *
 * Trained on the project's own FAQ questions (OUT_OF_SCOPE_FILES; out of scope = `faq: null`),
 * never on the dev set or the sealed set, by test/nlu/faq-fit.ts, which writes the weights to
 * WEIGHTS_FILE (reading them takes milliseconds; training at start would cost ~0.4 s of the
 * 1.5 s load budget). Those questions were written for an office-furniture shop's FAQ, so the
 * cues assume one (faq/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTerms, analyze } from './faq-analyze.js';
import { NLU_DATA_DIR } from './training.js';
import { fromRoot } from '../paths.js';

export const OUT_OF_SCOPE_FILES = ['faq-queries.jsonl', 'faq-queries.base.jsonl'] as const;
export const WEIGHTS_FILE = fromRoot('src', 'nlu', 'faq-oos-weights.json');

export interface LabelledTerms {
  terms: readonly string[];
  outOfScope: boolean;
}

const EPOCHS = 60;
const RATE = 0.1;
const L2 = 0.01;
/** The logit is clamped: a question full of training phrases must not outvote every other feature. */
const CLAMP = 8;

export class OutOfScopeModel {
  private constructor(private readonly weights: ReadonlyMap<string, number>, private readonly bias: number) {}

  /** Plain SGD in the given order, so the same questions always give the same model. */
  static train(rows: readonly LabelledTerms[]): OutOfScopeModel {
    const ids = new Map<string, number>();
    const encoded = rows.map(({ terms, outOfScope }) => ({
      y: outOfScope ? 1 : 0,
      x: Int32Array.from(terms, (t) => ids.get(t) ?? (ids.set(t, ids.size), ids.size - 1)),
    }));
    const w = new Float64Array(ids.size);
    let bias = 0;
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      for (const { x, y } of encoded) {
        let z = bias;
        for (const i of x) z += w[i] as number;
        const g = 1 / (1 + Math.exp(-z)) - y;
        bias -= RATE * g;
        for (const i of x) w[i] = (w[i] as number) - RATE * (g + L2 * (w[i] as number));
      }
    }
    return new OutOfScopeModel(new Map([...ids].map(([t, i]) => [t, w[i] as number])), bias);
  }

  static fromJson(json: unknown): OutOfScopeModel {
    const { bias, weights } = (json ?? {}) as { bias?: unknown; weights?: unknown };
    if (typeof bias !== 'number' || typeof weights !== 'object' || weights === null) throw new Error(`${WEIGHTS_FILE}: not out-of-scope weights`);
    return new OutOfScopeModel(new Map(Object.entries(weights as Record<string, number>)), bias);
  }

  /** The weights as WEIGHTS_FILE holds them (rounded; 1e-3 changes no answer). */
  toJson(): { bias: number; weights: Record<string, number> } {
    const r = (x: number): number => Math.round(x * 1000) / 1000;
    return { bias: r(this.bias), weights: Object.fromEntries([...this.weights].filter(([, w]) => r(w) !== 0).map(([t, w]) => [t, r(w)])) };
  }

  /** Log-odds that a question with these terms is out of scope. */
  logit(terms: Iterable<string>): number {
    let z = this.bias;
    for (const t of terms) z += this.weights.get(t) ?? 0;
    return Math.max(-CLAMP, Math.min(CLAMP, z));
  }
}

/** The terms the model reads: every channel of the analysis. */
export const questionTerms = (text: string): string[] => [...allTerms(analyze(text)).keys()];

/** The project's labelled FAQ questions, as the model reads them. */
export function outOfScopeExamples(dir = NLU_DATA_DIR): LabelledTerms[] {
  return OUT_OF_SCOPE_FILES.flatMap((f) =>
    readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim()).map((line, i) => {
      const q = JSON.parse(line) as { text?: unknown; faq?: unknown };
      if (typeof q.text !== 'string') throw new Error(`${f}:${i + 1}: no text`);
      return { terms: questionTerms(q.text), outOfScope: q.faq === null };
    }));
}

let shared: OutOfScopeModel | undefined;

/** The model trained on the project's questions (WEIGHTS_FILE), read once. */
export function defaultOutOfScope(): OutOfScopeModel {
  return (shared ??= OutOfScopeModel.fromJson(JSON.parse(readFileSync(WEIGHTS_FILE, 'utf8')) as unknown));
}

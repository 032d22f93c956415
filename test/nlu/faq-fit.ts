/**
 * Fits the FAQ ranker and the answer-or-null model (src/nlu/faq-model.ts) on the project's own
 * calibration questions, never on the dev set:
 *   - dialogs/nlu/faq-queries.jsonl       against faq/demo.json
 *   - dialogs/nlu/faq-queries.base.jsonl  against ../shared/eval/faq-base.json (the knowledge
 *     base the project is scored with; only its entries are read, never the dev questions)
 * dialogs/nlu/faq-queries.sealed.jsonl is not used to fit or tune anything: `--sealed` reports on it
 * (measure it seldom: every look makes it less unseen).
 *
 * The ranker is a linear score over the pair features (faq-features.ts), fitted by a softmax
 * over the entries of each answerable question (the right entry should win). The answer model
 * is a logistic regression over the best entry's features and the out-of-scope cues' logit
 * (faq-oos.ts), fitted to say whether the question is answerable. A question's features come
 * from an index whose paraphrases (faq-paraphrase.ts) are the other folds' questions, and its
 * out-of-scope logit from cues trained without it, so fitting sees what a new question meets.
 * The threshold is chosen on 5-fold cross-validated probabilities: the one that maximises
 * top-1 + null rate while refusing at least TARGET_NULL of the out-of-scope questions.
 *
 *   npm run build && node dist/test/nlu/faq-fit.js [--write] [--sealed] [--misses] [--curve]
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PAIR_FEATURES, ANSWER_FEATURES } from '../../src/nlu/faq-features.js';
import { answerFeatures, dot } from '../../src/nlu/faq.js';
import { OutOfScopeModel, outOfScopeExamples, WEIGHTS_FILE } from '../../src/nlu/faq-oos.js';
import { fromRoot } from '../../src/paths.js';
import { fitSamples, fold, sealedSamples, type Sample } from './faq-samples.js';

export { baseFile, fitSamples, sealedSamples, type Query, type Sample } from './faq-samples.js';

export const TARGET_NULL = 0.88;
const RANK_L2 = 0.01;
const ANSWER_L2 = 0.01;
/** Answer features left out (by name, comma-separated in FAQ_MASK): for trying smaller models. */
const MASK = (process.env.FAQ_MASK ?? '').split(',').filter(Boolean).map((n) => ANSWER_FEATURES.indexOf(n as (typeof ANSWER_FEATURES)[number]));
const LABEL_RIGHT = process.env.ANSWER_LABEL === 'right';
const LABEL_CLEAN = process.env.ANSWER_LABEL === 'clean';

/** Minimises a smooth convex loss with Adam, deterministically. */
function minimise(dim: number, lossGrad: (w: number[]) => { loss: number; grad: number[] }, steps = 600, lr = 0.1, init?: number[]): number[] {
  const w = init ? [...init] : new Array<number>(dim).fill(0);
  const m = new Array<number>(dim).fill(0);
  const v = new Array<number>(dim).fill(0);
  for (let t = 1; t <= steps; t++) {
    const { grad } = lossGrad(w);
    for (let i = 0; i < dim; i++) {
      const g = grad[i] ?? 0;
      m[i] = 0.9 * (m[i] ?? 0) + 0.1 * g;
      v[i] = 0.999 * (v[i] ?? 0) + 0.001 * g * g;
      const mh = (m[i] ?? 0) / (1 - 0.9 ** t);
      const vh = (v[i] ?? 0) / (1 - 0.999 ** t);
      w[i] = (w[i] ?? 0) - (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  return w;
}

export function fitRanker(train: Sample[]): number[] {
  const data = train.filter((s) => s.gold >= 0);
  const dim = PAIR_FEATURES.length;
  return minimise(dim, (w) => {
    const grad = new Array<number>(dim).fill(0);
    let loss = 0;
    for (const s of data) {
      const scores = s.f.pairs.map((x) => dot(w, x));
      const max = Math.max(...scores);
      const exps = scores.map((x) => Math.exp(x - max));
      const z = exps.reduce((a, b) => a + b, 0);
      loss -= Math.log((exps[s.gold] ?? 0) / z);
      s.f.pairs.forEach((x, d) => {
        const g = (exps[d] ?? 0) / z - (d === s.gold ? 1 : 0);
        for (let i = 0; i < dim; i++) grad[i] = (grad[i] ?? 0) + g * (x[i] ?? 0);
      });
    }
    for (let i = 0; i < dim; i++) {
      grad[i] = (grad[i] ?? 0) / data.length + RANK_L2 * (w[i] ?? 0);
      loss += (RANK_L2 / 2) * (w[i] ?? 0) ** 2;
    }
    return { loss, grad };
  });
}

export interface Ranked { s: Sample; top: number; x: number[]; right: boolean; inScope: boolean }

export function rankWith(w: number[], s: Sample): Ranked {
  const scores = s.f.pairs.map((x) => dot(w, x));
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  const top = order[0] ?? 0;
  const rival = order.length > 1 ? (scores[order[1] ?? 0] ?? 0) : (scores[top] ?? 0) - 1;
  const x = answerFeatures(s.f, top, scores[top] ?? 0, rival, s.oos);
  for (const i of MASK) x[i] = 0;
  if (process.env.ANSWER_QUAD) { const n = x.length; for (let i = 1; i < n; i++) for (let j = i; j < n; j++) x.push((x[i] ?? 0) * (x[j] ?? 0)); }
  return { s, top, x, right: s.gold === top, inScope: s.gold >= 0 };
}

export function fitAnswer(ranked: Ranked[]): number[] {
  const dim = ranked[0]?.x.length ?? ANSWER_FEATURES.length;
  // Answerable questions whose best entry is wrong teach nothing about what a right answer looks like.
  const data = LABEL_CLEAN ? ranked.filter((r) => r.right || !r.inScope) : ranked;
  return minimise(dim, (w) => {
    const grad = new Array<number>(dim).fill(0);
    let loss = 0;
    for (const r of data) {
      const p = 1 / (1 + Math.exp(-dot(w, r.x)));
      // For top-1 accuracy an answerable question is never better off unanswered, so the model
      // learns "answerable" (ANSWER_LABEL=right: "the best entry is the right one").
      const y = (LABEL_RIGHT ? r.right : r.inScope) ? 1 : 0;
      loss -= y ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12);
      for (let i = 0; i < dim; i++) grad[i] = (grad[i] ?? 0) + (p - y) * (r.x[i] ?? 0);
    }
    // The bias is not shrunk.
    for (let i = 0; i < dim; i++) grad[i] = (grad[i] ?? 0) / data.length + (i === 0 ? 0 : ANSWER_L2 * (w[i] ?? 0));
    return { loss, grad };
  }, 1500);
}

export const prob = (w: number[], x: number[]): number => 1 / (1 + Math.exp(-dot(w, x)));

export interface Figures { top1: number; rank1: number; nullRate: number; answerable: number; outOfScope: number }

export function figures(rows: Array<{ s: Sample; top: number; p: number }>, threshold: number): Figures {
  const inScope = rows.filter((r) => r.s.gold >= 0);
  const oos = rows.filter((r) => r.s.gold < 0);
  return {
    top1: inScope.filter((r) => r.top === r.s.gold && r.p >= threshold).length / Math.max(1, inScope.length),
    rank1: inScope.filter((r) => r.top === r.s.gold).length / Math.max(1, inScope.length),
    nullRate: oos.filter((r) => r.p < threshold).length / Math.max(1, oos.length),
    answerable: inScope.length,
    outOfScope: oos.length,
  };
}

/** The threshold that maximises top-1 + null rate among those refusing at least `minNull` of the out-of-scope questions. */
export function chooseThreshold(rows: Array<{ s: Sample; top: number; p: number }>, minNull = TARGET_NULL): number {
  let best = 0.5;
  let bestValue = -1;
  for (let t = 0.05; t <= 0.951; t += 0.01) {
    const f = figures(rows, t);
    if (f.nullRate < minNull) continue;
    const value = f.top1 + f.nullRate;
    if (value > bestValue + 1e-9) {
      bestValue = value;
      best = Math.round(t * 100) / 100;
    }
  }
  return best;
}

/** Top-1 at the lowest threshold that refuses at least `minNull` of the out-of-scope questions: compares models at one null rate. */
export function atNull(rows: Array<{ s: Sample; top: number; p: number }>, minNull = TARGET_NULL): number {
  for (let t = 0.05; t <= 0.991; t += 0.005) {
    const f = figures(rows, t);
    if (f.nullRate >= minNull) return f.top1;
  }
  return 0;
}


const outOfScopeModel = (rows: Sample[]): OutOfScopeModel =>
  OutOfScopeModel.train(rows.map((s) => ({ terms: s.f.terms, outOfScope: s.gold < 0 })));

/**
 * Gives every sample the out-of-scope logit of a model trained without it (k folds, split
 * apart from the outer cross-validation's), as the answer model will meet it on a new question.
 */
export function stackOutOfScope(rows: Sample[], k = 5): void {
  for (let i = 0; i < k; i++) {
    const model = outOfScopeModel(rows.filter((s) => fold(`oos:${s.set}:${s.q.id}`, k) !== i));
    for (const s of rows) if (fold(`oos:${s.set}:${s.q.id}`, k) === i) s.oos = model.logit(s.f.terms);
  }
}

/** Gives every sample the logit of the model trained on `train` (all the fitting questions, at the end). */
export function scoreOutOfScope(train: Sample[], rows: Sample[]): void {
  const model = outOfScopeModel(train);
  for (const s of rows) s.oos = model.logit(s.f.terms);
}

export function crossValidate(all: Sample[], k = 5): Array<{ s: Sample; top: number; p: number }> {
  const out: Array<{ s: Sample; top: number; p: number }> = [];
  for (let i = 0; i < k; i++) {
    const train = all.filter((s) => fold(`${s.set}:${s.q.id}`, k) !== i);
    const test = all.filter((s) => fold(`${s.set}:${s.q.id}`, k) === i);
    stackOutOfScope(train);
    scoreOutOfScope(train, test);
    const rw = fitRanker(train);
    const aw = fitAnswer(train.map((s) => rankWith(rw, s)));
    for (const s of test) {
      const r = rankWith(rw, s);
      out.push({ s, top: r.top, p: prob(aw, r.x) });
    }
  }
  return out;
}

const fmt = (f: Figures): string => `top-1 ${f.top1.toFixed(3)}  right entry first ${f.rank1.toFixed(3)}  null ${f.nullRate.toFixed(3)}  (${f.answerable} answerable, ${f.outOfScope} out of scope)`;
const r4 = (x: number): number => Math.round(x * 10000) / 10000;

async function main(argv: string[]): Promise<void> {
  const all = fitSamples();
  const sets = [...new Set(all.map((s) => s.set))];
  console.log(`fitting sets: ${sets.map((n) => `${n} ${all.filter((s) => s.set === n).length}`).join(', ')}`);
  const cv = crossValidate(all);
  const threshold = chooseThreshold(cv);
  if (argv.includes("--curve")) for (const n of sets) console.log(`curve ${n}: ${curve(cv.filter((r) => r.s.set === n))}`);
  console.log(`5-fold cross-validation, threshold ${threshold} (top-1 at the lowest threshold refusing ${TARGET_NULL}: ${atNull(cv).toFixed(3)}):`);
  console.log(`  all   ${fmt(figures(cv, threshold))}`);
  for (const n of sets) console.log(`  ${n.padEnd(5)} ${fmt(figures(cv.filter((r) => r.s.set === n), threshold))}`);
  // Across bases: fit on one knowledge base's questions, measure on the other's.
  if (sets.length > 1) {
    for (const n of sets) {
      const train = all.filter((s) => s.set !== n);
      stackOutOfScope(train);
      scoreOutOfScope(train, all.filter((s) => s.set === n));
      const rw = fitRanker(train);
      const aw = fitAnswer(train.map((s) => rankWith(rw, s)));
      const rows = all.filter((s) => s.set === n).map((s) => { const r = rankWith(rw, s); return { s, top: r.top, p: prob(aw, r.x) }; });
      console.log(`  fitted without ${n}, measured on ${n}: ${fmt(figures(rows, threshold))}`);
    }
  }
  stackOutOfScope(all);
  const rw = fitRanker(all);
  const ranked = all.map((s) => rankWith(rw, s));
  const aw = fitAnswer(ranked);
  console.log(`ranker:  ${PAIR_FEATURES.map((n, i) => `${n} ${r4(rw[i] ?? 0)}`).join(', ')}`);
  console.log(`answer:  ${ANSWER_FEATURES.map((n, i) => `${n} ${r4(aw[i] ?? 0)}`).join(', ')}`);
  const fitted = ranked.map((r) => ({ s: r.s, top: r.top, p: prob(aw, r.x) }));
  console.log(`on the fitting sets themselves: ${fmt(figures(fitted, threshold))}`);
  if (argv.includes('--misses')) {
    for (const r of cv) {
      const ok = r.s.gold >= 0 ? r.top === r.s.gold && r.p >= threshold : r.p < threshold;
      if (!ok) console.log(`  miss ${r.s.set} ${r.s.q.id} ${r.s.q.faq ?? 'null'} -> top ${r.top === r.s.gold ? 'right' : 'WRONG'} p=${r.p.toFixed(2)} | ${r.s.q.text}`);
    }
  }
  if (argv.includes('--sealed')) {
    const sealed = sealedSamples();
    scoreOutOfScope(all, sealed);
    const held = sealed.map((s) => { const r = rankWith(rw, s); return { s, top: r.top, p: prob(aw, r.x) }; });
    console.log('sealed questions (never used to fit or tune):');
    for (const n of [...new Set(held.map((r) => r.s.set))]) console.log(`  ${n.padEnd(13)} ${fmt(figures(held.filter((r) => r.s.set === n), threshold))}`);
    console.log(`  ${'all'.padEnd(13)} ${fmt(figures(held, threshold))}`);
  }
  if (argv.includes('--write')) {
    const cvAll = figures(cv, threshold);
    const file = fromRoot('src', 'nlu', 'faq-model.ts');
    writeFileSync(file, `/**
 * Weights of the FAQ ranker and of the answer-or-null model, fitted by test/nlu/faq-fit.ts on
 * the project's own calibration questions (${sets.map((n) => `${n}: ${all.filter((s) => s.set === n).length}`).join(', ')}; never the dev set).
 * Regenerate with: npm run build && node dist/test/nlu/faq-fit.js --write
 *
 * 5-fold cross-validation on those questions, at the threshold below: top-1 ${cvAll.top1.toFixed(3)},
 * right entry ranked first ${cvAll.rank1.toFixed(3)}, out-of-scope answered null ${cvAll.nullRate.toFixed(3)}.
 */

/** Ranker: a linear score over PAIR_FEATURES (${PAIR_FEATURES.join(', ')}). */
export const RANK_WEIGHTS: readonly number[] = [${rw.map(r4).join(', ')}];

/** Answer model: logistic over ANSWER_FEATURES (${ANSWER_FEATURES.join(', ')}). */
export const ANSWER_WEIGHTS: readonly number[] = [${aw.map(r4).join(', ')}];

/**
 * Below this probability the answer is null: chosen on cross-validated probabilities as the
 * value that maximises top-1 + null rate while refusing at least ${TARGET_NULL} of the out-of-scope questions.
 */
export const FAQ_THRESHOLD = ${threshold};
`);
    console.log(`wrote ${file}`);
    writeFileSync(WEIGHTS_FILE, `${JSON.stringify(OutOfScopeModel.train(outOfScopeExamples()).toJson())}\n`);
    console.log(`wrote ${WEIGHTS_FILE}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));

export function curve(rows: Array<{ s: Sample; top: number; p: number }>): string {
  const out: string[] = [];
  for (let t = 0.3; t <= 0.951; t += 0.05) {
    const f = figures(rows, t);
    out.push(`${t.toFixed(2)}: ${f.top1.toFixed(3)}/${f.nullRate.toFixed(3)}`);
  }
  return out.join('  ');
}

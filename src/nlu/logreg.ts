/**
 * Multinomial logistic regression over sparse features, trained in memory with AdaGrad and
 * L2 weight decay. Small and deterministic (fixed shuffle seed), so the same examples give
 * the same model on every machine and load stays well under a second.
 */
import type { FeatureBag } from './features.js';

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
}

export class LogReg<L extends string> {
  private readonly vocab = new Map<string, number>();
  private weights: Float64Array = new Float64Array(0);
  private bias: Float64Array;

  constructor(readonly labels: readonly L[]) {
    this.bias = new Float64Array(labels.length);
  }

  train(examples: Array<{ x: FeatureBag; y: L }>, opts: TrainOptions = {}): this {
    const { epochs = 15, learningRate = 0.5, l2 = 1e-4, seed = 7 } = opts;
    for (const { x } of examples) for (const f of x.keys()) if (!this.vocab.has(f)) this.vocab.set(f, this.vocab.size);
    const k = this.labels.length;
    this.weights = new Float64Array(this.vocab.size * k);
    const grad2 = new Float64Array(this.vocab.size * k).fill(1e-8);
    const bias2 = new Float64Array(k).fill(1e-8);
    const data = examples.map(({ x, y }) => ({
      idx: [...x.keys()].map((f) => this.vocab.get(f) as number),
      val: [...x.values()],
      y: this.labels.indexOf(y),
    }));
    const order = data.map((_, i) => i);
    let state = seed;
    const random = (): number => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    const probs = new Float64Array(k);
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      for (const n of order) {
        const ex = data[n];
        if (!ex) continue;
        this.scoresInto(ex.idx, ex.val, probs);
        softmaxInPlace(probs);
        for (let c = 0; c < k; c++) {
          const g = (probs[c] ?? 0) - (c === ex.y ? 1 : 0);
          bias2[c] = (bias2[c] ?? 0) + g * g;
          this.bias[c] = (this.bias[c] ?? 0) - (learningRate * g) / Math.sqrt(bias2[c] ?? 1);
          for (let t = 0; t < ex.idx.length; t++) {
            const w = (ex.idx[t] as number) * k + c;
            const gw = g * (ex.val[t] ?? 0) + l2 * (this.weights[w] ?? 0);
            grad2[w] = (grad2[w] ?? 0) + gw * gw;
            this.weights[w] = (this.weights[w] ?? 0) - (learningRate * gw) / Math.sqrt(grad2[w] ?? 1);
          }
        }
      }
    }
    return this;
  }

  /** Class probabilities, softened by `temperature` (> 1 flattens over-confident outputs). */
  predict(x: FeatureBag, temperature = 1): Array<{ label: L; p: number }> {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [f, v] of x) {
      const i = this.vocab.get(f);
      if (i !== undefined) {
        idx.push(i);
        val.push(v);
      }
    }
    const scores = new Float64Array(this.labels.length);
    this.scoresInto(idx, val, scores);
    for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] ?? 0) / temperature;
    softmaxInPlace(scores);
    return this.labels.map((label, c) => ({ label, p: scores[c] ?? 0 })).sort((a, b) => b.p - a.p);
  }

  private scoresInto(idx: number[], val: number[], out: Float64Array): void {
    const k = this.labels.length;
    for (let c = 0; c < k; c++) out[c] = this.bias[c] ?? 0;
    for (let t = 0; t < idx.length; t++) {
      const base = (idx[t] as number) * k;
      const v = val[t] ?? 0;
      for (let c = 0; c < k; c++) out[c] = (out[c] ?? 0) + (this.weights[base + c] ?? 0) * v;
    }
  }
}

function softmaxInPlace(a: Float64Array): void {
  let max = -Infinity;
  for (const v of a) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    a[i] = Math.exp((a[i] ?? 0) - max);
    sum += a[i] ?? 0;
  }
  for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) / sum;
}

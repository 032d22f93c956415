/** The working arrays of one FAQ feature computation (faq-features.ts), reused from question to question. */
import { CHANNELS } from './faq-analyze.js';

/** The per-call arrays of `FeatureIndex.each`, zeroed by `clear` (the call is synchronous, so one set serves). */
export class Scratch {
  readonly numQ: Float64Array;
  readonly numA: Float64Array;
  readonly den = new Float64Array(CHANNELS);
  /** One entry's pair vector, filled in turn for every entry. */
  readonly pair: number[];
  readonly hit: Float64Array;
  readonly sHit: Float64Array;
  readonly sHitConcept: Float64Array;
  readonly bayes: Float64Array;
  readonly bestF1: Float64Array;
  readonly bestRev: Float64Array;

  constructor(entries: number, sentences: number, pairFeatures: number) {
    this.pair = new Array<number>(pairFeatures).fill(0);
    this.numQ = new Float64Array(entries * CHANNELS);
    this.numA = new Float64Array(entries * CHANNELS);
    this.hit = new Float64Array(sentences);
    this.sHit = new Float64Array(sentences);
    this.sHitConcept = new Float64Array(sentences);
    this.bayes = new Float64Array(entries);
    this.bestF1 = new Float64Array(entries);
    this.bestRev = new Float64Array(entries);
  }

  clear(): this {
    for (const a of [this.numQ, this.numA, this.den, this.hit, this.sHit, this.sHitConcept, this.bayes, this.bestF1, this.bestRev]) a.fill(0);
    return this;
  }
}

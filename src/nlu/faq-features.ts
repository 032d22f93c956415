/**
 * FAQ retrieval features. Over the term index of a knowledge base (faq-index.ts: concepts,
 * words, character n-grams), each (question, entry) pair becomes a short vector of normalised
 * scores that the ranker and the answer-or-null model (faq-model.ts) weigh.
 *
 * Every score is a share of what the question itself could score (its "self-match": each known
 * term matched once), so it means the same for a short and a long question. Pure after the
 * index is built; one question costs a few hundred microseconds.
 */
import { allTerms, analyze, Channel, CHANNELS, channelOf, isConcept } from './faq-analyze.js';
import { buildTermIndex, posterior, type FaqDoc, type IndexedEntry, type Postings } from './faq-index.js';
import { Scratch } from './faq-scratch.js';

export type { FaqDoc } from './faq-index.js';

/** Names of the pair features, in vector order (faq-model.ts weighs them in this order). */
export const PAIR_FEATURES = [
  'concept_q', 'concept_a', 'word_q', 'word_a', 'gram_q', 'gram_a', 'best_f1', 'best_rev', 'cross', 'cross_concept_q', 'cross_best_f1',
  'object_q', 'object_a', 'bayes',
] as const;

/** What the answer-or-null model sees about the best entry and the question. */
export const ANSWER_FEATURES = ['bias', 'score', 'margin', 'unknown', 'known_mass', 'missed', 'worst_miss', 'foreign_unknown', 'out_of_scope'] as const;

/** What is known of a question beside its pair vectors. */
export interface QueryTraits {
  /** The question's terms on every channel (what the out-of-scope cue model reads: faq-oos.ts). */
  terms: string[];
  /** Share of the question's concept and free-word weight that no entry knows (filler words left out). */
  unknown: number;
  /** log(1 + idf mass of the question's known terms): how much the question says that the base can judge. */
  knownMass: number;
  /**
   * Share of the question's meaning (concepts and words no concept explains, idf-weighted; a
   * word no entry knows at the highest idf) that an entry does not hold in any field. Words of
   * the other script cannot be held by an entry of the other language: they count half.
   */
  missed: number[];
  /** The heaviest single piece of meaning an entry misses, in units of the highest idf. */
  worstMiss: number[];
  /**
   * 1 when the question is in the base's minority language (English against a mostly Chinese
   * base): its words are mostly unknown for want of entries in its language, not because it
   * asks something the base lacks, so the answer model weighs unknown words differently.
   */
  foreign: number;
}

export interface QueryFeatures extends QueryTraits {
  /** One feature vector per entry (PAIR_FEATURES order). */
  pairs: number[][];
}

export class FeatureIndex {
  readonly entries: IndexedEntry[];
  private readonly postings: Map<string, Postings>;
  /** Per sentence: its entry, its idf mass over all terms, and over concepts only (what a question in the other language can match). */
  private readonly sentenceEntry: Int32Array;
  private readonly sentenceLang: Array<'zh' | 'en'>;
  private readonly sentenceMass: Float64Array;
  private readonly sentenceConceptMass: Float64Array;
  private readonly maxIdf: number;
  private readonly languages: Array<'zh' | 'en'>;
  private readonly zhEntries: number;
  /** Per entry: log P(term | entry) of a term none of its sentences holds. */
  private readonly bayesDefault: Float64Array;
  /** Working arrays of one `features` call, reused: allocating a dozen typed arrays cost a third of a question. */
  private readonly scratch: Scratch;

  constructor(docs: FaqDoc[]) {
    const ix = buildTermIndex(docs);
    this.entries = ix.entries;
    this.postings = ix.postings;
    this.sentenceEntry = ix.sentenceEntry;
    this.sentenceLang = ix.sentenceLang;
    this.sentenceMass = ix.sentenceMass;
    this.sentenceConceptMass = ix.sentenceConceptMass;
    this.maxIdf = ix.maxIdf;
    this.languages = ix.languages;
    this.zhEntries = ix.zhEntries;
    this.bayesDefault = ix.bayesDefault;
    this.scratch = new Scratch(this.entries.length, this.sentenceEntry.length, PAIR_FEATURES.length);
  }

  get size(): number {
    return this.entries.length;
  }

  idf(term: string): number {
    return this.postings.get(term)?.idf ?? this.maxIdf;
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }

  /** Every entry's pair vector, kept (fitting the model: test/nlu/faq-fit.ts). */
  features(text: string): QueryFeatures {
    const pairs: number[][] = [];
    const traits = this.each(text, (x) => pairs.push([...x]));
    return { ...traits, pairs };
  }

  /**
   * The question's traits; each entry's pair vector (PAIR_FEATURES order) is handed to
   * `onPair` in entry order and reused for the next entry, so ranking allocates none.
   */
  each(text: string, onPair: (x: readonly number[]) => void): QueryTraits {
    const q = analyze(text);
    const n = this.entries.length;
    // Per entry and channel: BM25 of the question field and of the answer field.
    const { numQ, numA, den, hit, sHit, sHitConcept, bayes, bestF1, bestRev } = this.scratch.clear();
    // Per sentence: query mass it holds, and its own mass the query holds (all terms, concepts only).
    const ns = this.sentenceEntry.length;
    const bag = allTerms(q);
    let bayesTerms = 0;
    for (const [t, w] of bag) {
      const p = this.postings.get(t);
      if (!p) continue;
      bayesTerms++;
      const bIds = p.bayesIds as Int32Array;
      const bDelta = p.bayesDelta as Float64Array;
      for (let k = 0; k < bIds.length; k++) {
        const e = bIds[k] as number;
        bayes[e] = (bayes[e] as number) + (bDelta[k] as number);
      }
      const ch = channelOf(t);
      const m = w * p.idf;
      den[ch] = (den[ch] ?? 0) + m;
      const ids = p.entryIds as Int32Array;
      const sq = p.entryQ as Float64Array;
      const sa = p.entryA as Float64Array;
      for (let k = 0; k < ids.length; k++) {
        const at = (ids[k] as number) * CHANNELS + ch;
        numQ[at] = (numQ[at] as number) + m * (sq[k] as number);
        numA[at] = (numA[at] as number) + m * (sa[k] as number);
      }
      const concept = isConcept(ch);
      const sids = p.sentenceIds as Int32Array;
      const sw = p.sentenceW as Float64Array;
      for (let k = 0; k < sids.length; k++) {
        const id = sids[k] as number;
        hit[id] = (hit[id] as number) + m;
        sHit[id] = (sHit[id] as number) + (sw[k] as number);
        if (concept) sHitConcept[id] = (sHitConcept[id] as number) + (sw[k] as number);
      }
    }
    const totalKnown = den.reduce((a, b) => a + b, 0);
    posterior(bayes, this.bayesDefault, bayesTerms);
    // The entry's best single way of asking: overlap with the question both ways (F1). Words
    // of the other script can never match, so an entry in the other language is judged on concepts.
    for (let id = 0; id < ns; id++) {
      const i = this.sentenceEntry[id] ?? 0;
      const cross = this.sentenceLang[id] !== q.language;
      const mass = cross ? (this.sentenceConceptMass[id] ?? 0) : (this.sentenceMass[id] ?? 0);
      const fwd = totalKnown > 0 ? (hit[id] ?? 0) / totalKnown : 0;
      const rev = mass > 0 ? Math.min(1, (cross ? (sHitConcept[id] ?? 0) : (sHit[id] ?? 0)) / mass) : 0;
      const f1 = fwd + rev > 0 ? (2 * fwd * rev) / (fwd + rev) : 0;
      if (f1 > (bestF1[i] ?? 0)) bestF1[i] = f1;
      if (rev > (bestRev[i] ?? 0)) bestRev[i] = rev;
    }
    // The question's meaning: concepts and words no concept explains, filler left out.
    let unknownMass = 0;
    let meaningMass = 0;
    const meaning: Array<{ holders: Uint8Array | undefined; m: number; han: boolean; concept: boolean }> = [];
    for (const bag of [q.concepts, q.hanFree, q.latinFree]) {
      for (const [t, w] of bag) {
        if (q.filler.has(t)) continue;
        const p = this.postings.get(t);
        const m = w * (p ? p.idf : this.maxIdf);
        meaningMass += m;
        if (!p) unknownMass += m;
        meaning.push({ holders: p?.holders, m, han: /^w:[\u3400-\u9fff]/.test(t), concept: t.startsWith('c:') });
      }
    }
    const x = this.scratch.pair;
    const missed = new Array<number>(n);
    const worstMiss = new Array<number>(n);
    const inv = Array.from(den, (d) => (d > 0 ? 1 / d : 0));
    const share = (num: Float64Array, i: number, ch: Channel): number => Math.min(1, (num[i * CHANNELS + ch] as number) * (inv[ch] as number));
    for (let i = 0; i < n; i++) {
      const cross = this.languages[i] !== q.language ? 1 : 0;
      const cq = share(numQ, i, Channel.Concept);
      const f1 = bestF1[i] as number;
      // In PAIR_FEATURES order.
      x[0] = cq;
      x[1] = share(numA, i, Channel.Concept);
      x[2] = share(numQ, i, Channel.Word);
      x[3] = share(numA, i, Channel.Word);
      x[4] = share(numQ, i, Channel.Gram);
      x[5] = share(numA, i, Channel.Gram);
      x[6] = f1;
      x[7] = bestRev[i] as number;
      x[8] = cross;
      x[9] = cross * cq;
      x[10] = cross * f1;
      x[11] = share(numQ, i, Channel.Object);
      x[12] = share(numA, i, Channel.Object);
      x[13] = bayes[i] as number;
      onPair(x);
    }
    for (let i = 0; i < n; i++) {
      const lang = this.languages[i];
      let miss = 0;
      let worst = 0;
      for (const { holders, m, han, concept } of meaning) {
        if (holders?.[i]) continue;
        // Words of the other script cannot be held by an entry of the other language: half.
        const w = !concept && (han ? lang === 'en' : lang === 'zh') ? 0.5 * m : m;
        miss += w;
        if (w > worst) worst = w;
      }
      missed[i] = meaningMass > 0 ? miss / meaningMass : 1;
      worstMiss[i] = worst / this.maxIdf;
    }
    const sameLanguage = q.language === 'zh' ? this.zhEntries : n - this.zhEntries;
    const foreign = sameLanguage * 2 < n ? 1 : 0;
    return {
      terms: [...bag.keys()],
      unknown: meaningMass > 0 ? unknownMass / meaningMass : 1,
      knownMass: Math.log1p(totalKnown),
      missed,
      worstMiss,
      foreign,
    };
  }
}

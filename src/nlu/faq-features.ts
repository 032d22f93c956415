/**
 * FAQ retrieval features. Every FAQ entry is indexed on the channels of faq-analyze.ts
 * (concepts, words, character n-grams), and each (question, entry) pair becomes a short vector
 * of normalised scores that the ranker and the answer-or-null model (faq-model.ts) weigh.
 *
 * Every score is a share of what the question itself could score (its "self-match": each known
 * term matched once), so it means the same for a short and a long question. Pure after the
 * index is built; one question costs a few hundred microseconds.
 */
import { allTerms, analyze, Channel, CHANNELS, channelOf, isConcept, type TermBag } from './faq-analyze.js';

const add = (bag: TermBag, term: string, weight: number): void => {
  bag.set(term, (bag.get(term) ?? 0) + weight);
};
export interface IndexedEntry {
  lang: 'zh' | 'en';
  /** Question and alternates pooled (term frequencies), and each on its own. */
  question: TermBag;
  sentences: TermBag[];
  /** Per sentence, its language: the entry's for its own question and alternates, the sentence's own for a paraphrase. */
  sentenceLang: Array<'zh' | 'en'>;
  /** Per sentence, its words no concept explains (filler left out): meaning a question in the other language cannot show. */
  sentenceFree: TermBag[];
  answer: TermBag;
  questionLength: number;
  answerLength: number;
}

/** Names of the pair features, in vector order (faq-model.ts weighs them in this order). */
export const PAIR_FEATURES = [
  'concept_q', 'concept_a', 'word_q', 'word_a', 'gram_q', 'gram_a', 'best_f1', 'best_rev', 'cross', 'cross_concept_q', 'cross_best_f1',
  'object_q', 'object_a', 'bayes',
] as const;

/** What the answer-or-null model sees about the best entry and the question. */
export const ANSWER_FEATURES = ['bias', 'score', 'margin', 'unknown', 'known_mass', 'missed', 'worst_miss', 'foreign_unknown', 'out_of_scope'] as const;

export interface QueryFeatures {
  /** The question's terms on every channel (what the out-of-scope cue model reads: faq-oos.ts). */
  terms: string[];
  /** One feature vector per entry (PAIR_FEATURES order). */
  pairs: Float64Array[];
  /** Share of the question's concept and free-word weight that no entry knows (filler words left out). */
  unknown: number;
  /** log(1 + idf mass of the question's known terms): how much the question says that the base can judge. */
  knownMass: number;
  /**
   * Share of the question's meaning (concepts and words no concept explains, idf-weighted; a
   * word no entry knows at the highest idf) that an entry does not hold in any field. Words of
   * the other script cannot be held by an entry of the other language: they count half.
   */
  missed: Float64Array;
  /** The heaviest single piece of meaning an entry misses, in units of the highest idf. */
  worstMiss: Float64Array;
  /**
   * 1 when the question is in the base's minority language (English against a mostly Chinese
   * base): its words are mostly unknown for want of entries in its language, not because it
   * asks something the base lacks, so the answer model weighs unknown words differently.
   */
  foreign: number;
}

/**
 * A paraphrase (one of the project's calibration questions for the entry: faq-paraphrase.ts) is
 * a way customers really ask: a sentence of its own for the best-alternate features, and its
 * terms count as held by the entry, but it adds nothing to the entry's BM25 question field
 * (weight 0; 0.25, 0.5 and 1 did no better on cross-validation), so a well-paraphrased entry
 * does not outscore the others on volume.
 */
export const PARAPHRASE_WEIGHT = 0;
/** Laplace smoothing of the naive Bayes (0.02 and 0.5 did the same on cross-validation). */
const BAYES_ALPHA = 0.1;
const K1 = 1.2;
const CROSS_FREE = 0.5;
const B = 0.5;

/** Where a term occurs: the entries (with their BM25 saturation per field) and the question sentences. */
interface Postings {
  idf: number;
  /** Entry index, saturation in the question field (0 if absent), saturation in the answer field. */
  entries: Array<[number, number, number]>;
  /** Global sentence index and the term's weight there. */
  sentences: Array<[number, number]>;
  /** The same, packed once the index is built (the hot loop reads these). */
  entryIds?: Int32Array;
  entryQ?: Float64Array;
  entryA?: Float64Array;
  sentenceIds?: Int32Array;
  sentenceW?: Float64Array;
  /** 1 for each entry that holds the term. */
  holders?: Uint8Array;
  /** Naive Bayes: the entries whose sentences hold the term, and log P(term | entry) minus the entry's unseen-term default. */
  bayesIds?: Int32Array;
  bayesDelta?: Float64Array;
}

export class FeatureIndex {
  readonly entries: IndexedEntry[];
  private readonly postings = new Map<string, Postings>();
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

  constructor(docs: Array<{ lang: 'zh' | 'en'; questions: string[]; answer: string; paraphrases?: string[] }>) {
    this.entries = docs.map((d) => {
      const own = d.questions.map((q) => analyze(q));
      const paraphrases = (d.paraphrases ?? []).map((q) => analyze(q));
      const analyzed = [...own, ...paraphrases];
      const sentences = analyzed.map((a) => allTerms(a));
      const sentenceLang = analyzed.map((a, k) => (k < own.length ? d.lang : a.language));
      const sentenceFree = analyzed.map((a) => new Map([...a.hanFree, ...a.latinFree].filter(([t]) => !a.filler.has(t))));
      const question: TermBag = new Map();
      sentences.forEach((s, k) => {
        const weight = k < own.length ? 1 : PARAPHRASE_WEIGHT;
        for (const [t, w] of s) add(question, t, w * weight);
      });
      // An answer that mentions a decisive topic in passing is not about it.
      const answer = allTerms(analyze(d.answer, false));
      const length = (bag: TermBag): number => [...bag.values()].reduce((a, b) => a + b, 0);
      return { lang: d.lang, question, sentences, sentenceLang, sentenceFree, answer, questionLength: length(question), answerLength: length(answer) };
    });
    const n = this.entries.length;
    const df = new Map<string, number>();
    for (const e of this.entries) for (const t of new Set([...e.question.keys(), ...e.answer.keys()])) df.set(t, (df.get(t) ?? 0) + 1);
    const idfOf = (x: number): number => Math.log(1 + (n - x + 0.5) / (x + 0.5));
    this.maxIdf = idfOf(0);
    const avgQ = this.entries.reduce((a, e) => a + e.questionLength, 0) / Math.max(1, n) || 1;
    const avgA = this.entries.reduce((a, e) => a + e.answerLength, 0) / Math.max(1, n) || 1;
    const post = (t: string): Postings => {
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = { idf: idfOf(df.get(t) ?? 0), entries: [], sentences: [] }));
      return p;
    };
    const saturate = (tf: number, len: number, avg: number): number => Math.min(1, (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avg)));
    const sentenceEntry: number[] = [];
    const sentenceLang: Array<'zh' | 'en'> = [];
    const sentenceMass: number[] = [];
    const sentenceConceptMass: number[] = [];
    this.entries.forEach((e, i) => {
      for (const t of new Set([...e.question.keys(), ...e.answer.keys()])) {
        const tq = e.question.get(t);
        const ta = e.answer.get(t);
        post(t).entries.push([i, tq ? saturate(tq, e.questionLength, avgQ) : 0, ta ? saturate(ta, e.answerLength, avgA) : 0]);
      }
      e.sentences.forEach((s, k) => {
        const id = sentenceEntry.length;
        let mass = 0;
        let conceptMass = 0;
        for (const [t, w] of s) {
          const p = post(t);
          p.sentences.push([id, w]);
          mass += w * p.idf;
          if (isConcept(channelOf(t))) conceptMass += w * p.idf;
        }
        // Across languages a sentence is judged on its concepts, but its other words are meaning
        // too: at half weight, or a sentence with one concept among unknown words matches anything with that concept.
        for (const [t, w] of e.sentenceFree[k] ?? []) conceptMass += CROSS_FREE * w * idfOf(df.get(t) ?? 0);
        sentenceEntry.push(i);
        sentenceLang.push(e.sentenceLang[k] ?? e.lang);
        sentenceMass.push(mass);
        sentenceConceptMass.push(conceptMass);
      });
    });
    for (const p of this.postings.values()) {
      p.entryIds = Int32Array.from(p.entries.map((x) => x[0]));
      p.entryQ = Float64Array.from(p.entries.map((x) => x[1]));
      p.entryA = Float64Array.from(p.entries.map((x) => x[2]));
      p.sentenceIds = Int32Array.from(p.sentences.map((x) => x[0]));
      p.sentenceW = Float64Array.from(p.sentences.map((x) => x[1] * p.idf));
      p.holders = new Uint8Array(n);
      for (const [j] of p.entries) p.holders[j] = 1;
    }
    this.bayesDefault = this.bayes(sentenceEntry);
    this.languages = this.entries.map((e) => e.lang);
    this.zhEntries = this.languages.filter((l) => l === 'zh').length;
    this.sentenceEntry = Int32Array.from(sentenceEntry);
    this.sentenceLang = sentenceLang;
    this.sentenceMass = Float64Array.from(sentenceMass);
    this.sentenceConceptMass = Float64Array.from(sentenceConceptMass);
  }

  /**
   * A multinomial naive Bayes over the sentences (own questions, alternates, paraphrases): each
   * entry a class, each sentence's terms counted once. Its posterior is the `bayes` pair
   * feature: which entry's ways of asking use this question's words, learned rather than matched.
   */
  private bayes(sentenceEntry: number[]): Float64Array {
    const n = this.entries.length;
    const totals = new Float64Array(n);
    for (const p of this.postings.values()) {
      for (const [id] of p.sentences) {
        const e = sentenceEntry[id] as number;
        totals[e] = (totals[e] as number) + 1;
      }
    }
    const vocabulary = this.postings.size;
    const logDefault = Float64Array.from(totals, (t) => Math.log(BAYES_ALPHA / (t + BAYES_ALPHA * vocabulary)));
    for (const p of this.postings.values()) {
      const counts = new Map<number, number>();
      for (const [id] of p.sentences) counts.set(sentenceEntry[id] as number, (counts.get(sentenceEntry[id] as number) ?? 0) + 1);
      p.bayesIds = Int32Array.from(counts.keys());
      p.bayesDelta = Float64Array.from(counts.values(), (c) => Math.log((c + BAYES_ALPHA) / BAYES_ALPHA));
    }
    return logDefault;
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

  features(text: string): QueryFeatures {
    const q = analyze(text);
    const n = this.entries.length;
    // Per entry and channel: BM25 of the question field and of the answer field.
    const numQ = new Float64Array(n * CHANNELS);
    const numA = new Float64Array(n * CHANNELS);
    const den = new Float64Array(CHANNELS);
    // Per sentence: query mass it holds, and its own mass the query holds (all terms, concepts only).
    const ns = this.sentenceEntry.length;
    const hit = new Float64Array(ns);
    const sHit = new Float64Array(ns);
    const sHitConcept = new Float64Array(ns);
    const bag = allTerms(q);
    const bayes = new Float64Array(n);
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
    const bestF1 = new Float64Array(n);
    const bestRev = new Float64Array(n);
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
    const pairs: Float64Array[] = [];
    const missed = new Float64Array(n);
    const worstMiss = new Float64Array(n);
    const inv = Array.from(den, (d) => (d > 0 ? 1 / d : 0));
    for (let i = 0; i < n; i++) {
      const cross = this.languages[i] !== q.language ? 1 : 0;
      const share = (num: Float64Array, ch: Channel): number => Math.min(1, (num[i * CHANNELS + ch] as number) * (inv[ch] as number));
      const cq = share(numQ, Channel.Concept);
      const f1 = bestF1[i] as number;
      const x = new Float64Array(PAIR_FEATURES.length);
      x[0] = cq;
      x[1] = share(numA, Channel.Concept);
      x[2] = share(numQ, Channel.Word);
      x[3] = share(numA, Channel.Word);
      x[4] = share(numQ, Channel.Gram);
      x[5] = share(numA, Channel.Gram);
      x[6] = f1;
      x[7] = bestRev[i] as number;
      x[8] = cross;
      x[9] = cross * cq;
      x[10] = cross * f1;
      x[11] = share(numQ, Channel.Object);
      x[12] = share(numA, Channel.Object);
      x[13] = bayes[i] as number;
      pairs.push(x);
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
      pairs,
      unknown: meaningMass > 0 ? unknownMass / meaningMass : 1,
      knownMass: Math.log1p(totalKnown),
      missed,
      worstMiss,
      foreign,
    };
  }
}

/** Turns naive-Bayes log-likelihoods (known-term deltas; each known term also costs the entry its default) into a posterior over entries, in place. */
function posterior(scores: Float64Array, logDefault: Float64Array, terms: number): void {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    scores[i] = (scores[i] as number) + terms * (logDefault[i] as number);
    if ((scores[i] as number) > max) max = scores[i] as number;
  }
  let z = 0;
  for (let i = 0; i < scores.length; i++) z += scores[i] = Math.exp((scores[i] as number) - max);
  for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) / z;
}

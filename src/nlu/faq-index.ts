/**
 * The FAQ term index: every entry's question, alternates, paraphrases and answer analysed
 * (faq-analyze.ts) into postings with BM25 saturations per field, per-sentence masses for the
 * best-alternate scores, and a naive Bayes over the sentences. Built once per knowledge base;
 * faq-features.ts reads it for every question.
 */
import { allTerms, analyze, channelOf, isConcept, type TermBag } from './faq-analyze.js';

const add = (bag: TermBag, term: string, weight: number): void => {
  bag.set(term, (bag.get(term) ?? 0) + weight);
};

export interface FaqDoc {
  lang: 'zh' | 'en';
  questions: string[];
  answer: string;
  /** The project's calibration questions for this entry (faq-paraphrase.ts). */
  paraphrases?: string[];
}

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
export const CROSS_FREE_WEIGHT = 0.5;
const K1 = 1.2;
const B = 0.5;

/** Where a term occurs: the entries (with their BM25 saturation per field) and the question sentences. */
export interface Postings {
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

export interface TermIndex {
  entries: IndexedEntry[];
  postings: Map<string, Postings>;
  /** Per sentence: its entry, its language, its idf mass over all terms, and over concepts only (what a question in the other language can match). */
  sentenceEntry: Int32Array;
  sentenceLang: Array<'zh' | 'en'>;
  sentenceMass: Float64Array;
  sentenceConceptMass: Float64Array;
  maxIdf: number;
  languages: Array<'zh' | 'en'>;
  zhEntries: number;
  /** Per entry: log P(term | entry) of a term none of its sentences holds. */
  bayesDefault: Float64Array;
}

export function buildTermIndex(docs: FaqDoc[]): TermIndex {
  const postings = new Map<string, Postings>();
  const entries: IndexedEntry[] = docs.map((d) => {
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
  const n = entries.length;
  const df = new Map<string, number>();
  for (const e of entries) for (const t of new Set([...e.question.keys(), ...e.answer.keys()])) df.set(t, (df.get(t) ?? 0) + 1);
  const idfOf = (x: number): number => Math.log(1 + (n - x + 0.5) / (x + 0.5));
  const maxIdf = idfOf(0);
  const avgQ = entries.reduce((a, e) => a + e.questionLength, 0) / Math.max(1, n) || 1;
  const avgA = entries.reduce((a, e) => a + e.answerLength, 0) / Math.max(1, n) || 1;
  const post = (t: string): Postings => {
    let p = postings.get(t);
    if (!p) postings.set(t, (p = { idf: idfOf(df.get(t) ?? 0), entries: [], sentences: [] }));
    return p;
  };
  const saturate = (tf: number, len: number, avg: number): number => Math.min(1, (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avg)));
  const sentenceEntry: number[] = [];
  const sentenceLang: Array<'zh' | 'en'> = [];
  const sentenceMass: number[] = [];
  const sentenceConceptMass: number[] = [];
  entries.forEach((e, i) => {
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
      for (const [t, w] of e.sentenceFree[k] ?? []) conceptMass += CROSS_FREE_WEIGHT * w * idfOf(df.get(t) ?? 0);
      sentenceEntry.push(i);
      sentenceLang.push(e.sentenceLang[k] ?? e.lang);
      sentenceMass.push(mass);
      sentenceConceptMass.push(conceptMass);
    });
  });
  for (const p of postings.values()) {
    p.entryIds = Int32Array.from(p.entries.map((x) => x[0]));
    p.entryQ = Float64Array.from(p.entries.map((x) => x[1]));
    p.entryA = Float64Array.from(p.entries.map((x) => x[2]));
    p.sentenceIds = Int32Array.from(p.sentences.map((x) => x[0]));
    p.sentenceW = Float64Array.from(p.sentences.map((x) => x[1] * p.idf));
    p.holders = new Uint8Array(n);
    for (const [j] of p.entries) p.holders[j] = 1;
  }
  const languages = entries.map((e) => e.lang);
  return {
    entries, postings, maxIdf, languages, zhEntries: languages.filter((l) => l === 'zh').length,
    sentenceEntry: Int32Array.from(sentenceEntry), sentenceLang,
    sentenceMass: Float64Array.from(sentenceMass), sentenceConceptMass: Float64Array.from(sentenceConceptMass),
    bayesDefault: bayes(postings, entries.length, sentenceEntry),
  };
}

/**
 * A multinomial naive Bayes over the sentences (own questions, alternates, paraphrases): each
 * entry a class, each sentence's terms counted once. Its posterior is the `bayes` pair
 * feature: which entry's ways of asking use this question's words, learned rather than matched.
 */
function bayes(postings: Map<string, Postings>, n: number, sentenceEntry: number[]): Float64Array {
  const totals = new Float64Array(n);
  for (const p of postings.values()) {
    for (const [id] of p.sentences) {
      const e = sentenceEntry[id] as number;
      totals[e] = (totals[e] as number) + 1;
    }
  }
  const vocabulary = postings.size;
  const logDefault = Float64Array.from(totals, (t) => Math.log(BAYES_ALPHA / (t + BAYES_ALPHA * vocabulary)));
  for (const p of postings.values()) {
    const counts = new Map<number, number>();
    for (const [id] of p.sentences) counts.set(sentenceEntry[id] as number, (counts.get(sentenceEntry[id] as number) ?? 0) + 1);
    p.bayesIds = Int32Array.from(counts.keys());
    p.bayesDelta = Float64Array.from(counts.values(), (c) => Math.log((c + BAYES_ALPHA) / BAYES_ALPHA));
  }
  return logDefault;
}

/** Turns naive-Bayes log-likelihoods (known-term deltas; each known term also costs the entry its default) into a posterior over entries, in place. */
export function posterior(scores: Float64Array, logDefault: Float64Array, terms: number): void {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    scores[i] = (scores[i] as number) + terms * (logDefault[i] as number);
    if ((scores[i] as number) > max) max = scores[i] as number;
  }
  let z = 0;
  for (let i = 0; i < scores.length; i++) z += scores[i] = Math.exp((scores[i] as number) - max);
  for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] as number) / z;
}

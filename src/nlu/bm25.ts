/**
 * A small BM25F index over weighted term bags. Documents have fields with weights (an FAQ
 * entry's questions count more than its answer). Scores come with the query's own maximum
 * so that callers can turn them into a coverage ratio that means the same for any query.
 */
export type TermBag = Map<string, number>;

export interface FieldDoc {
  fields: Array<{ bag: TermBag; weight: number }>;
}

interface Posting {
  doc: number;
  tf: number;
}

export interface Scored {
  doc: number;
  score: number;
}

export class Bm25Index {
  private readonly postings = new Map<string, Posting[]>();
  private readonly lengths: number[] = [];
  private readonly avgLength: number;
  readonly size: number;

  constructor(docs: FieldDoc[], private readonly k1 = 1.2, private readonly b = 0.5) {
    docs.forEach((doc, i) => {
      const tf = new Map<string, number>();
      let length = 0;
      for (const { bag, weight } of doc.fields) {
        for (const [term, count] of bag) {
          tf.set(term, (tf.get(term) ?? 0) + count * weight);
          length += count * weight;
        }
      }
      this.lengths.push(length);
      for (const [term, value] of tf) {
        const list = this.postings.get(term) ?? [];
        list.push({ doc: i, tf: value });
        this.postings.set(term, list);
      }
    });
    this.size = docs.length;
    this.avgLength = this.lengths.reduce((a, b) => a + b, 0) / Math.max(1, docs.length);
  }

  /** Inverse document frequency; a term no document holds gets the highest value. */
  idf(term: string): number {
    const df = this.postings.get(term)?.length ?? 0;
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  has(term: string): boolean {
    return this.postings.has(term);
  }

  /** All documents with a positive score, best first. */
  search(query: TermBag): Scored[] {
    const scores = new Float64Array(this.size);
    for (const [term, qWeight] of query) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = this.idf(term);
      for (const { doc, tf } of list) {
        const norm = this.k1 * (1 - this.b + (this.b * (this.lengths[doc] ?? 0)) / this.avgLength);
        scores[doc] = (scores[doc] ?? 0) + qWeight * idf * ((tf * (this.k1 + 1)) / (tf + norm));
      }
    }
    const out: Scored[] = [];
    scores.forEach((score, doc) => {
      if (score > 0) out.push({ doc, score });
    });
    return out.sort((x, y) => y.score - x.score);
  }

  /** What one document holding each query term once, at average length, would score: the query's ceiling. */
  ceiling(query: TermBag): number {
    let total = 0;
    for (const [term, qWeight] of query) total += qWeight * this.idf(term);
    return total;
  }
}

/**
 * Paraphrases: the project's own calibration questions (dialogs/nlu/faq-queries*.jsonl), each
 * written for one entry of one knowledge base, join that entry as extra ways of asking when the
 * base they were written for is loaded (faq-features.ts indexes them at PARAPHRASE_WEIGHT). A
 * file's questions are used only when every entry they name is in the base, so they never
 * attach to an unrelated base that happens to reuse an id. Out-of-scope questions are not
 * paraphrases of anything (faq-oos.ts reads them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT_OF_SCOPE_FILES } from './faq-oos.js';
import { NLU_DATA_DIR } from './training.js';

export interface LabelledQuestion {
  text: string;
  faq: string | null;
}

/** The questions of one file, grouped by the entry they ask for, if every entry they name is in `ids`. */
export function groupParaphrases(questions: readonly LabelledQuestion[], ids: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const answerable = questions.filter((q): q is { text: string; faq: string } => q.faq !== null);
  if (answerable.length === 0 || !answerable.every((q) => ids.has(q.faq))) return out;
  for (const q of answerable) out.set(q.faq, [...(out.get(q.faq) ?? []), q.text]);
  return out;
}

function readQuestions(file: string): LabelledQuestion[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((line, i) => {
    const q = JSON.parse(line) as { text?: unknown; faq?: unknown };
    if (typeof q.text !== 'string' || (q.faq !== null && typeof q.faq !== 'string')) throw new Error(`${file}:${i + 1}: not a labelled FAQ question`);
    return { text: q.text, faq: q.faq };
  });
}

/** The paraphrases of the project's files (the same files the out-of-scope cues learn from) for a base with these entry ids. */
export function projectParaphrases(ids: ReadonlySet<string>, dir = NLU_DATA_DIR): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of OUT_OF_SCOPE_FILES) {
    for (const [id, texts] of groupParaphrases(readQuestions(join(dir, f)), ids)) out.set(id, [...(out.get(id) ?? []), ...texts]);
  }
  return out;
}

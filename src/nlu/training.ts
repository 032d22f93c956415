/**
 * The project's own labelled examples (dialogs/nlu/intents.*.jsonl), written for this shop
 * and never copied from the evaluation set. `heldout.jsonl` and `faq-queries.jsonl` in the
 * same folder are kept out of training: they exist to measure and calibrate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fromRoot } from '../paths.js';
import { CATEGORIES, FORMS, INTENTS, NATURES, SEVERITIES } from './types.js';

export const ExampleSchema = z.object({
  text: z.string().min(1),
  intent: z.enum(INTENTS),
  severity: z.enum(SEVERITIES).optional(),
  category: z.enum(CATEGORIES).optional(),
  form: z.enum(FORMS).optional(),
  nature: z.enum(NATURES).optional(),
});
export type Example = z.infer<typeof ExampleSchema>;

export const NLU_DATA_DIR = fromRoot('dialogs', 'nlu');

/** The training files: every `intents.*.jsonl` in dialogs/nlu. */
export function trainingFiles(dir = NLU_DATA_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /^intents\..+\.jsonl$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export function readExamples(file: string): Example[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, n }) => {
      const parsed = ExampleSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${n}: ${parsed.error.issues[0]?.message ?? 'invalid example'}`);
      return parsed.data;
    });
}

export function loadTrainingExamples(dir = NLU_DATA_DIR): Example[] {
  return trainingFiles(dir).flatMap((f) => readExamples(f));
}

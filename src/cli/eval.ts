/**
 * `kefu eval [--dir DIR]`: score understanding on a labelled set in the LABELS.md format
 * (messages.dev.jsonl, faq-base.json, faq-queries.dev.jsonl). The dev set is a yardstick:
 * nothing in the project trains on it. Without the folder, say so and succeed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../paths.js';
import { loadNlu } from '../nlu/index.js';
import { option } from '../nlu/jsonl.js';
import { INTENTS, SEVERITIES } from '../nlu/types.js';

interface Labelled { id: string; channel?: string; text: string; intent: string; severity: string; category: string | null; form: string | null; nature: string | null }
interface Query { id: string; text: string; faq: string | null }

export function findEvalDir(explicit?: string): string | undefined {
  const candidates = explicit ? [resolve(explicit)] : [resolve('../shared/eval'), join(packageRoot, '..', 'shared', 'eval')];
  return candidates.find((d) => existsSync(join(d, 'messages.dev.jsonl')) || existsSync(join(d, 'faq-queries.dev.jsonl')));
}

const readJsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);

const pct = (num: number, den: number): string => (den === 0 ? 'n/a' : `${(num / den).toFixed(3)}  (${num}/${den})`);

export function confusion(labels: readonly string[], pairs: Array<[string, string]>): string {
  const used = labels.filter((l) => pairs.some(([g, p]) => g === l || p === l));
  const w = Math.max(15, ...used.map((l) => l.length)) + 1;
  const head = `${'gold \\ predicted'.padEnd(w + 2)}${used.map((l) => l.slice(0, 7).padStart(8)).join('')}`;
  const rows = used.map((g) => `${g.padEnd(w + 2)}${used.map((p) => String(pairs.filter(([a, b]) => a === g && b === p).length || '.').padStart(8)).join('')}`);
  return [head, ...rows].join('\n');
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const dir = findEvalDir(option(argv, 'dir'));
  if (!dir) {
    out.write('kefu eval: no evaluation set found (looked for ../shared/eval; use --dir DIR). Nothing to score.\n');
    return 0;
  }
  const lines: string[] = [`evaluation set: ${dir}`];
  const messagesFile = join(dir, 'messages.dev.jsonl');
  if (existsSync(messagesFile)) {
    const nlu = loadNlu({ faqFiles: [], includeDemoFaq: false });
    const rows = readJsonl<Labelled>(messagesFile);
    const preds = rows.map((r) => ({ r, u: nlu.understand(r.text, r.channel ? { channel: r.channel } : {}) }));
    const gold = (f: (x: Labelled) => boolean) => preds.filter(({ r }) => f(r));
    const crit = gold((r) => r.severity === 'critical');
    const high = gold((r) => r.severity === 'serious' || r.severity === 'critical');
    const complaints = gold((r) => r.intent === 'complaint');
    lines.push(
      `messages: ${rows.length}`,
      `critical recall:          ${pct(crit.filter(({ u }) => u.grade.severity === 'critical').length, crit.length)}`,
      `serious+critical recall:  ${pct(high.filter(({ u }) => u.grade.severity === 'serious' || u.grade.severity === 'critical').length, high.length)}`,
      `intent accuracy:          ${pct(preds.filter(({ r, u }) => u.intent === r.intent).length, rows.length)}`,
      `category accuracy:        ${pct(complaints.filter(({ r, u }) => u.grade.category === r.category).length, complaints.length)}`,
      `severity accuracy:        ${pct(preds.filter(({ r, u }) => u.grade.severity === r.severity).length, rows.length)}`,
      `form accuracy:            ${pct(complaints.filter(({ r, u }) => u.grade.form === r.form).length, complaints.length)}`,
      `nature accuracy:          ${pct(complaints.filter(({ r, u }) => u.grade.nature === r.nature).length, complaints.length)}`,
      '',
      'intent confusion:',
      confusion(INTENTS, preds.map(({ r, u }) => [r.intent, u.intent])),
      '',
      'severity confusion:',
      confusion(SEVERITIES, preds.map(({ r, u }) => [r.severity, u.grade.severity])),
    );
  }
  const queriesFile = join(dir, 'faq-queries.dev.jsonl');
  const baseFile = join(dir, 'faq-base.json');
  if (existsSync(queriesFile) && existsSync(baseFile)) {
    const faq = loadNlu({ faqFiles: [baseFile], includeDemoFaq: false, eagerIntents: false }).faq;
    const queries = readJsonl<Query>(queriesFile);
    const answers = queries.map((q) => ({ q, got: faq.ask(q.text)?.id ?? null }));
    const inScope = answers.filter(({ q }) => q.faq !== null);
    const outOfScope = answers.filter(({ q }) => q.faq === null);
    lines.push(
      '',
      `faq queries: ${queries.length}`,
      `FAQ top-1 accuracy:       ${pct(inScope.filter(({ q, got }) => got === q.faq).length, inScope.length)}`,
      `out-of-scope null:        ${pct(outOfScope.filter(({ got }) => got === null).length, outOfScope.length)}`,
    );
  }
  out.write(`${lines.join('\n')}\n`);
  return 0;
}

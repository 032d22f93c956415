/**
 * `kefu faq ask [--faq FILE]`: stdin JSON lines {"id","text"} -> stdout {"id","faq","score"},
 * `faq` an entry id or null when nothing in the knowledge base answers the question.
 * With --faq, that file alone is the knowledge base; without it, faq/demo.json.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadNlu } from '../nlu/index.js';
import { mapJsonLines, option } from '../nlu/jsonl.js';

const Input = z.object({ id: z.union([z.string(), z.number()]), text: z.string() });
const USAGE = 'usage: kefu faq ask [--faq FILE] < queries.jsonl > answers.jsonl\n';

export async function run(argv: string[], io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'ask') {
    (sub === '--help' || sub === '-h' ? io.stdout : io.stderr).write(USAGE);
    return sub === '--help' || sub === '-h' ? 0 : 2;
  }
  const file = option(rest, 'faq');
  let nlu;
  try {
    nlu = loadNlu(file ? { faqFiles: [resolve(file)], includeDemoFaq: false, eagerIntents: false } : { eagerIntents: false });
  } catch (error) {
    io.stderr.write(`kefu faq: cannot load ${file ?? 'the demo FAQ'}: ${(error as Error).message}\n`);
    return 2;
  }
  const faq = nlu.faq;
  const bad = await mapJsonLines(io.stdin, io.stdout, io.stderr, 'faq ask', (value) => {
    const parsed = Input.safeParse(value);
    if (!parsed.success) throw new Error(`expected {"id","text"}: ${parsed.error.issues[0]?.path.join('.') || 'value'} ${parsed.error.issues[0]?.message ?? ''}`);
    const hit = faq.ask(parsed.data.text);
    // With no answer, the best candidate's confidence still says how close it came.
    const score = hit?.score ?? faq.rank(parsed.data.text, 1)[0]?.score ?? 0;
    return { id: parsed.data.id, faq: hit?.id ?? null, score };
  });
  return bad > 0 ? 1 : 0;
}

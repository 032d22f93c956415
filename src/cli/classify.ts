/**
 * `kefu classify`: stdin JSON lines {"id","channel","text"} -> stdout JSON lines
 * {"id","intent","severity","category","form","nature"}, same order (LABELS.md). A bad line
 * is reported on stderr with its number and skipped; the exit code is 1 if any line was bad.
 */
import { z } from 'zod';
import { loadNlu } from '../nlu/index.js';
import { mapJsonLines } from '../nlu/jsonl.js';

const Input = z.object({ id: z.union([z.string(), z.number()]), channel: z.string().optional(), text: z.string() });

export async function run(argv: string[], io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write('usage: kefu classify < messages.jsonl > labels.jsonl\n');
    return 0;
  }
  const nlu = loadNlu({ faqFiles: [], includeDemoFaq: false });
  const bad = await mapJsonLines(io.stdin, io.stdout, io.stderr, 'classify', (value) => {
    const parsed = Input.safeParse(value);
    if (!parsed.success) throw new Error(`expected {"id","channel","text"}: ${parsed.error.issues[0]?.path.join('.') || 'value'} ${parsed.error.issues[0]?.message ?? ''}`);
    const { id, channel, text } = parsed.data;
    const u = nlu.understand(text, channel ? { channel } : {});
    const { severity, category, form, nature } = u.grade;
    return { id, intent: u.intent, severity, category, form, nature };
  });
  return bad > 0 ? 1 : 0;
}

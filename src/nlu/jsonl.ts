/** Line-by-line JSON input for the CLI commands: one bad line is reported, never fatal. */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface LineError {
  line: number;
  message: string;
}

/**
 * Read JSON lines from `input`, call `handle` for each object in order, write what it
 * returns, and report unparsable lines on `errors`. Resolves to the number of bad lines.
 */
export async function mapJsonLines(
  input: Readable,
  output: Writable,
  errors: Writable,
  command: string,
  handle: (value: unknown, line: number) => unknown,
): Promise<number> {
  let n = 0;
  let bad = 0;
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const raw of rl) {
    n++;
    const line = raw.trim();
    if (!line) continue;
    try {
      const out = handle(JSON.parse(line) as unknown, n);
      if (!output.write(`${JSON.stringify(out)}\n`)) await new Promise((r) => output.once('drain', r));
    } catch (error) {
      bad++;
      // JSON.parse's message quotes the input: keep customer text out of the error stream.
      const message = error instanceof SyntaxError ? 'not valid JSON' : (error as Error).message;
      errors.write(`kefu ${command}: line ${n}: ${message}\n`);
    }
  }
  return bad;
}

/** `--name value` or `--name=value` from argv. */
export function option(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

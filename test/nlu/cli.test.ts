import { PassThrough, Readable } from 'node:stream';
import { run as classify } from '../../src/cli/classify.js';
import { run as faq } from '../../src/cli/faq.js';
import { run as evaluate } from '../../src/cli/eval.js';
import { DEMO_FAQ } from '../../src/nlu/index.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function runWith(fn: typeof classify, argv: string[], input: string) {
  const out = capture();
  const err = capture();
  const code = await fn(argv, { stdin: Readable.from([input]) as unknown as typeof process.stdin, stdout: out.stream as unknown as typeof process.stdout, stderr: err.stream as unknown as typeof process.stderr });
  return { code, out: out.text(), err: err.text() };
}

describe('kefu classify', () => {
  test('labels each line in order, in the LABELS.md shape', async () => {
    const input = [
      { id: 'a', channel: 'wechat', text: '你好' },
      { id: 'b', channel: 'weibo', text: '升降桌夹伤了孩子的手 现在在医院' },
      { id: 'c', channel: 'email', text: 'Subject: Order\n\nWhen will my order ship?\n\nThanks,\nAnna' },
    ].map((x) => JSON.stringify(x)).join('\n');
    const { code, out, err } = await runWith(classify, [], input);
    expect(err).toBe('');
    expect(code).toBe(0);
    const rows = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'intent', 'severity', 'category', 'form', 'nature']);
    expect(rows[0]).toMatchObject({ intent: 'greeting', severity: 'none', category: null, form: null, nature: null });
    expect(rows[1]).toMatchObject({ intent: 'complaint', severity: 'critical' });
    expect(rows[2]).toMatchObject({ intent: 'shipping' });
  });

  test('a bad line is named on stderr, the rest still answered, exit non-zero', async () => {
    const input = `{"id":"1","channel":"wechat","text":"在吗"}\nnot json\n{"id":"3"}\n{"id":"4","channel":"webchat","text":"转人工"}\n`;
    const { code, out, err } = await runWith(classify, [], input);
    expect(code).toBe(1);
    expect(err).toMatch(/line 2/);
    expect(err).toMatch(/line 3/);
    expect(out.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['1', '4']);
  });
});

describe('kefu faq ask', () => {
  test('answers from the given file only, null when out of scope', async () => {
    const input = '{"id":"q1","text":"退款多久能到账"}\n{"id":"q2","text":"你们老板是谁"}\n';
    const { code, out } = await runWith(faq, ['ask', '--faq', DEMO_FAQ], input);
    expect(code).toBe(0);
    const rows = out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; faq: string | null; score: number });
    expect(rows[0]).toMatchObject({ id: 'q1', faq: 'demo-refund' });
    expect(rows[1]).toMatchObject({ id: 'q2', faq: null });
    expect(typeof rows[1]?.score).toBe('number');
  });

  test('an unknown subcommand prints usage and fails', async () => {
    const { code, err } = await runWith(faq, ['nope'], '');
    expect(code).toBe(2);
    expect(err).toMatch(/usage/);
  });
});

describe('kefu eval', () => {
  test('a missing directory is reported, not an error', async () => {
    const out = capture();
    const code = await evaluate(['--dir', '/nonexistent/eval'], out.stream);
    expect(code).toBe(0);
    expect(out.text()).toMatch(/no evaluation set/);
  });
});

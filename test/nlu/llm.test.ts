import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadNlu, type Nlu } from '../../src/nlu/index.js';
import { createSecondOpinion, parseIntent, secondOpinionFromEnv, understandWithSecondOpinion } from '../../src/nlu/llm.js';

/** A chat-completions server on 127.0.0.1 whose reply (content, delay, status) each test sets. */
let server: Server;
let baseURL = '';
let reply: { content: string; delayMs: number; status: number } = { content: '{"intent":"shipping"}', delayMs: 0, status: 200 };
const seen: Array<{ path: string; body: { model?: string; messages?: Array<{ role: string; content: string }> } }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body: JSON.parse(raw || '{}') as never });
      const timer = setTimeout(() => {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.status === 200
          ? { id: 'x', object: 'chat.completion', created: 0, model: 'test', choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: 'stop' }] }
          : { error: { message: 'boom' } }));
      }, reply.delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

let nlu: Nlu;
beforeAll(() => {
  nlu = loadNlu({ faqFiles: [], includeDemoFaq: false });
});

// "嗯" alone is ambiguous: the local model is unsure, which is when a second opinion is asked.
const UNSURE = '嗯 那个';

describe('LLM second opinion', () => {
  test('off by default: no environment, no second opinion', () => {
    expect(secondOpinionFromEnv({})).toBeNull();
    expect(secondOpinionFromEnv({ OPENAI_BASE_URL: 'http://127.0.0.1:9' })).toBeNull();
    expect(secondOpinionFromEnv({ NLU_SECOND_OPINION: 'on', OPENAI_BASE_URL: 'http://127.0.0.1:9' })).not.toBeNull();
  });

  test('a low-confidence intent is replaced by the server\'s answer', async () => {
    reply = { content: '{"intent":"shipping"}', delayMs: 0, status: 200 };
    const second = createSecondOpinion({ baseURL, model: 'local-test', timeoutMs: 2000, belowConfidence: 1.01 });
    const u = await understandWithSecondOpinion(nlu, UNSURE, {}, second);
    expect(u.source).toBe('llm');
    expect(u.intent).toBe('shipping');
    const last = seen[seen.length - 1];
    expect(last?.path).toBe('/v1/chat/completions');
    expect(last?.body.model).toBe('local-test');
    expect(last?.body.messages?.[1]?.content).toBe(UNSURE);
  });

  test('a complaint from the second opinion is graded', async () => {
    reply = { content: 'Sure: {"intent": "complaint"}', delayMs: 0, status: 200 };
    const second = createSecondOpinion({ baseURL, timeoutMs: 2000, belowConfidence: 1.01 });
    const u = await understandWithSecondOpinion(nlu, '这个桌子嘛 就那样吧', {}, second);
    expect(u.intent).toBe('complaint');
    expect(u.grade.severity).not.toBe('none');
  });

  test('a slow server times out and the local result stands', async () => {
    reply = { content: '{"intent":"shipping"}', delayMs: 3000, status: 200 };
    const second = createSecondOpinion({ baseURL, timeoutMs: 150, belowConfidence: 1.01 });
    const started = Date.now();
    const u = await understandWithSecondOpinion(nlu, UNSURE, {}, second);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(u.source).toBe('local');
    expect(u.intent).toBe(nlu.understand(UNSURE).intent);
  });

  test.each([
    ['garbage text', 'I think maybe it is about chairs?'],
    ['an unknown intent', '{"intent":"weather"}'],
    ['broken JSON', '{"intent": '],
  ])('%s from the server: local result', async (_name, content) => {
    reply = { content, delayMs: 0, status: 200 };
    const second = createSecondOpinion({ baseURL, timeoutMs: 2000, belowConfidence: 1.01 });
    expect((await understandWithSecondOpinion(nlu, UNSURE, {}, second)).source).toBe('local');
  });

  test('a server error: local result', async () => {
    reply = { content: '', delayMs: 0, status: 500 };
    const second = createSecondOpinion({ baseURL, timeoutMs: 2000, belowConfidence: 1.01 });
    expect((await understandWithSecondOpinion(nlu, UNSURE, {}, second)).source).toBe('local');
  });

  test('no server at all: local result', async () => {
    const second = createSecondOpinion({ baseURL: 'http://127.0.0.1:9/v1', timeoutMs: 500, belowConfidence: 1.01 });
    expect((await understandWithSecondOpinion(nlu, UNSURE, {}, second)).source).toBe('local');
  });

  test('a critical complaint is never handed to the model', async () => {
    reply = { content: '{"intent":"greeting"}', delayMs: 0, status: 200 };
    const before = seen.length;
    const second = createSecondOpinion({ baseURL, timeoutMs: 2000, belowConfidence: 1.01 });
    const u = await understandWithSecondOpinion(nlu, '我已经找了律师 准备起诉你们', {}, second);
    expect(u).toMatchObject({ source: 'local', intent: 'complaint' });
    expect(u.grade.severity).toBe('critical');
    expect(seen.length).toBe(before);
  });

  test('a confident local result is not questioned', async () => {
    const before = seen.length;
    const second = createSecondOpinion({ baseURL, timeoutMs: 2000, belowConfidence: 0.01 });
    expect((await understandWithSecondOpinion(nlu, '你好', {}, second)).source).toBe('local');
    expect(seen.length).toBe(before);
  });

  test.each([
    ['{"intent":"purchase"}', 'purchase'],
    ['```json\n{"intent": "human"}\n```', 'human'],
    ['farewell', 'farewell'],
    ['nonsense', null],
  ])('parseIntent(%j) = %s', (content, intent) => {
    expect(parseIntent(content)).toBe(intent);
  });
});

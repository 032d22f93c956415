/**
 * The optional LLM second opinion inside the running gateway, against a local server that
 * speaks the chat-completions protocol: asked only for uncertain messages, adopted when it
 * answers in time, ignored when it is slow.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openChat } from '../support/conversation.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

let server: Server;
let delayMs = 0;
const asked: string[] = [];
let running: RunningGateway;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as { messages?: Array<{ role: string; content: string }> };
      asked.push(body.messages?.at(-1)?.content ?? '');
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'test',
          choices: [{ index: 0, message: { role: 'assistant', content: '{"intent":"complaint"}' }, finish_reason: 'stop' }] }));
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  running = await startGateway({ NLU_SECOND_OPINION: 'on', OPENAI_BASE_URL: baseURL, OPENAI_API_KEY: 'test', OPENAI_TIMEOUT_MS: '400' });
});
afterAll(async () => {
  await running.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const flowOf = async (sessionId: string) => (await running.gateway.db.kysely.selectFrom('conversations')
  .select(['flow', 'step']).where('thread_key', '=', sessionId).executeTakeFirstOrThrow()).flow;

// The local model reads this as an after-sales question with low confidence.
const UNSURE = '桌子腿好像有点晃';

test('an uncertain message is sent for a second opinion, and its intent is adopted', async () => {
  delayMs = 0;
  const chat = await openChat(running.url);
  await chat.send(UNSURE).expectReply(/./);
  expect(asked.some((content) => content.includes(UNSURE))).toBe(true);
  expect(await flowOf(chat.sessionId)).toBe('complaint');
});

test('a confident message is not sent', async () => {
  const before = asked.length;
  const chat = await openChat(running.url);
  await chat.send('你好').expectReply(/./);
  expect(asked.length).toBe(before);
});

test('a slow second opinion is ignored: the local reading stands', async () => {
  delayMs = 2000;
  const chat = await openChat(running.url);
  await chat.send(UNSURE).expectReply(/./, 8000);
  expect(await flowOf(chat.sessionId)).toBe('reception');
});

/**
 * The gateway with its understanding worker (NLU_WORKER=on): texts are understood on the
 * worker, and answered exactly as without it; a conversation with earlier complaints is
 * understood in its turn, where the count of them raises the grade.
 */
import { sql } from 'kysely';
import { openChat } from '../support/conversation.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

let on: RunningGateway;
let off: RunningGateway;

beforeAll(async () => {
  [on, off] = await Promise.all([startGateway({ NLU_WORKER: 'on' }), startGateway({ NLU_WORKER: 'off' })]);
  // The worker loads its models in the background; until then texts are understood inline.
  // Messages are handed over only while others are in hand, so warm up with several at once.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (await counted(on, 'worker')) === 0) {
    await Promise.all(Array.from({ length: 4 }, async () => (await openChat(on.url)).send('你好').expectReply(/./)));
  }
});
afterAll(async () => {
  await Promise.all([on.stop(), off.stop()]);
});

const counted = async (running: RunningGateway, where: string) => {
  const text = await (await fetch(`${running.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`kefu_nlu_understood_total{where="${where}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

test('the same exchanges get the same answers with and without the worker', async () => {
  const script = ['你好', '运费怎么收？', '有没有适合小户型的升降桌', '太贵了，能便宜点吗'];
  const before = await counted(on, 'worker');
  const transcripts: string[][][] = [];
  for (const running of [on, off]) {
    // Six customers at once, so messages are in hand together (the worker's case).
    transcripts.push(await Promise.all(Array.from({ length: 6 }, async () => {
      const chat = await openChat(running.url);
      for (const text of script) await chat.send(text).expectReply(/./);
      await running.gateway.pipeline.idle();
      return (await chat.transcript()).map((m) => `${m.author}: ${m.text}`);
    })));
  }
  expect(transcripts[0]).toEqual(transcripts[1]);
  expect(await counted(on, 'worker')).toBeGreaterThan(before);
  expect(await counted(off, 'worker')).toBe(0);
});

test('a conversation with earlier complaints is understood in its turn, where they raise the grade', async () => {
  const chat = await openChat(on.url);
  await chat.send('你好').expectReply(/./);
  await on.gateway.pipeline.idle();
  // As the dialog records a complaint that was settled (dialogs/state.ts, `complaints`).
  await sql`update conversations set dialog_state = json_set(dialog_state, '$.data.complaints', 1) where thread_key = ${chat.sessionId}`.execute(on.gateway.db.kysely);
  // Sent behind other customers' messages, so it would be handed to the worker if it could.
  const others = await Promise.all(Array.from({ length: 5 }, () => openChat(on.url)));
  const busy = others.map((other) => other.send('运费怎么收？').expectReply(/./));
  await chat.send('桌子腿又断了，质量太差').expectReply(/./);
  await Promise.all(busy);
  await on.gateway.pipeline.idle();
  const [row] = (await sql<{ dialog_state: string }>`select dialog_state from conversations where thread_key = ${chat.sessionId}`.execute(on.gateway.db.kysely)).rows;
  expect(JSON.stringify(JSON.parse(row!.dialog_state).data.complaint)).toMatch(/repeated contact/);
});

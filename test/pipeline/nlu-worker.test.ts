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
  const warmUp = await openChat(on.url);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (await counted(on, 'worker')) === 0) {
    await warmUp.send('你好').expectReply(/./);
    await new Promise((resolve) => setTimeout(resolve, 100));
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

test('the same exchange gets the same answers with and without the worker', async () => {
  const script = ['你好', '运费怎么收？', '有没有适合小户型的升降桌', '太贵了，能便宜点吗'];
  const transcripts: string[][] = [];
  for (const running of [on, off]) {
    const chat = await openChat(running.url);
    for (const text of script) await chat.send(text).expectReply(/./);
    await running.gateway.pipeline.idle();
    transcripts.push((await chat.transcript()).map((m) => `${m.author}: ${m.text}`));
  }
  expect(transcripts[0]).toEqual(transcripts[1]);
  expect(await counted(on, 'worker')).toBeGreaterThanOrEqual(script.length);
  expect(await counted(off, 'worker')).toBe(0);
});

test('a conversation with earlier complaints is understood in its turn, where they raise the grade', async () => {
  const chat = await openChat(on.url);
  await chat.send('你好').expectReply(/./);
  await on.gateway.pipeline.idle();
  // As the dialog records a complaint that was settled (dialogs/state.ts, `complaints`).
  await sql`update conversations set dialog_state = json_set(dialog_state, '$.data.complaints', 1) where thread_key = ${chat.sessionId}`.execute(on.gateway.db.kysely);
  const before = { main: await counted(on, 'main'), worker: await counted(on, 'worker') };
  await chat.send('桌子腿又断了，质量太差').expectReply(/./);
  await on.gateway.pipeline.idle();
  expect(await counted(on, 'main')).toBe(before.main + 1);
  expect(await counted(on, 'worker')).toBe(before.worker);
  const [row] = (await sql<{ dialog_state: string }>`select dialog_state from conversations where thread_key = ${chat.sessionId}`.execute(on.gateway.db.kysely)).rows;
  expect(JSON.stringify(JSON.parse(row!.dialog_state).data.complaint)).toMatch(/repeated contact/);
});

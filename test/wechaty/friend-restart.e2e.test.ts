/**
 * Friend requests waiting for the hourly cap outlive the gateway: three runs of the real
 * gateway on one SQLite database (DATA_DIR), each with a fresh wechaty-puppet-mock for the
 * same bot account. The channel's clock is moved forward between runs (the cap is hourly).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GREETING, GREETING_EN, eventsOf, friendship, settle, spyAccepts } from './contact-events.js';
import { startMockWorld, until, type MockWorld } from './mock-world.js';

const MINUTE = 60_000;
const dataDir = mkdtempSync(join(tmpdir(), 'kefu-wechaty-restart-'));
const env = { DATA_DIR: dataDir, WECHATY_FRIEND_ACCEPTS_PER_HOUR: '2', WECHATY_SEND_INTERVAL_MS: '20', WECHATY_SEND_JITTER_MS: '0' };
let offset = 0;
const now = () => Date.now() + offset;
let world: MockWorld | undefined;

/** A run of the gateway `minutes` after the first, the puppet's accepts recorded from before its login. */
async function run(minutes: number, botId?: string): Promise<{ world: MockWorld; accepts: string[] }> {
  offset = minutes * MINUTE;
  let accepts: string[] = [];
  world = await startMockWorld(env, { now, botId, beforeLogin: (puppet) => { accepts = spyAccepts(puppet, 'friendshipAccept'); } });
  return { world, accepts };
}

afterAll(async () => {
  await world?.running.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('requests waiting at shutdown are accepted by the next run once the cap allows, in order, each once', async () => {
  // Run 1: the cap (2 an hour) is used up by Amy and Ben; Cal and Dee wait.
  const first = await run(0);
  const botId = first.world.botUser.id;
  const [amy, ben, cal, dee] = ['Amy', 'Ben', 'Cal', 'Dee'].map((name) => first.world.customer(name, { friend: false }));
  const ids: string[] = [];
  for (const [who, hello] of [[amy, '你好'], [ben, '在吗'], [cal, '我要投诉'], [dee, 'Hello, I have a question about my order']] as const) {
    ids.push(await friendship(first.world, who!.contact, hello));
  }
  await until(async () => first.accepts.length === 2 && (await first.world.channel.friendRequestsWaiting()) === 2);
  await settle(first.world);
  expect(first.accepts).toEqual([ids[0], ids[1]]);
  await first.world.running.stop();

  // Run 2, ten minutes later: the first run's accepts still fill this hour; nothing is accepted at login.
  const second = await run(10, botId);
  const cal2 = second.world.customer('Cal', { friend: false, id: cal!.contact.id });
  const dee2 = second.world.customer('Dee', { friend: false, id: dee!.contact.id });
  const eve = second.world.customer('Eve', { friend: false });
  await settle(second.world);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(second.accepts).toEqual([]);
  expect(await second.world.channel.friendRequestsWaiting()).toBe(2);
  expect(await eventsOf(second.world, cal!.contact.id)).toEqual([]);

  // An hour after the first accepts, a new request moves the queue: Cal and Dee first (the cap's two), Eve waits.
  offset = 61 * MINUTE;
  const eves = await friendship(second.world, eve.contact, '你好，想咨询一下');
  await until(() => second.world.fromBot(dee2.heard).length >= 1);
  await settle(second.world);
  expect(second.accepts).toEqual([ids[2], ids[3]]);
  expect(second.world.fromBot(cal2.heard).map((s) => s.text)).toEqual([expect.stringMatching(GREETING)]);
  // The contact's language (here the request's words) picks the greeting's.
  expect(second.world.fromBot(dee2.heard).map((s) => s.text)).toEqual([expect.stringMatching(GREETING_EN)]);
  expect(await second.world.channel.friendRequestsWaiting()).toBe(1);
  await second.world.running.stop();

  // Run 3, hours later: Eve is accepted at login; Cal's request handed over again is not accepted twice.
  const third = await run(180, botId);
  const cal3 = third.world.customer('Cal', { friend: false, id: cal!.contact.id });
  const eve3 = third.world.customer('Eve', { friend: false, id: eve.contact.id });
  await until(() => third.world.fromBot(eve3.heard).length >= 1);
  await friendship(third.world, cal3.contact, '我要投诉', undefined, ids[2]);
  await settle(third.world);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(third.accepts).toEqual([eves]);
  expect(third.world.fromBot(cal3.heard)).toEqual([]);
  expect(await eventsOf(third.world, cal!.contact.id)).toEqual([
    { event: 'friend_added', key: 'friendship', text: '我要投诉', id: `friend:${cal!.contact.id}`, public: false },
  ]);
  expect(await third.world.channel.friendRequestsWaiting()).toBe(0);
});

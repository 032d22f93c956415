/**
 * WECHATY_MEDIA_CONCURRENCY end to end on wechaty-puppet-mock: twenty customers send an
 * image each, served by a loopback server that holds every download open until the test lets
 * it finish and counts how many are open at once.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FileBox } from 'file-box';
import type { Attachment } from '../../src/contract.js';
import { serveOnLoopback } from '../support/net.js';
import { startMockWorld, until, type MockWorld } from './mock-world.js';

const CONCURRENCY = 2;
/** Waiting downloads allowed: 8 per slot (channels/wechaty/index.ts). */
const WAITING = 8 * CONCURRENCY;
const SENT = CONCURRENCY + WAITING + 2;

let world: MockWorld;
let files: { url: string; close(): Promise<void> };
let open = 0;
let mostOpen = 0;
let held: ServerResponse[] = [];
let holding = true;

const finish = (response: ServerResponse) => {
  response.end(randomBytes(2048), () => {
    open -= 1;
  });
};

beforeAll(async () => {
  files = await serveOnLoopback(async (_request, response) => {
    open += 1;
    mostOpen = Math.max(mostOpen, open);
    response.writeHead(200, { 'content-type': 'image/png' });
    response.write(randomBytes(1024));
    if (holding) held.push(response);
    else setTimeout(() => finish(response), 30);
  });
  world = await startMockWorld({
    WECHATY_MEDIA_CONCURRENCY: String(CONCURRENCY), WECHATY_MEDIA_TIMEOUT_MS: '20000', WECHATY_SEND_INTERVAL_MS: '20', WECHATY_SEND_JITTER_MS: '0',
  });
});
afterAll(async () => {
  for (const response of held) response.destroy();
  await world?.running.stop();
  await files?.close();
});

const downloadOf = async (threadKey: string) => {
  const rows = await world.storedIn(threadKey);
  return rows.map((r) => (JSON.parse(r.attachments) as Attachment[])[0]!)[0];
};

test(`no more than ${CONCURRENCY} downloads at once; ${WAITING} wait their turn; beyond that the file is recorded as skipped`, async () => {
  const customers = Array.from({ length: SENT }, (_, i) => world.customer(`顾客${i}`));
  customers.forEach((c, i) => c.contact.say(FileBox.fromUrl(`${files.url}/photo-${i}.png`, { name: `photo-${i}.png` })).to(world.botUser));
  const threads = customers.map((c) => `dm:${c.contact.id}`);

  // The two beyond the queue are stored at once, without their bytes, while the others wait.
  await until(async () => (await Promise.all(threads.map(downloadOf))).filter(Boolean).length === SENT - CONCURRENCY - WAITING);
  const skipped = (await Promise.all(threads.map(downloadOf))).filter(Boolean);
  expect(skipped).toEqual(Array.from({ length: 2 }, () => expect.objectContaining({
    kind: 'image', name: expect.stringMatching(/^photo-\d+\.png$/), meta: { download: 'skipped', reason: 'queue_full', error: expect.stringMatching(/more than 16 downloads/) },
  })));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(open).toBe(CONCURRENCY);

  // The held downloads end; the rest follow, each slow, never more than two at once.
  holding = false;
  for (const response of held.splice(0)) finish(response);
  await until(async () => (await Promise.all(threads.map(downloadOf))).filter(Boolean).length === SENT, 15_000);
  const downloads = (await Promise.all(threads.map(downloadOf))).map((a) => (a!.meta as { download: string }).download);
  expect(downloads.filter((d) => d === 'stored')).toHaveLength(CONCURRENCY + WAITING);
  expect(mostOpen).toBe(CONCURRENCY);
});

/**
 * Customer media end to end on wechaty-puppet-mock: contacts send file boxes (base64, or a URL
 * on a loopback server that plays a slow or endless download); the attachment metadata is
 * stored with the message, and the bytes land under DATA_DIR/wechaty/media when allowed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { FileBox } from 'file-box';
import { types } from 'wechaty';
import type { mock } from 'wechaty-puppet-mock';
import type { Attachment } from '../../src/contract.js';
import { serveOnLoopback } from '../support/net.js';
import { startMockWorld, until, type MockWorld } from './mock-world.js';

const MAX_BYTES = 64 * 1024;
const TIMEOUT_MS = 1_500;

let world: MockWorld;
let files: { url: string; close(): Promise<void> };
const hanging = new Set<import('node:http').ServerResponse>();

/** Every file under the media folder, relative to DATA_DIR. */
function mediaFiles(): string[] {
  const dir = join(world.running.dataDir, 'wechaty', 'media');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => relative(world.running.dataDir, join(e.parentPath, e.name)).split(sep).join('/'));
}

async function attachmentsOf(threadKey: string): Promise<Array<{ kind: string; text: string; attachments: Attachment[] }>> {
  return (await world.storedIn(threadKey)).map((r) => ({ kind: r.kind, text: r.text, attachments: JSON.parse(r.attachments) as Attachment[] }));
}

/**
 * A file (Wechaty's `Attachment` type) from a contact to the bot. The mock's `say()` types a
 * file box by its media type and knows only images, videos and voice that way (a PDF becomes
 * `Unknown`), so the message is made as `say()` makes it, with the type a real puppet gives.
 */
function sendFile(from: mock.ContactMock, box: FileBox): string {
  const id = `file-${randomBytes(6).toString('hex')}`;
  world.mocker.cacheFileBoxPayload.set(id, box.toJSON());
  world.mocker.MessageMock.create({ id, talkerId: from.id, listenerId: world.botUser.id, timestamp: Date.now(), type: types.Message.Attachment });
  world.mocker.puppet.emit('message', { messageId: id });
  return id;
}

const bytesOf = (file: string) => readFileSync(join(world.running.dataDir, file));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  files = await serveOnLoopback(async (request, response) => {
    if (request.url === '/big.jpg') {
      // No Content-Length: the size is only known by reading, and it is over the cap.
      response.writeHead(200, { 'content-type': 'image/jpeg' });
      for (let i = 0; i < 8; i += 1) response.write(randomBytes(16 * 1024));
      response.end();
    } else if (request.url === '/slow.png') {
      // A download that starts and never ends.
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write(randomBytes(1024));
      hanging.add(response);
    } else {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<html>not found</html>');
    }
  });
  world = await startMockWorld({
    WECHATY_MEDIA_MAX_BYTES: String(MAX_BYTES), WECHATY_MEDIA_TIMEOUT_MS: String(TIMEOUT_MS), WECHATY_SEND_INTERVAL_MS: '50', WECHATY_SEND_JITTER_MS: '0',
  });
});
afterAll(async () => {
  for (const response of hanging) response.destroy();
  await world?.running.stop();
  await files?.close();
});

test('an image and a file arrive with their metadata, and their bytes on disk', async () => {
  const alice = world.customer('Alice');
  const photo = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(3000)]);
  const invoice = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(5000)]);
  alice.contact.say(FileBox.fromBase64(photo.toString('base64'), 'photo.png')).to(world.botUser);
  const photoId = alice.heard.at(-1)!.id;
  const invoiceId = sendFile(alice.contact, FileBox.fromBase64(invoice.toString('base64'), '发票 2024.pdf'));

  const thread = `dm:${alice.contact.id}`;
  await until(async () => (await attachmentsOf(thread)).length === 2);
  const [image, file] = await attachmentsOf(thread);
  expect(image).toMatchObject({ kind: 'media', attachments: [{ kind: 'image', ref: photoId, name: 'photo.png', mimeType: 'image/png', size: photo.length }] });
  expect(file).toMatchObject({ kind: 'media', attachments: [{ kind: 'file', ref: invoiceId, name: '发票 2024.pdf', mimeType: 'application/pdf', size: invoice.length }] });
  for (const [stored, bytes, ext] of [[image!, photo, 'png'], [file!, invoice, 'pdf']] as const) {
    const meta = stored.attachments[0]!.meta as { download: string; file: string; sha256: string };
    expect(meta).toMatchObject({ download: 'stored', sha256: sha256(bytes) });
    expect(meta.file).toMatch(new RegExp(`^wechaty/media/\\d{4}-\\d{2}-\\d{2}/[0-9a-f]{32}\\.${ext}$`));
    expect(bytesOf(meta.file).equals(bytes)).toBe(true);
  }
});

test('an oversized file is recorded with its metadata and no bytes, whether its size is announced or only found by reading', async () => {
  const bob = world.customer('Bob');
  const manual = randomBytes(MAX_BYTES + 1);
  sendFile(bob.contact, FileBox.fromBase64(manual.toString('base64'), 'manual.pdf'));
  bob.contact.say(FileBox.fromUrl(`${files.url}/big.jpg`, { name: 'big.jpg' })).to(world.botUser);

  const thread = `dm:${bob.contact.id}`;
  await until(async () => (await attachmentsOf(thread)).length === 2);
  const [announced, streamed] = await attachmentsOf(thread);
  expect(announced!.attachments).toEqual([expect.objectContaining({
    kind: 'file', name: 'manual.pdf', mimeType: 'application/pdf', size: manual.length, meta: { download: 'oversize', oversize: true, maxBytes: MAX_BYTES },
  })]);
  expect(streamed!.attachments).toEqual([expect.objectContaining({ kind: 'image', name: 'big.jpg', meta: { download: 'oversize', oversize: true, maxBytes: MAX_BYTES } })]);
  expect(streamed!.attachments[0]!.size).toBeUndefined();
  // Nothing on disk but the files recorded as stored: no partial download was left behind.
  const storedFiles = (await world.running.gateway.db.kysely.selectFrom('messages').select('attachments').where('channel', '=', 'wechaty').execute())
    .flatMap((r) => (JSON.parse(r.attachments) as Attachment[]).map((a) => (a.meta as { file?: string } | undefined)?.file).filter(Boolean));
  expect(mediaFiles().sort()).toEqual(storedFiles.sort());
});

test('a name from the other side cannot steer where the file goes; an unavailable file is recorded as failed', async () => {
  const carol = world.customer('Carol');
  const bytes = randomBytes(2000);
  carol.contact.say(FileBox.fromBase64(bytes.toString('base64'), '..\\..\\..\\..\\evil.png')).to(world.botUser);
  sendFile(carol.contact, FileBox.fromUrl(`${files.url}/gone.pdf`, { name: 'gone.pdf' }));

  const thread = `dm:${carol.contact.id}`;
  await until(async () => (await attachmentsOf(thread)).length === 2);
  const [evil, gone] = await attachmentsOf(thread);
  const meta = evil!.attachments[0]!.meta as { file: string };
  expect(evil!.attachments[0]!.name).toBe('evil.png');
  expect(meta.file).toMatch(/^wechaty\/media\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}\.png$/);
  expect(bytesOf(meta.file).equals(bytes)).toBe(true);
  // A 404 page is not the file.
  expect(gone!.attachments).toEqual([expect.objectContaining({ kind: 'file', name: 'gone.pdf', meta: { download: 'failed', error: expect.stringMatching(/404/) } })]);
});

test('a download that never ends holds its own thread only until the timeout; the thread keeps its order', async () => {
  const dave = world.customer('Dave');
  const erin = world.customer('Erin');
  const sentAt = Date.now();
  dave.contact.say(FileBox.fromUrl(`${files.url}/slow.png`, { name: 'slow.png' })).to(world.botUser);
  dave.contact.say('运费怎么收？').to(world.botUser);
  erin.contact.say('运费怎么收？').to(world.botUser);

  // Erin is answered while Dave's download still hangs.
  await until(() => world.fromBot(erin.heard).some((s) => /399/.test(s.text)));
  expect(Date.now() - sentAt).toBeLessThan(TIMEOUT_MS);
  expect(await attachmentsOf(`dm:${dave.contact.id}`)).toEqual([]);

  await until(() => world.fromBot(dave.heard).some((s) => /399/.test(s.text)));
  expect(Date.now() - sentAt).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  const thread = await attachmentsOf(`dm:${dave.contact.id}`);
  expect(thread.map((m) => m.kind)).toEqual(['media', 'text']);
  expect(thread[0]!.attachments).toEqual([expect.objectContaining({
    kind: 'image', name: 'slow.png', meta: { download: 'timeout', error: expect.stringMatching(/within 1500 ms/) },
  })]);
  expect(mediaFiles().filter((f) => f.endsWith('.part'))).toEqual([]);
});

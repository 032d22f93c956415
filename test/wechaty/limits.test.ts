/** The accept cap's rolling hour, download slots, file names from the other side, and the settings. */
import { DownloadSlots } from '../../channels/wechaty/download-slots.js';
import { RateWindow } from '../../channels/wechaty/friends.js';
import { displayName, mediaPath, safeExtension } from '../../channels/wechaty/media.js';
import { wechatySettingsFrom } from '../../channels/wechaty/definition.js';
import { parseConfig } from '../../src/config.js';

test('the accept cap counts a rolling hour: the next slot opens when the oldest accept is an hour old', () => {
  let now = 1_000_000;
  const window = new RateWindow(2, 3_600_000, () => now);
  expect(window.take()).toBe(0);
  now += 600_000;
  expect(window.take()).toBe(0);
  expect(window.take()).toBe(3_000_000);
  now += 3_000_000;
  expect(window.take()).toBe(0);
  expect(window.take()).toBe(600_000);
});

test('names from the other side are metadata only: last segment, no control characters; extensions are short and plain', () => {
  expect(displayName('../../etc/passwd')).toBe('passwd');
  expect(displayName('..\\..\\evil.png')).toBe('evil.png');
  expect(displayName('发票\u0000\u001b 2024.pdf')).toBe('发票 2024.pdf');
  expect(displayName('..')).toBeUndefined();
  expect(displayName('')).toBeUndefined();
  expect(safeExtension('photo.PNG')).toBe('png');
  expect(safeExtension('archive.tar.gz')).toBe('gz');
  expect(safeExtension('x.p/../../sh')).toBe('bin');
  expect(safeExtension('noext')).toBe('bin');
  expect(safeExtension(undefined)).toBe('bin');
  const settings = { dataDir: '/data', dir: '/data/wechaty/media', maxBytes: 1, timeoutMs: 1, concurrency: 1 };
  expect(mediaPath(settings, '../../../x', '../../a.png', Date.UTC(2024, 4, 1))).toMatch(/^\/data\/wechaty\/media\/2024-05-01\/[0-9a-f]{32}\.png$/);
});

test('settings: friends accepted and rooms declined by default; media under DATA_DIR with a cap; bad values refused', () => {
  const base = { DATA_DIR: '/tmp/kefu-wechaty-limits', WECHATY_ENABLED: 'true', WECHATY_PUPPET: 'wechaty-puppet-mock' };
  expect(wechatySettingsFrom(parseConfig(base))).toMatchObject({
    acceptFriends: 'all', friendAcceptsPerHour: 20, acceptRooms: 'none',
    media: { dataDir: '/tmp/kefu-wechaty-limits', dir: '/tmp/kefu-wechaty-limits/wechaty/media', maxBytes: 20 * 1024 * 1024, timeoutMs: 15_000, concurrency: 4 },
  });
  expect(() => parseConfig({ ...base, WECHATY_ACCEPT_FRIENDS: 'some' })).toThrow(/WECHATY_ACCEPT_FRIENDS/);
  expect(() => parseConfig({ ...base, WECHATY_ACCEPT_ROOMS: 'yes' })).toThrow(/WECHATY_ACCEPT_ROOMS/);
  expect(() => parseConfig({ ...base, WECHATY_FRIEND_ACCEPTS_PER_HOUR: '0' })).toThrow(/WECHATY_FRIEND_ACCEPTS_PER_HOUR/);
  expect(() => parseConfig({ ...base, WECHATY_MEDIA_MAX_BYTES: '-1' })).toThrow(/WECHATY_MEDIA_MAX_BYTES/);
  expect(() => parseConfig({ ...base, WECHATY_MEDIA_TIMEOUT_MS: '10' })).toThrow(/WECHATY_MEDIA_TIMEOUT_MS/);
  expect(() => parseConfig({ ...base, WECHATY_MEDIA_CONCURRENCY: '0' })).toThrow(/WECHATY_MEDIA_CONCURRENCY/);
});

test('download slots: a free slot at once, then waiting in order, a waiter that gives up leaves its place, a full queue says so', async () => {
  const slots = new DownloadSlots(1, 2);
  const never = new AbortController().signal;
  const first = (await slots.acquire(never))!;
  const order: string[] = [];
  const impatient = new AbortController();
  const second = slots.acquire(never).then((release) => { order.push('second'); return release!; });
  const gaveUp = slots.acquire(impatient.signal).catch(() => order.push('gave up'));
  expect(await slots.acquire(never)).toBeNull();
  impatient.abort(new Error('timeout'));
  await gaveUp;
  const third = slots.acquire(never).then((release) => { order.push('third'); return release!; });
  expect(slots.load).toEqual({ running: 1, waiting: 2 });
  first();
  first();
  (await second)();
  (await third)();
  expect(order).toEqual(['gave up', 'second', 'third']);
  expect(slots.load).toEqual({ running: 0, waiting: 0 });
});

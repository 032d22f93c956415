/** The pacing queue on real timers, and the channel's settings as the gateway reads them. */
import { wechatySettingsFrom } from '../../channels/wechaty/definition.js';
import { targetOf, threadKeyFor } from '../../channels/wechaty/inbound.js';
import { SendPacer } from '../../channels/wechaty/pacer.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { startGateway } from '../support/gateway.js';

test('sends run one at a time, in order, the interval apart; a send that would wait too long is refused', async () => {
  const pacer = new SendPacer({ intervalMs: 100, jitterMs: 0, maxWaitMs: 250 });
  const started: Array<[string, number]> = [];
  const send = (name: string) => pacer.run(async () => {
    started.push([name, Date.now()]);
    return name;
  });
  // 0, 100, 200 ms of waiting fit in 250; the fourth would wait 300.
  const runs = [send('a'), send('b'), send('c'), send('d')];
  const results = await Promise.all(runs);
  expect(results.slice(0, 3)).toEqual([{ ran: true, value: 'a' }, { ran: true, value: 'b' }, { ran: true, value: 'c' }]);
  expect(results[3]).toEqual({ ran: false, full: true, reason: expect.stringMatching(/pacing queue full/) });
  expect(started.map(([name]) => name)).toEqual(['a', 'b', 'c']);
  for (let i = 1; i < started.length; i += 1) expect(started[i]![1] - started[i - 1]![1]).toBeGreaterThanOrEqual(100);
});

test('a failing send still spaces the next one; close() lets waiting sends go at once, refused', async () => {
  const pacer = new SendPacer({ intervalMs: 5_000, jitterMs: 0, maxWaitMs: 60_000 });
  await expect(pacer.run(async () => {
    throw new Error('puppet down');
  })).rejects.toThrow('puppet down');
  const before = Date.now();
  const waiting = pacer.run(async () => 'never');
  pacer.close();
  expect(await waiting).toEqual({ ran: false, reason: 'the channel is stopping' });
  expect(Date.now() - before).toBeLessThan(1_000);
  expect(await pacer.run(async () => 'after close')).toEqual({ ran: false, reason: 'the channel is stopping' });
});

test('thread keys: one per private chat, one per member of a room; anything else is not ours', () => {
  expect(threadKeyFor('wxid_abc')).toBe('dm:wxid_abc');
  expect(threadKeyFor('wxid_abc', '123@chatroom')).toBe('room:123@chatroom/wxid_abc');
  expect(targetOf('dm:wxid_abc')).toEqual({ contactId: 'wxid_abc' });
  expect(targetOf('room:123@chatroom/wxid/with/slash')).toEqual({ roomId: '123@chatroom', contactId: 'wxid/with/slash' });
  expect(targetOf('dm:')).toBeNull();
  expect(targetOf('ww:abc')).toBeNull();
});

test('settings: off by default; a puppet is required when on; the pacing fits in the outbox lease', () => {
  const base = { DATA_DIR: '/tmp/kefu-wechaty-settings' };
  expect(wechatySettingsFrom(parseConfig(base))).toBeNull();
  expect(() => wechatySettingsFrom(parseConfig({ ...base, WECHATY_ENABLED: 'true' }))).toThrow(ConfigError);
  expect(() => wechatySettingsFrom(parseConfig({ ...base, WECHATY_PUPPET_TOKEN: 'secret-token' }))).toThrow(/WECHATY_ENABLED/);
  expect(() => parseConfig({ ...base, WECHATY_NAME: '../elsewhere' })).toThrow(/WECHATY_NAME/);
  const settings = wechatySettingsFrom(parseConfig({ ...base, WECHATY_ENABLED: 'true', WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_TOKEN: 'secret-token', OUTBOX_LEASE_MS: '20000' }));
  expect(settings).toMatchObject({
    puppet: 'wechaty-puppet-service', token: 'secret-token', name: 'kefu', sessionPath: '/tmp/kefu-wechaty-settings/wechaty/kefu',
    intervalMs: 1000, jitterMs: 500, maxWaitMs: 10_000, sendTimeoutMs: 5_000,
  });
});

test('the gateway starts without the channel (and without loading wechaty) when it is not enabled', async () => {
  const running = await startGateway();
  try {
    expect(running.gateway.channels.has('wechaty')).toBe(false);
  } finally {
    await running.stop();
  }
});

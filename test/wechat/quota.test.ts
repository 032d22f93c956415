/**
 * The customer-service quota (channels/wechat/quota.ts) on SQLite and on a real PostgreSQL
 * server: WeChat's rule, kept across a restart, and shared by several nodes on one database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUOTA_KEPT_MS, ReplyQuota } from '../../channels/wechat/quota.js';
import { openDb, type Db } from '../../src/storage/db.js';
import { usePostgres } from '../support/postgres.js';

const tmp = mkdtempSync(join(tmpdir(), 'kefu-quota-'));
let counter = 0;

/** A database and a way to open another handle on it (a restart, or a second node). */
const backends = [
  { name: 'sqlite', create: async () => { const dataDir = join(tmp, `q${counter++}`); return () => openDb({ dataDir }); } },
  { name: 'postgres', create: async () => { const url = await pg()!.createDatabase(`quota_${counter++}`); return () => openDb({ databaseUrl: url, dataDir: tmp }); } },
];

const pg = usePostgres();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backends)('on $name', (backend) => {
  const HOUR = 3600_000;
  let now = 0;
  let open: () => Db;
  const handles: Db[] = [];
  const node = (channel: 'wechat' | 'wecom' = 'wechat') => {
    const db = open();
    handles.push(db);
    return new ReplyQuota({ db }, channel, () => now);
  };
  const takeAll = async (quota: ReplyQuota, key: string, n: number) => {
    const results = [];
    for (let i = 0; i < n; i++) results.push((await quota.take(key)).ok);
    return results;
  };

  beforeEach(async () => {
    if (backend.name === 'postgres' && !pg()) return;
    now = 1_700_000_000_000;
    open = await backend.create();
    const db = open();
    await db.migrate();
    await db.close();
  });
  afterEach(async () => {
    for (const db of handles.splice(0)) await db.close();
  });
  const maybe = (name: string, fn: () => Promise<void>) => test(name, async () => {
    if (backend.name === 'postgres' && !pg()) return;
    await fn();
  });

  maybe('a customer we know nothing about is let through (WeChat decides)', async () => {
    expect(await node().take('gh:o1')).toEqual({ ok: true, known: false });
  });

  maybe('5 messages within 48 h of the customer\'s message, then refused; a new message starts over', async () => {
    const q = node();
    await q.opened('gh:o1', 'message', now);
    expect(await takeAll(q, 'gh:o1', 5)).toEqual([true, true, true, true, true]);
    expect(await q.take('gh:o1')).toMatchObject({ ok: false, reason: expect.stringMatching(/used up/) });
    now += 1000;
    await q.opened('gh:o1', 'message', now);
    expect(await q.take('gh:o1')).toEqual({ ok: true, known: true });
  });

  maybe('the window closes after 48 hours', async () => {
    const q = node();
    await q.opened('gh:o1', 'message', now);
    now += 48 * HOUR + 1;
    expect(await q.take('gh:o1')).toMatchObject({ ok: false, reason: expect.stringMatching(/48-hour window/) });
  });

  maybe('a follow or menu click allows 3 within a minute, on top of an open message window', async () => {
    const q = node();
    await q.opened('gh:o1', 'action', now);
    expect(await takeAll(q, 'gh:o1', 4)).toEqual([true, true, true, false]);
    await q.opened('gh:o2', 'message', now);
    await q.opened('gh:o2', 'action', now);
    expect(await takeAll(q, 'gh:o2', 9)).toEqual([true, true, true, true, true, true, true, true, false]);
  });

  maybe('refund after a failed send; exhausted after WeChat said 45015, until the customer writes', async () => {
    const q = node();
    await q.opened('gh:o1', 'message', now);
    await takeAll(q, 'gh:o1', 5);
    await q.refund('gh:o1');
    expect(await takeAll(q, 'gh:o1', 2)).toEqual([true, false]);
    await q.exhausted('gh:o3');
    expect((await q.take('gh:o3')).ok).toBe(false);
    await q.opened('gh:o3', 'message', now);
    expect((await q.take('gh:o3')).ok).toBe(true);
    await q.exhausted('gh:o3');
    expect((await q.take('gh:o3')).ok).toBe(false);
  });

  maybe('a refund never gives more than the allowance', async () => {
    const q = node();
    await q.opened('gh:o1', 'message', now);
    for (let i = 0; i < 3; i++) await q.refund('gh:o1');
    expect(await takeAll(q, 'gh:o1', 6)).toEqual([true, true, true, true, true, false]);
  });

  maybe('WeChat and WeCom keep separate counts for the same key', async () => {
    const wechat = node('wechat');
    const wecom = node('wecom');
    await wechat.opened('k:o1', 'message', now);
    await takeAll(wechat, 'k:o1', 5);
    expect(await wecom.take('k:o1')).toEqual({ ok: true, known: false });
  });

  maybe('survives a restart', async () => {
    const before = node();
    await before.opened('gh:o1', 'message', now);
    await takeAll(before, 'gh:o1', 2);
    await handles.pop()!.close();
    expect(await takeAll(node(), 'gh:o1', 4)).toEqual([true, true, true, false]);
  });

  maybe('two nodes on one database share the 5, even sending at the same moment', async () => {
    const a = node();
    const b = node();
    await a.opened('gh:o1', 'message', now);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).take('gh:o1')));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    await b.opened('gh:o1', 'message', now + 1);
    expect((await a.take('gh:o1')).ok).toBe(true);
  });

  maybe('windows closed for longer than a week are pruned; a recently closed one still refuses', async () => {
    const q = node();
    await q.opened('gh:old', 'message', now);
    await q.opened('gh:recent', 'message', now + 6 * 24 * HOUR);
    now += 48 * HOUR + QUOTA_KEPT_MS + 1;
    expect(await q.prune()).toBe(1);
    expect(await q.take('gh:old')).toEqual({ ok: true, known: false });
    expect((await q.take('gh:recent')).ok).toBe(false);
  });
});

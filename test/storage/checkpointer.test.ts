/**
 * WAL checkpoints in a worker thread (src/storage/checkpointer.ts): the gateway's connection
 * never checkpoints inside a commit, yet the log is copied into the database file and
 * starts over, so it does not grow without bound.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { fromRoot } from '../../src/paths.js';
import { openDb } from '../../src/storage/db.js';
import * as store from '../../src/store/index.js';
import { useTempSqlite } from '../support/sqlite.js';

const db = useTempSqlite('ckpt');

async function writeMany(count: number, tag: string): Promise<void> {
  // ~4 KiB a row: every commit adds pages to the log.
  const filler = 'x'.repeat(4000);
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => db().write((q) => store.setCheckpoint(q, `${tag}-${i + j}`, filler, 1))));
  }
}

test('the connection leaves checkpoints to the worker', async () => {
  const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db().kysely);
  expect(rows[0]!.wal_autocheckpoint).toBe(0);
  expect(await db().checkpoints()).not.toBeNull();
});

test('the worker copies the log into the database and the log starts over', async () => {
  const before = (await db().checkpoints())!;
  await writeMany(3000, 'a');
  const after = (await db().checkpoints())!;
  // 3,000 rows of 4 KiB are ~3,000 pages: copied by the worker, not by a commit.
  expect(after.framesCopied - before.framesCopied).toBeGreaterThan(2500);
  expect(after.runs).toBeGreaterThan(before.runs);
  // Everything copied, the writer's next transaction starts the log over: it then holds
  // only that transaction's pages. Had nothing been copied, it would hold all ~3,000.
  expect(after.lastLogFrames).toBeGreaterThan(2500);
  await db().write((q) => store.setCheckpoint(q, 'small', 'y', 1));
  expect((await db().checkpoints())!.lastLogFrames).toBeLessThan(20);
  expect(await store.getCheckpoint(db().kysely, 'a-2999')).toBe('x'.repeat(4000));
});

test('an in-memory database checkpoints nothing and says so', async () => {
  const memory = openDb({ databaseUrl: 'sqlite::memory:', dataDir: '/tmp' });
  try {
    expect(await memory.checkpoints()).toBeNull();
  } finally {
    await memory.close();
  }
});

test('the worker never holds a process open, nor lets it end while a caller waits for it', () => {
  // A program that opens the store, asks for the totals and forgets to close it (built code:
  // a child process does not go through the test transform).
  const dir = mkdtempSync(join(tmpdir(), 'kefu-ckpt-exit-'));
  const program = `
    const { openDb } = await import(${JSON.stringify(fromRoot('dist', 'src', 'storage', 'db.js'))});
    const db = openDb({ dataDir: ${JSON.stringify(dir)}, onWarning: (m) => console.error(m) });
    await db.migrate();
    const stats = await db.checkpoints();
    console.log(JSON.stringify(stats));`;
  try {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim()).runs).toBeGreaterThanOrEqual(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

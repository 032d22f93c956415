/** Group commit on SQLite: jobs share commits, yet each succeeds or fails on its own. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/storage/db.js';
import * as store from '../../src/store/index.js';

let db: Db;
const dir = mkdtempSync(join(tmpdir(), 'kefu-gc-'));

beforeAll(async () => {
  db = openDb({ dataDir: dir });
  await db.migrate();
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('concurrent jobs commit together; a failing job rolls back alone', async () => {
  const jobs = Array.from({ length: 50 }, (_, i) => db.write(async (q) => {
    await store.setCheckpoint(q, `job-${i}`, String(i), 1);
    if (i % 10 === 3) throw new Error(`job ${i} fails`);
    return i;
  }));
  const results = await Promise.allSettled(jobs);
  expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
  expect((results[3] as PromiseRejectedResult).reason.message).toBe('job 3 fails');
  for (let i = 0; i < 50; i++) {
    const value = await store.getCheckpoint(db.kysely, `job-${i}`);
    expect(value).toBe(i % 10 === 3 ? undefined : String(i));
  }
});

test('a job resolves only once its data is committed and readable', async () => {
  const value = await db.write(async (q) => {
    await store.setCheckpoint(q, 'durable', 'yes', 1);
    return 'done';
  });
  expect(value).toBe('done');
  // A second connection sees it: the commit happened before the promise settled.
  const other = openDb({ dataDir: dir });
  try {
    expect(await store.getCheckpoint(other.kysely, 'durable')).toBe('yes');
  } finally {
    await other.close();
  }
});

/** A migrated SQLite database in a temporary folder for one test file, removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/storage/db.js';

/** Call at the top level of a test file; `db()` is valid inside tests. */
export function useTempSqlite(prefix: string): () => Db {
  const dir = mkdtempSync(join(tmpdir(), `kefu-${prefix}-`));
  let db: Db | undefined;
  beforeAll(async () => {
    db = await openDb({ dataDir: dir });
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!db) throw new Error('the database is opened in beforeAll');
    return db;
  };
}

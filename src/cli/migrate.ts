/** `kefu migrate`: apply pending migrations to the configured database and exit. */
import { openDb } from '../storage/db.js';
import { configFromEnv, EXIT_CONFIG } from './env.js';

export async function run(_argv: string[]): Promise<number> {
  const config = await configFromEnv();
  if (!config) return EXIT_CONFIG;
  const db = openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const applied = await db.migrate();
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
  } finally {
    await db.close();
  }
  return 0;
}

/**
 * Starts a real, throw-away PostgreSQL server from the installed binaries (Debian's
 * postgresql package) in a temporary directory on a free loopback port. As root, the
 * server runs as the `postgres` user (initdb refuses root).
 * `startPostgres()` resolves to null when no PostgreSQL binaries are installed; the suites
 * that need it then fail loudly unless KEFU_SKIP_PG=1 says skipping is intended.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

export interface PgServer {
  url: string;
  /** A new empty database on this server (one per test file keeps suites independent). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

const asRoot = process.getuid?.() === 0;

function run(bin: string, args: string[]): void {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${bin} failed: ${result.stderr || result.stdout}`);
}

export async function startPostgres(): Promise<PgServer | null> {
  const bin = pgBinDir();
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'kefu-pg-'));
  chmodSync(dir, 0o777);
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const data = join(dir, 'data');
  const port = await freePort();
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'kefu', '-E', 'UTF8', '--no-locale']);
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o',
    `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  const url = `postgres://kefu@127.0.0.1:${port}/postgres`;
  return {
    url,
    async createDatabase(name: string) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database "${name.replace(/[^a-z0-9_]/g, '_')}"`);
      } finally {
        await client.end();
      }
      return `postgres://kefu@127.0.0.1:${port}/${name.replace(/[^a-z0-9_]/g, '_')}`;
    },
    async stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** For suites that need PostgreSQL: a clear failure when it is missing, unless skipping is asked for. */
export function requirePostgres(server: PgServer | null): server is PgServer {
  if (server) return true;
  if (process.env.KEFU_SKIP_PG === '1') return false;
  throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql), or set KEFU_SKIP_PG=1');
}

/**
 * Call at the top level of a test file: one server for the file's tests, started before
 * them and stopped after. `pg()` is valid inside tests; it is null only when KEFU_SKIP_PG=1
 * asked to skip a missing PostgreSQL.
 */
export function usePostgres(): () => PgServer | null {
  let server: PgServer | null = null;
  beforeAll(async () => {
    server = await startPostgres();
    requirePostgres(server);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => server;
}

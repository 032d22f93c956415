/**
 * A real, throw-away Redis server (Debian's redis-server) in a temporary directory on a free
 * loopback port, without persistence. `kill()` SIGKILLs it (an outage), `start()` brings it
 * back on the same port. Fails loudly when redis-server is missing, unless KEFU_SKIP_REDIS=1
 * says skipping is intended (then `startRedis()` resolves to null).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

export const REDIS_BIN = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

export interface RedisServer {
  url: string;
  port: number;
  /** SIGKILL: an outage (no goodbye to the clients). */
  kill(): Promise<void>;
  /** (Re)start on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Resolves when the server answers PING. */
async function waitForPing(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(500, () => { socket.destroy(); resolve(false); });
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => { socket.destroy(); resolve(String(data).startsWith('+PONG')); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(): Promise<RedisServer | null> {
  if (!REDIS_BIN) {
    if (process.env.KEFU_SKIP_REDIS === '1') return null;
    throw new Error('redis-server is not installed (apt-get install redis-server), or set KEFU_SKIP_REDIS=1');
  }
  const dir = mkdtempSync(join(tmpdir(), 'kefu-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';
  const exited = () => new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d) => (log += String(d)));
      child.stderr?.on('data', (d) => (log += String(d)));
      try {
        await waitForPing(port, 10_000);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${log}`);
      }
    },
    async kill() {
      child?.kill('SIGKILL');
      await exited();
    },
    async stop() {
      child?.kill('SIGTERM');
      await exited();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** Starts a whole gateway on a free loopback port for end-to-end tests (SQLite or PostgreSQL). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { createGateway, type Gateway, type GatewayOverrides } from '../../src/gateway.js';

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startGateway(env: Record<string, string> = {}, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'kefu-test-'));
  const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ENV: 'test', OUTBOX_POLL_MS: '100', ...env, DATA_DIR: dataDir });
  const gateway = await createGateway(config, overrides);
  const url = await gateway.listen();
  return {
    gateway,
    url,
    dataDir,
    async stop() {
      await gateway.close();
      if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON over real HTTP. */
export async function http(url: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

/**
 * A small load generator: keep-alive HTTP posts, closed-loop or at a fixed rate.
 *
 * Requests go through undici's connection pools, not `node:http`: on this two-core machine
 * the generator shares the CPU with the server it measures, and undici spends about a third
 * of the CPU a request that `node:http`'s client does (0.04-0.05 against 0.12-0.14 ms,
 * measured against the hello server), which leaves that much more to the server. Every
 * server in a run (the hello baseline included) is driven by the same client.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';

/** One pool per origin, up to 256 keep-alive connections each. */
const pools = new Map<string, Pool>();
const poolFor = (origin: string): Pool => {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 256 });
    pools.set(origin, pool);
  }
  return pool;
};

/** A keep-alive POST of a raw body. */
export async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { origin, pathname, search } = new URL(url);
  const response = await poolFor(origin).request({ path: pathname + search, method: 'POST', body, headers });
  return { status: response.statusCode, body: await response.body.text() };
}

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  postRaw(url, JSON.stringify(body), { 'content-type': 'application/json', ...headers });

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Run {
  /**
   * The load generator's own longest stall during a fixed-rate run, ms (beyond its 5 ms
   * tick): it times the latencies, so a stall of its own would show as the server's.
   */
  generatorStallMs?: number;
  completed: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

export function summarise(latencies: number[], seconds: number, errors: number): Run {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { completed: latencies.length, seconds, perSecond: latencies.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors };
}

/** `workers` loops each doing `one()` back to back for `seconds`. */
export async function closedLoop(workers: number, seconds: number, one: (worker: number) => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await one(w);
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }));
  return summarise(latencies, (performance.now() - started) / 1000, errors);
}

const TICK_MS = 5;

/** Starts `one()` at a fixed rate for `seconds` (open loop: a slow server cannot slow the clock). */
export async function fixedRate(rate: number, seconds: number, one: (i: number) => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  const monitor = monitorEventLoopDelay({ resolution: TICK_MS });
  monitor.enable();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Latency counts from when the request was due (or sent, if a timer fired early), so a
    // generator that falls behind cannot hide the server's slowness (no coordinated omission).
    const start = Math.min(due, performance.now());
    pending.push(one(i).then(() => void latencies.push(performance.now() - start), () => void errors++));
  }
  await Promise.all(pending);
  monitor.disable();
  return { ...summarise(latencies, (performance.now() - started) / 1000, errors), generatorStallMs: Math.max(0, monitor.max / 1e6 - TICK_MS) };
}

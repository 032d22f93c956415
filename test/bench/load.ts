/** A small load generator: keep-alive HTTP posts, closed-loop or at a fixed rate. */
import http from 'node:http';

export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** A keep-alive POST of a raw body. */
export function postRaw(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  postRaw(url, JSON.stringify(body), { 'content-type': 'application/json', ...headers });

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Run {
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

/** Starts `one()` at a fixed rate for `seconds` (open loop: a slow server cannot slow the clock). */
export async function fixedRate(rate: number, seconds: number, one: (i: number) => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
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
  return summarise(latencies, (performance.now() - started) / 1000, errors);
}

/**
 * `npm run bench`: web chat ingest -> bot reply throughput and latency on SQLite, next to a
 * bare fastify hello-world server measured in the same run by the same load generator, plus
 * understanding speed. Servers run as child processes (the generator takes the other core).
 * Prints figures and ratios; it is a measurement, not a test, and asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop, fixedRate, post, type Run } from './load.js';
import { SessionPool, type SendVia } from './webchat-client.js';
import { wechatBenchClient } from './wechat-client.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
/**
 * Load before each measured run, so it measures the gateway's steady state, as it runs for
 * days. A fresh path's first seconds at full load go largely to V8 compiling its hot
 * functions on helper threads (WeChat: about 0.2 ms of CPU a message over its first ~5 s),
 * CPU the other core's load generator competes for. The warm-up's own rate is printed too.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 6);
/**
 * A pause between a path's closed loop and its fixed-rate run, so the latency run measures
 * the gateway at that rate, not its recovery from the saturating loop just before. In one
 * run without it, the 136 web chat messages due in the first 200 ms took 15-27 ms (the
 * gateway's event loop stalled up to 12 ms and ran a 12 ms full GC then), and made the p99:
 * 23.1 ms, against 2.8-5.0 ms in three of the four runs around it.
 */
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 2);
const root = new URL('../../../', import.meta.url).pathname;

async function launch(script: string, args: string[], env: Record<string, string>): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk) => {
      out += chunk;
      const m = /LISTENING (\S+)|"url":"([^"]+)"/.exec(out);
      if (m) resolve((m[1] ?? m[2])!);
    });
    proc.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { url, proc };
}

/** SIGTERM, then SIGKILL if the server is still draining keep-alive connections after 3 s. */
const stop = (proc: ChildProcess) => new Promise<void>((resolve) => {
  const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
  proc.once('exit', () => {
    clearTimeout(timer);
    resolve();
  });
  proc.kill('SIGTERM');
});

/**
 * The server's CPU time (user + system) so far, in ms, from /proc (Linux; undefined
 * elsewhere): the whole process, and its main thread alone (the event loop, which bounds
 * the throughput; worker threads take the rest). On a shared machine, CPU per message moves
 * far less than throughput does.
 */
function cpuMsOf(proc: ChildProcess): { all: number; main: number } | undefined {
  const stat = `/proc/${proc.pid}/stat`;
  const mainStat = `/proc/${proc.pid}/task/${proc.pid}/stat`;
  if (!existsSync(stat) || !existsSync(mainStat)) return undefined;
  const ms = (path: string) => {
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
  };
  return { all: ms(stat), main: ms(mainStat) };
}

type CpuPerMessage = { cpuMsPerMessage?: number; mainMsPerMessage?: number };

/** A run, with the gateway's CPU per completed message. */
async function withCpu(proc: ChildProcess, run: () => Promise<Run>): Promise<Run & CpuPerMessage> {
  const before = cpuMsOf(proc);
  const result = await run();
  const after = cpuMsOf(proc);
  if (!before || !after) return result;
  return { ...result, cpuMsPerMessage: (after.all - before.all) / result.completed, mainMsPerMessage: (after.main - before.main) / result.completed };
}

const cpuLine = (r: CpuPerMessage) => (r.cpuMsPerMessage === undefined
  ? ''
  : `  gateway CPU ${r.cpuMsPerMessage.toFixed(2)} ms/message, of which the event loop's thread ${r.mainMsPerMessage?.toFixed(2)} ms\n`);

/** Progress on stderr, so the figures on stdout stay clean. */
const step = (what: string) => process.stderr.write(`bench: ${what}\n`);

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));

const fmt = (r: Run) => `${r.perSecond.toFixed(0).padStart(6)} /s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms   (${r.completed} done, ${r.errors} errors)` +
  (r.generatorStallMs === undefined ? '' : `   load generator's longest stall ${r.generatorStallMs.toFixed(0)} ms`);

async function main(): Promise<void> {
  console.log(`kefu bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}, ${SECONDS} s per run after ${WARMUP_SECONDS} s of warm-up; fixed-rate runs start ${SETTLE_SECONDS} s after the closed loop`);
  const concurrency = 64;

  // Baseline: bare fastify.
  step('baseline: fastify hello-world');
  const hello = await launch(join(root, 'dist/test/bench/hello-server.js'), [], {});
  await closedLoop(concurrency, WARMUP_SECONDS, async () => void (await post(`${hello.url}/hello`, { text: 'warm-up' })));
  const baseline = await closedLoop(concurrency, SECONDS, async () => void (await post(`${hello.url}/hello`, { text: '你好' })));
  await settle();
  const baselineAt1000 = await fixedRate(1000, SECONDS / 2, async () => void (await post(`${hello.url}/hello`, { text: '你好' })));
  await stop(hello.proc);

  // The gateway on SQLite, started the way `npm start` does, with the WeChat webhook on
  // (passive replies only: no AppSecret, so nothing leaves the machine).
  step('starting the gateway (kefu start, SQLite)');
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-bench-'));
  const gateway = await launch(join(root, 'bin/kefu.js'), ['start'], {
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', DATABASE_URL: '', WECHAT_TOKEN: 'benchtoken',
  });
  // Each path: fresh sessions enough for every message of its runs (warm-up + closed loop
  // at up to 5,000/s + 1,000/s): a pool used up would count as errors, not as slowness.
  const webchat = async (via: SendVia) => {
    step(`web chat (${via === 'socket' ? 'sent on the WebSocket, as the widget does' : 'sent by POST'}): opening sessions`);
    // The warm-up's sessions are closed before the measured ones open: fewer sockets at once.
    const sessionsFor = (messages: number) => Math.ceil(messages / SessionPool.SCRIPT.length);
    const warmUpPool = await SessionPool.open(gateway.url, sessionsFor(5000 * WARMUP_SECONDS), via);
    step(`web chat (${via}): ${WARMUP_SECONDS} s warm-up`);
    const warmUp = await closedLoop(concurrency, WARMUP_SECONDS, () => warmUpPool.ask());
    warmUpPool.close();
    const pool = await SessionPool.open(gateway.url, sessionsFor(5000 * SECONDS + 1000 * SECONDS), via);
    step(`web chat (${via}): closed loop, then 1000 msg/s`);
    const closed = await withCpu(gateway.proc, () => closedLoop(concurrency, SECONDS, () => pool.ask()));
    await settle();
    const at1000 = await fixedRate(1000, SECONDS, () => pool.ask());
    pool.close();
    return { warmUp, closed, at1000 };
  };
  const bySocket = await webchat('socket');
  const byPost = await webchat('post');
  step(`WeChat webhook: ${WARMUP_SECONDS} s warm-up, closed loop, then 500 msg/s`);
  // Each follower sends one short scripted exchange, then the next follower takes over.
  const wechat = wechatBenchClient(`${gateway.url}/webhooks/wechat`, 'benchtoken');
  let said = 0;
  const wxAsk = () => {
    const n = said++;
    return wechat(Math.floor(n / SessionPool.SCRIPT.length), SessionPool.SCRIPT[n % SessionPool.SCRIPT.length]!);
  };
  const wxWarmUp = await closedLoop(concurrency, WARMUP_SECONDS, wxAsk);
  const wx = await withCpu(gateway.proc, () => closedLoop(concurrency, SECONDS, wxAsk));
  await settle();
  const wxAt500 = await fixedRate(500, SECONDS, wxAsk);
  await stop(gateway.proc);
  rmSync(dataDir, { recursive: true, force: true });

  console.log('\nweb chat: message in -> bot reply pushed back (WebSocket), SQLite');
  console.log(`  baseline fastify hello, ${concurrency} conns: ${fmt(baseline)}`);
  console.log(`  baseline at 1000/s: ${fmt(baselineAt1000)}`);
  for (const [how, r] of [['sent on the WebSocket (the widget)', bySocket], ['sent by POST', byPost]] as const) {
    console.log(`  kefu, ${how}:`);
    console.log(`    warm-up, first ${WARMUP_SECONDS} s: ${fmt(r.warmUp)}`);
    console.log(`    ${concurrency} conns:  ${fmt(r.closed)}`);
    process.stdout.write(`  ${cpuLine(r.closed)}`);
    console.log(`    ratio kefu/baseline throughput: ${(r.closed.perSecond / baseline.perSecond).toFixed(3)}`);
    console.log(`    at 1000/s: ${fmt(r.at1000)}`);
    console.log(`    ratio kefu/baseline p99 at 1000/s: ${(r.at1000.p99 / baselineAt1000.p99).toFixed(2)}`);
  }
  console.log('  targets: >= 3000 msg/s end to end; p99 < 25 ms at 1000 msg/s');
  console.log('\nWeChat webhook with passive reply, SQLite');
  console.log(`  warm-up, first ${WARMUP_SECONDS} s:   ${fmt(wxWarmUp)}`);
  console.log(`  kefu,                 ${concurrency} conns: ${fmt(wx)}`);
  process.stdout.write(cpuLine(wx));
  console.log(`  ratio kefu/baseline throughput: ${(wx.perSecond / baseline.perSecond).toFixed(3)}`);
  console.log(`  kefu at 500/s:      ${fmt(wxAt500)}`);
  console.log('  targets: >= 2000 msg/s; p99 < 50 ms at 500 msg/s');

  try {
    step('e-mail: ingest from a local Dovecot');
    const { benchEmailIngest } = await import('./email.js');
    const mail = await benchEmailIngest();
    console.log('\ne-mail: IMAP fetch -> parse -> thread -> store, local Dovecot, SQLite');
    console.log(`  ${mail.mailsPerSecond.toFixed(0)} mails/s over ${mail.mails} mails   (target: >= 200 mails/s)`);
  } catch (error) {
    console.log(`\ne-mail bench unavailable: ${(error as Error).message}`);
  }

  try {
    const { benchNlu } = await import('../../src/nlu/bench.js');
    const nlu = await benchNlu();
    console.log('\nunderstanding (classify + FAQ lookup of one message)');
    console.log(`  load ${nlu.loadMs.toFixed(0)} ms   p50 ${nlu.p50Ms.toFixed(3)} ms   p99 ${nlu.p99Ms.toFixed(3)} ms   (targets: load < 1500 ms, p99 < 2 ms)`);
  } catch (error) {
    console.log(`\nunderstanding bench unavailable: ${(error as Error).message}`);
  }
}

await main();
process.exit(0);

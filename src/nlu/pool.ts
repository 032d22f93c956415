/**
 * Understanding on a second core. The gateway's event loop runs one thread; classifying a
 * message and looking it up in the FAQ is about a fifth of its work per message and needs
 * nothing but the text. So a worker thread (worker-main.ts) with its own copy of the models
 * understands each message while the event loop does the rest, before the message's turn.
 *
 * Requests made in one turn of the event loop travel to the worker as one batch; each answer
 * comes back as soon as it is ready. Texts are handed over only when it pays: the worker is
 * ready, not far behind, and (unless `onlyWhenItPays` is false) over the last half second
 * the event loop was the bottleneck (busy 60% of the time or more). With the event loop at
 * ease, the round trip only added latency (WeChat's p99 at 500 messages/s). An idle core is
 * not asked for: with the load generator on the other core, handing over still paid by a
 * fifth (web chat and WeChat), and the e-mail bench (Dovecot on the other core) did not
 * move. The pipeline also keeps a message it has nothing else to do beside (pipeline.ts).
 * Whatever goes wrong (the worker is missing, slow, dead, or throws on a text) resolves to
 * `null`, and the pipeline understands that message itself: the worker can make answers
 * faster, never different or lost.
 */
import { existsSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { fromRoot } from '../paths.js';
import type { FaqHit, LoadOptions, Understanding } from './index.js';
import type { MessageContext } from './types.js';

export interface Analysis {
  understanding: Understanding;
  faq: FaqHit | null;
}

export interface AnalysisRequest {
  id: number;
  text: string;
  ctx: MessageContext;
}

export interface NluPoolOptions {
  /** The same options the gateway loaded its own models with. */
  load: LoadOptions;
  /** Hand texts over only while it pays (default: see handOverPays); false: always. */
  onlyWhenItPays?: boolean;
  /** A batch not answered within this is understood by the gateway instead (default 2 s). */
  timeoutMs?: number;
  onError?: (message: string) => void;
}

/** Texts the worker may have in hand; beyond that the gateway understands them itself. */
const MAX_WAITING = 256;
/** How often the event loop's busy share is sampled, and how busy it must be for texts to be handed over. */
const SAMPLE_MS = 500;
const MIN_LOOP_BUSY = 0.6;

/** Handing texts over pays when the event loop is the bottleneck. */
export const handOverPays = (loopBusy: number): boolean => loopBusy >= MIN_LOOP_BUSY;

const WORKER_FILE = fromRoot('dist', 'src', 'nlu', 'worker-main.js');

export class NluPool {
  private worker: Worker | null = null;
  private ready = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: Analysis | null) => void; timer: NodeJS.Timeout }>();
  private batch: AnalysisRequest[] = [];
  private readonly onError: (message: string) => void;
  /** Settles true when the models are loaded, false when the worker is gone first. */
  private readonly loaded: Promise<boolean>;
  private settleLoaded: (loaded: boolean) => void = () => undefined;

  constructor(private readonly options: NluPoolOptions) {
    this.onError = options.onError ?? (() => undefined);
    this.loaded = new Promise((resolve) => (this.settleLoaded = resolve));
    if (!existsSync(WORKER_FILE)) {
      this.settleLoaded(false);
      this.onError(`understanding worker not built (${WORKER_FILE}); understanding on the main thread`);
      return;
    }
    const worker = new Worker(WORKER_FILE, { workerData: options.load });
    worker.on('message', (message: 'ready' | Array<{ id: number; analysis: Analysis | null }>) => {
      if (message === 'ready') {
        this.ready = true;
        this.settleLoaded(true);
      } else for (const { id, analysis } of message) this.settle(id, analysis);
    });
    worker.on('error', (error) => this.stopWith(`understanding worker failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.worker) this.stopWith(`understanding worker exited (${code})`);
    });
    // After the listeners (adding one holds the process open again): never keeps it alive.
    worker.unref();
    this.worker = worker;
  }

  /** Resolves when the worker has loaded its models (false if it cannot). */
  async whenReady(timeoutMs = 10_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const loaded = await Promise.race([this.loaded, late]);
    clearTimeout(timer);
    return loaded && this.worker !== null;
  }

  /** The understanding and FAQ hit of a text, or null: then the caller works it out itself. */
  analyse(text: string, ctx: MessageContext): Promise<Analysis | null> {
    const worker = this.worker;
    // Handing over pays only while the event loop is the bottleneck and a core is to spare
    // (handOverPays): otherwise the text would wait for the round trip or for the CPU.
    if (!worker || !this.ready || this.pending.size >= MAX_WAITING || !this.paysNow()) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(id, null), this.options.timeoutMs ?? 2000);
      this.pending.set(id, { resolve, timer });
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push({ id, text, ctx });
    });
  }

  private sample: { at: number; loop: EventLoopUtilization; pays: boolean } = {
    at: Date.now(), loop: performance.eventLoopUtilization(), pays: false,
  };

  /** Whether handing over paid over the last sample (see handOverPays). */
  private paysNow(): boolean {
    if (this.options.onlyWhenItPays === false) return true;
    const now = Date.now();
    if (now - this.sample.at >= SAMPLE_MS) {
      const loop = performance.eventLoopUtilization();
      this.sample = { at: now, loop, pays: handOverPays(performance.eventLoopUtilization(loop, this.sample.loop).utilization) };
    }
    return this.sample.pays;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.settleLoaded(false);
    for (const id of [...this.pending.keys()]) this.settle(id, null);
    worker?.ref();
    await worker?.terminate();
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    try {
      this.worker?.postMessage(batch);
    } catch (error) {
      for (const { id } of batch) this.settle(id, null);
      this.onError(`understanding worker unreachable: ${(error as Error).message}`);
    }
  }

  private settle(id: number, analysis: Analysis | null): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    waiting.resolve(analysis);
  }

  private stopWith(message: string): void {
    this.worker = null;
    this.ready = false;
    this.settleLoaded(false);
    for (const id of [...this.pending.keys()]) this.settle(id, null);
    this.onError(`${message}; understanding on the main thread from now on`);
  }
}

/**
 * The understanding worker's side (src/nlu/pool.ts is the gateway's side): loads the same
 * models as the gateway and answers batches of texts with their understanding and FAQ hit.
 * Runs from dist/ only (a worker thread does not go through the test transform).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadNlu, type LoadOptions } from './index.js';
import type { Analysis, AnalysisRequest } from './pool.js';

const nlu = loadNlu(workerData as LoadOptions);
const port = parentPort!;

port.on('message', (batch: AnalysisRequest[]) => {
  const results: Array<{ id: number; analysis: Analysis | null }> = batch.map(({ id, text, ctx }) => {
    try {
      return { id, analysis: { understanding: nlu.understand(text, ctx), faq: nlu.faq.ask(text) } };
    } catch {
      // The gateway understands this one itself (and logs what goes wrong there).
      return { id, analysis: null };
    }
  });
  port.postMessage(results);
});
port.postMessage('ready');

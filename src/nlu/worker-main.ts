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

// Each answer goes back as soon as it is ready, so the gateway stores and answers the first
// message of a batch while this thread works on the next.
port.on('message', (batch: AnalysisRequest[]) => {
  for (const { id, text, ctx } of batch) {
    let analysis: Analysis | null;
    try {
      analysis = { understanding: nlu.understand(text, ctx), faq: nlu.faq.ask(text) };
    } catch {
      // The gateway understands this one itself (and logs what goes wrong there).
      analysis = null;
    }
    port.postMessage([{ id, analysis }]);
  }
});
port.postMessage('ready');

/**
 * A gateway process with the e-mail channel for the crash test (test/email/crash.e2e.test.ts),
 * run from dist/ as a real child process so it can be killed with SIGKILL mid-batch. Settings
 * come from the environment (IMAP_URL, SMTP_URL, MAIL_FROM...); MAIL_TEST_DELAY_MS slows each
 * mail down so the kill lands inside a batch.
 */
import { buildEmailChannel, emailSettingsFrom } from '../../channels/email/index.js';
import { parseConfig } from '../../src/config.js';
import { createGateway } from '../../src/gateway.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';

const delayMs = Number(process.env.MAIL_TEST_DELAY_MS ?? '0');
const settings = emailSettingsFrom(process.env);
if (!settings) throw new Error('IMAP_URL is not set');
const config = parseConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' });

// One mail at a time, each delayed: a slow database, so the kill lands mid-batch.
let turn: Promise<unknown> = Promise.resolve();
const slowed = (pipeline: Pipeline): Pipeline => {
  const ingest: Pipeline['ingest'] = async (message) => {
    const mine = turn.then(() => new Promise((r) => setTimeout(r, delayMs)));
    turn = mine;
    await mine;
    return pipeline.ingest(message);
  };
  return new Proxy(pipeline, { get: (target, key) => (key === 'ingest' ? ingest : Reflect.get(target, key)) });
};

const gateway = await createGateway(config, {
  extraChannels: [(deps) => buildEmailChannel({ ...deps, pipeline: slowed(deps.pipeline) }, settings, { faq: null })],
});
const url = await gateway.listen();
process.stdout.write(`LISTENING ${url}\n`);
process.once('SIGTERM', () => void gateway.close().then(() => process.exit(0)));

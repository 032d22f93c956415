/**
 * The composition root: opens the store, loads understanding and templates, builds the
 * pipeline, the outbox dispatcher, the channels and the HTTP server, and stops them in
 * reverse order. Tests start a whole gateway with `createGateway(parseConfig({...}))`.
 */
import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { channelFactories } from '../channels/registry.js';
import type { ChannelAdapter, ChannelDeps, ChannelFactory } from '../channels/types.js';
import { createDialog } from '../dialogs/engine.js';
import type { Dialog } from '../dialogs/types.js';
import { ConfigError, listOf, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { OutboxDispatcher } from './pipeline/dispatcher.js';
import { MessageHub } from './pipeline/hub.js';
import type { RedisLink } from './pipeline/redis-link.js';
import { Pipeline, type SecondOpinionHook, type Understander } from './pipeline/pipeline.js';
import type { Nlu, Understanding } from './nlu/index.js';
import type { Intent } from './nlu/types.js';
import { buildApp } from './server/app.js';
import * as agentStore from './agents/store.js';
import { registerAuthRoutes } from './agents/routes.js';
import { registerConsolePage } from './console/page.js';
import { ConsoleFeed } from './handoff/console-stream.js';
import { registerConversationRoutes } from './handoff/routes.js';
import { parseSla, type SlaPolicy } from './handoff/sla.js';
import { watchSla } from './handoff/sla-watch.js';
import { Workspace } from './handoff/workspace.js';
import { openDb, type Db } from './storage/db.js';
import { orderProviders, type OrderProviderFactory } from './orders/index.js';
import * as store from './store/index.js';
import { localeFor, Templates } from './templates/index.js';
import { parseWindows, queuePositionReply, takeSurveyAnswer, type Speaker } from './handoff/aftercare.js';
import { startTimers } from './handoff/timers.js';

export interface Gateway {
  config: Config;
  db: Db;
  app: FastifyInstance;
  pipeline: Pipeline;
  dispatcher: OutboxDispatcher;
  hub: MessageHub;
  /** Several nodes (REDIS_URL): the hub's link to the others; null on a single node. */
  redis: RedisLink | null;
  metrics: Metrics;
  logger: Logger;
  channels: ReadonlyMap<string, ChannelAdapter>;
  workspace: Workspace;
  nlu: Understander;
  kickOutbox(conversationId: string): void;
  /** Listen on config.PORT (0: any free port) and start background work; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface GatewayOverrides {
  logger?: Logger;
  nlu?: Understander;
  dialog?: Dialog;
  /** Where orders go (tests plug a scripted shop). */
  orders?: OrderProviderFactory;
  /** Extra channels, as adapters or factories (tests register scripted or tuned channels). */
  extraChannels?: Array<ChannelAdapter | ChannelFactory>;
}

function capabilitiesOf(channels: ReadonlyMap<string, ChannelAdapter>, channel: string): ChannelAdapter['capabilities'] {
  const adapter = channels.get(channel);
  if (!adapter) throw new Error(`channel '${channel}' is not configured`);
  return adapter.capabilities;
}

function parseFollowUpWindows(value: string): Array<[number, number]> {
  try {
    return parseWindows(value);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  FOLLOW_UP_HOURS: ${(error as Error).message}`);
  }
}

/** At first start, `KEFU_ADMIN_PASSWORD` creates the `admin` agent (never when agents exist). */
async function bootstrapAdmin(db: Db, config: Config, logger: Logger): Promise<void> {
  if (!config.KEFU_ADMIN_PASSWORD || (await agentStore.countAgents(db.kysely)) > 0) return;
  await db.write((q) => agentStore.createAgent(q, { username: 'admin', role: 'admin', password: config.KEFU_ADMIN_PASSWORD! }, Date.now()));
  logger.info('created the admin agent from KEFU_ADMIN_PASSWORD');
}

/** The LLM second opinion when NLU_SECOND_OPINION=on and OPENAI_BASE_URL is set; otherwise none. */
async function secondOpinionHook(config: Config, nlu: Understander): Promise<SecondOpinionHook | null> {
  if (config.NLU_SECOND_OPINION !== 'on' || !config.OPENAI_BASE_URL || !nlu.grade) return null;
  const llm = await import('./nlu/llm.js');
  const second = llm.createSecondOpinion({
    baseURL: config.OPENAI_BASE_URL, apiKey: config.OPENAI_API_KEY, model: config.OPENAI_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS,
  });
  // The pipeline's view of a grade is wider (plain strings); the real one is the NLU's own.
  const grade = nlu.grade.bind(nlu) as Nlu['grade'];
  return {
    needs: (local) => llm.needsSecondOpinion(local as Understanding, second),
    intentOf: (text) => second.intentOf(text),
    apply: (local, text, ctx, intent) => llm.applySecondOpinion({ grade }, local as Understanding, text, ctx, intent as Intent | null),
  };
}

const useNluWorker = (setting: Config['NLU_WORKER']) => setting === 'on' || (setting === 'auto' && availableParallelism() > 1);

export async function createGateway(config: Config, overrides: GatewayOverrides = {}): Promise<Gateway> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const db = openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: config.DATABASE_POOL_SIZE, onWarning: (message) => logger.warn(message) });
  const applied = await db.migrate();
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const metrics = new Metrics();
  const hub = new MessageHub();
  const redis = config.REDIS_URL
    ? await (await import('./pipeline/redis-link.js')).linkThroughRedis(hub, { url: config.REDIS_URL, channel: config.REDIS_CHANNEL, recheckMs: config.REDIS_RECHECK_MS, logger })
    : null;
  const nluOptions = { faqFiles: listOf(config.FAQ_FILES), includeDemoFaq: config.FAQ_DEMO };
  const nlu = overrides.nlu ?? (await (await import('./nlu/index.js')).loadNlu(nluOptions));
  // The same models on a second core (not for a test's own NLU: the worker would load ours).
  const analyser = !overrides.nlu && useNluWorker(config.NLU_WORKER)
    ? new (await import('./nlu/pool.js')).NluPool({ load: nluOptions, onlyWhenItPays: config.NLU_WORKER === 'auto', onError: (message) => logger.warn(message) })
    : null;
  const templates = Templates.load('bot');
  const secondOpinion = await secondOpinionHook(config, nlu);
  const channels = new Map<string, ChannelAdapter>();

  const sla: SlaPolicy = {
    firstResponseMinutes: parseSla('SLA_FIRST_RESPONSE_MINUTES', config.SLA_FIRST_RESPONSE_MINUTES),
    resolutionHours: parseSla('SLA_RESOLUTION_HOURS', config.SLA_RESOLUTION_HOURS),
  };
  let dispatcher: OutboxDispatcher | undefined;
  let workspace: Workspace | undefined;
  const followUpWindows = parseFollowUpWindows(config.FOLLOW_UP_HOURS);
  const speaker: Speaker = {
    templates: Templates.load('runtime'),
    capabilitiesOf: (channel) => capabilitiesOf(channels, channel),
    localeOf: (language) => localeFor(language, undefined, config.DEFAULT_LOCALE),
  };
  const pipeline = new Pipeline({
    db, nlu, analyser, secondOpinion, dialog: overrides.dialog ?? createDialog(), orders: overrides.orders ?? orderProviders(config), templates, hub, metrics, logger, defaultLocale: config.DEFAULT_LOCALE,
    capabilitiesOf: (channel) => capabilitiesOf(channels, channel),
    onOutbound: (conversationId, channel) => dispatcher?.queued(conversationId, channel),
    sla,
    followUpWindows,
    takeSurveyAnswer: (q, input, now) => takeSurveyAnswer(q, speaker, input, now),
    whileQueued: config.QUEUE_POSITION_MESSAGE ? (q, conversation, now) => queuePositionReply(q, speaker, conversation, now, 60_000) : undefined,
    onHandover: () => void workspace?.route(),
  });
  dispatcher = new OutboxDispatcher(db, channels, hub, metrics, logger, {
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS, pollMs: config.OUTBOX_POLL_MS, leaseMs: config.OUTBOX_LEASE_MS,
  });

  const deps: ChannelDeps = { config, db, logger, metrics, hub, pipeline, nlu, kickOutbox: (id) => dispatcher?.kick(id) };
  for (const [name, factory] of Object.entries(channelFactories)) {
    const adapter = factory(deps);
    if (adapter) channels.set(name, adapter);
  }
  for (const extra of overrides.extraChannels ?? []) {
    const adapter = typeof extra === 'function' ? extra(deps) : extra;
    if (adapter) channels.set(adapter.name, adapter);
  }

  metrics.onScrape.push(async () => {
    const depth = await store.outboxDepth(db.kysely);
    for (const [status, n] of Object.entries(depth)) if (status !== 'sent') metrics.outboxDepth.set({ status }, n);
  });

  const app = await buildApp({
    db, metrics, logger, bodyLimit: config.BODY_LIMIT_BYTES,
    degraded: redis ? () => (redis.status() === 'up' ? null : { redis: 'down' }) : undefined,
  });
  for (const adapter of channels.values()) await adapter.routes?.(app);

  // The agent workspace: one state machine for takeover, routing, the agent API and console.
  const activeWorkspace = new Workspace({
    db, pipeline, hub, metrics, logger, sla, templates, speaker,
    capabilitiesOf: (channel) => capabilitiesOf(channels, channel),
    onOutbound: (conversationId, channel) => dispatcher?.queued(conversationId, channel),
  });
  workspace = activeWorkspace;
  const feed = new ConsoleFeed();
  feed.register(app, { db, hub });
  registerAuthRoutes(app, { db, secureCookies: config.COOKIE_SECURE, onPresence: () => void activeWorkspace.route() });
  registerConversationRoutes(app, { db, workspace: activeWorkspace, canned: Templates.load('canned') });
  registerConsolePage(app);
  await bootstrapAdmin(db, config, logger);
  metrics.onScrape.push(async () => {
    const queue = await db.kysely.selectFrom('conversations').select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('queued_at').as('oldest')])
      .where('status', '=', 'queued').executeTakeFirstOrThrow();
    metrics.queueDepth.set(Number(queue.n));
    metrics.queueWait.set(queue.oldest ? (Date.now() - Number(queue.oldest)) / 1000 : 0);
  });
  let stopSla: (() => void) | undefined;
  let stopFollowUps: (() => void) | undefined;

  const activeDispatcher = dispatcher;
  let listening = false;
  return {
    config, db, app, pipeline, dispatcher: activeDispatcher, hub, redis, metrics, logger, channels, workspace: activeWorkspace, nlu,
    kickOutbox: (id: string) => activeDispatcher.kick(id),
    async listen() {
      const address = await app.listen({ port: config.PORT, host: config.HOST });
      listening = true;
      const recovered = await pipeline.recover();
      if (recovered > 0) logger.info({ recovered }, 'answering messages left unhandled by the last run');
      activeDispatcher.start();
      const followUps = setInterval(() => void activeWorkspace.runDueFollowUps().catch((error: unknown) => logger.warn({ err: error }, 'follow-ups failed')), config.FOLLOW_UP_CHECK_MS);
      followUps.unref();
      const stopTimers = startTimers({
        db, workspace: activeWorkspace, pipeline, logger, handoffTimeoutMs: config.HANDOFF_TIMEOUT_SECONDS * 1000,
        idleMs: config.IDLE_SECONDS * 1000, idleChannels: listOf(config.IDLE_CHANNELS), everyMs: Math.min(10_000, config.FOLLOW_UP_CHECK_MS),
      });
      stopFollowUps = () => {
        clearInterval(followUps);
        stopTimers();
      };
      stopSla = watchSla(db, config.SLA_CHECK_MS, logger, (breach) => feed.broadcast({ type: 'sla_breach', ...breach }, true));
      void activeWorkspace.route();
      for (const adapter of channels.values()) await adapter.start?.();
      return address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
    },
    async close() {
      stopSla?.();
      stopFollowUps?.();
      for (const adapter of channels.values()) await adapter.stop?.();
      if (listening) await app.close();
      await pipeline.idle();
      await activeDispatcher.stop();
      redis?.close();
      await analyser?.close();
      await db.close();
    },
  };
}

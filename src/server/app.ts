/**
 * The HTTP server: fastify with one error hook that turns every failure into the error
 * catalogue's JSON shape, health and metrics, and the routes each channel registers.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { ZodError } from 'zod';
import { errorBody, KefuError, type ErrorCode } from '../errors.js';
import { lazyChild, type Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../storage/db.js';

/** Fastify's own error codes mapped into our catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_VALIDATION: 'validation_failed',
};

export interface AppDeps {
  db: Db;
  metrics: Metrics;
  logger: Logger;
  bodyLimit: number;
  /** What works only partly (e.g. `{ redis: 'down' }`), or null; the node still serves. */
  degraded?: () => Record<string, string> | null;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Fastify's logger type is narrower than pino's; the instance is the same pino logger.
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    // Per-request access logs would double the log volume at thousands of messages/s.
    logController: new LogController({ disableRequestLogging: true }),
    // Each request's child logger is made only if the request logs (logger.ts).
    childLoggerFactory: (logger, bindings, options) => lazyChild(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit,
    trustProxy: true,
    // Long-polls would otherwise hold a shutdown for up to 30 s.
    forceCloseConnections: true,
    // Request ids bind every log line of a request together.
    genReqId: () => Math.random().toString(36).slice(2, 12),
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  // JSON only by default: any other body type is a 415. Channels that take XML or forms
  // (WeChat webhooks) add their own parsers inside their own plugin scope.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error: FastifyError | KefuError | Error, request, reply) => {
    if (error instanceof KefuError) return reply.status(error.status).send(errorBody(error.code, error.message));
    const fastifyError = error as FastifyError;
    const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
    if (mapped) return reply.status(fastifyError.statusCode ?? 400).send(errorBody(mapped, fastifyError.message));
    if (error instanceof ZodError) {
      return reply.status(400).send(errorBody('validation_failed', error.issues[0]?.message ?? 'invalid input'));
    }
    if (error instanceof SyntaxError) return reply.status(400).send(errorBody('invalid_json', 'the body is not valid JSON'));
    if (fastifyError.statusCode && fastifyError.statusCode < 500) {
      return reply.status(fastifyError.statusCode).send(errorBody('bad_request', fastifyError.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorBody('internal', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)));

  app.get('/healthz', async (_request, reply) => {
    if (await deps.db.ping()) {
      const degraded = deps.degraded?.();
      return degraded ? { status: 'degraded', ...degraded } : { status: 'ok' };
    }
    return reply.status(503).send({ status: 'unavailable', error: { code: 'unavailable', message: 'the database is unreachable' } });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.render();
  });
  return app;
}

/**
 * The web chat HTTP API:
 *   POST /api/webchat/sessions                      -> 201 {sessionId, token}
 *   POST /api/webchat/sessions/:id/messages         -> 202 {messageId}   (Bearer token)
 *   GET  /api/webchat/sessions/:id/messages?after&wait -> {messages, cursor} (long-poll)
 *   GET  /api/webchat/sessions/:id/stream           WebSocket (see stream.ts)
 * and the embeddable `/widget.js` with a demo page at `/`.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { fromRoot } from '../../src/paths.js';
import { bearerToken, parseOr400 } from '../../src/server/http.js';
import { threadTopic } from '../../src/pipeline/hub.js';
import type { ChannelDeps } from '../types.js';
import { MAX_WAIT_SECONDS } from './definition.js';
import { webchatInbound } from './inbound.js';
import type { WebchatSessions } from './sessions.js';
import { registerStream } from './stream.js';
import { parseCursor, readTimeline } from './timeline.js';

const SessionBody = z.object({
  name: z.string().trim().min(1).max(64).optional(),
  language: z.enum(['zh-CN', 'zh-TW', 'en']).optional(),
}).strict();

export const messageBody = (maxText: number) => z.object({
  // NUL is dropped before the checks: PostgreSQL cannot store it and it means nothing.
  text: z.string().transform((t) => t.replace(/\u0000/g, '').trim())
    .pipe(z.string().min(1, 'must not be empty').max(maxText, `must be at most ${maxText} characters`)),
  clientMessageId: z.string().min(1).max(128).regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only'),
}).strict();

const Params = z.object({ id: z.string().min(1).max(64) });
const PollQuery = z.object({
  after: z.string().optional(),
  wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS).default(0),
});

const BODY_LIMIT = 64 * 1024;

function corsFor(allowed: string[]) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (!origin) return;
    if (allowed.includes('*') || allowed.includes(origin)) {
      reply.header('access-control-allow-origin', allowed.includes('*') ? '*' : origin);
      reply.header('vary', 'Origin');
      reply.header('access-control-allow-headers', 'authorization, content-type');
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header('access-control-max-age', '600');
    }
  };
}

export function registerWebchatRoutes(app: FastifyInstance, deps: ChannelDeps, sessions: WebchatSessions, allowedOrigins: string[]): void {
  const { db, pipeline, hub, config } = deps;
  const MessageBody = messageBody(config.WEBCHAT_MAX_TEXT);
  const widget = readFileSync(fromRoot('channels', 'webchat', 'public', 'widget.js'), 'utf8');
  const demo = readFileSync(fromRoot('channels', 'webchat', 'public', 'index.html'), 'utf8');

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(demo));
  app.get('/widget.js', async (_request, reply) => reply
    .type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(widget));

  void app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => corsFor(allowedOrigins)(request, reply));
    api.options('/*', async (_request, reply) => reply.status(204).send());

    api.post('/sessions', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const body = parseOr400(SessionBody, request.body ?? {});
      const created = await sessions.create({ displayName: body.name, language: body.language });
      return reply.status(201).send(created);
    });

    api.post('/sessions/:id/messages', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const { id } = parseOr400(Params, request.params);
      const session = await sessions.authenticate(id, bearerToken(request));
      const body = parseOr400(MessageBody, request.body);
      const ingested = await pipeline.ingest(webchatInbound(session.id, body));
      return reply.status(202).send({ messageId: ingested.messageId });
    });

    api.get('/sessions/:id/messages', async (request) => {
      const { id } = parseOr400(Params, request.params);
      const session = await sessions.authenticate(id, bearerToken(request));
      const query = parseOr400(PollQuery, request.query);
      const after = parseCursor(query.after);
      let page = await readTimeline(db, session.id, after);
      if (page.messages.length > 0 || query.wait === 0) return page;
      // Long-poll: subscribe first, then read again, so a message that lands in between
      // is not missed; give up at `wait` seconds or when the client goes away.
      const aborted = new AbortController();
      request.raw.once('close', () => aborted.abort());
      const deadline = Date.now() + query.wait * 1000;
      while (page.messages.length === 0 && Date.now() < deadline && !aborted.signal.aborted) {
        const round = new AbortController();
        const woke = hub.wait(threadTopic('webchat', session.id), deadline - Date.now(), AbortSignal.any([aborted.signal, round.signal]));
        page = await readTimeline(db, session.id, after);
        if (page.messages.length === 0) {
          await woke;
          page = await readTimeline(db, session.id, after);
        }
        round.abort();
      }
      return page;
    });

    registerStream(api, { db, pipeline, hub, sessions, MessageBody });
  }, { prefix: '/api/webchat' });
}

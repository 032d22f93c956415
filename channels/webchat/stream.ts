/**
 * The widget's WebSocket: `GET /api/webchat/sessions/:id/stream`. The token travels in the
 * first frame, not the URL, so it never lands in access logs:
 *   client -> {"type":"auth","token","after"}      server -> {"type":"ready","cursor"}
 *   server -> {"type":"messages","messages":[...],"cursor"}   (everything after the cursor)
 *   client -> {"type":"message","text","clientMessageId"}      server -> {"type":"ack","clientMessageId","messageId"}
 *   server -> {"type":"error","error":{"code","message"},"clientMessageId"?}   (a message refused;
 *             `rate_limited` beyond MAX_IN_FLIGHT messages awaiting their ack on one socket)
 * A reconnecting client sends its last cursor and receives whatever it missed. A message
 * sent on the socket is stored exactly as one POSTed (same checks, same dedupe by
 * clientMessageId), so a client may resend by POST whatever was not acknowledged.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { KefuError } from '../../src/errors.js';
import type { Db } from '../../src/storage/db.js';
import { threadTopic, type MessageHub, type ThreadAppend } from '../../src/pipeline/hub.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import type { messageBody } from './routes.js';
import { webchatInbound } from './inbound.js';
import type { WebchatSession, WebchatSessions } from './sessions.js';
import { PAGE_SIZE } from './definition.js';
import { parseCursor, readTimeline, timelinePage } from './timeline.js';

const Auth = z.object({ type: z.literal('auth'), token: z.string().min(1).max(512), after: z.string().optional() });
const AUTH_TIMEOUT_MS = 10_000;
/** Messages one socket may have in hand (received, not yet acknowledged); more are refused. */
export const MAX_IN_FLIGHT = 64;

interface StreamDeps {
  db: Db;
  pipeline: Pipeline;
  hub: MessageHub;
  sessions: WebchatSessions;
  MessageBody: ReturnType<typeof messageBody>;
}

/** TCP sockets held corked until the current burst of callbacks is over. */
const corked = new WeakSet<Socket>();

/**
 * Frames sent in one go (an answer's `messages` and the `ack` of the message it answers) leave
 * in one write: the TCP socket under the WebSocket (ws's `_socket`) is corked until the tick ends.
 */
const sendJson = (socket: WebSocket, value: unknown) => {
  if (socket.readyState !== socket.OPEN) return;
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  if (tcp && !corked.has(tcp)) {
    corked.add(tcp);
    tcp.cork();
    process.nextTick(() => {
      corked.delete(tcp);
      tcp.uncork();
    });
  }
  socket.send(JSON.stringify(value));
};
const fail = (socket: WebSocket, code: string, message: string, clientMessageId?: string) =>
  sendJson(socket, { type: 'error', error: { code, message }, clientMessageId });

/** The client's id echoed on an error, when it is one a valid message could carry. */
const echoedId = (frame: unknown): string | undefined => {
  const id = typeof frame === 'object' && frame !== null ? (frame as { clientMessageId?: unknown }).clientMessageId : undefined;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
};

export function registerStream(api: FastifyInstance, deps: StreamDeps): void {
  api.get('/sessions/:id/stream', { websocket: true }, (socket, request) => {
    const sessionId = (request.params as { id?: string }).id ?? '';
    let session: WebchatSession | undefined;
    let cursor = 0;
    let unsubscribe: (() => void) | undefined;
    let pushing = Promise.resolve();
    let inFlight = 0;
    const authTimer = setTimeout(() => socket.close(4401, 'auth timeout'), AUTH_TIMEOUT_MS);

    // Reads after the cursor and pushes; chained so pushes never overlap or reorder. A
    // commit's own rows that continue exactly from the cursor are pushed as they are.
    const push = (appended?: ThreadAppend) => {
      pushing = pushing.then(async () => {
        if (!session) return;
        const page = appended && appended.after === cursor && appended.messages.length < PAGE_SIZE
          ? timelinePage(appended.messages, cursor)
          : await readTimeline(deps.db, session.id, cursor);
        if (page.messages.length === 0) return;
        cursor = Number(page.cursor);
        sendJson(socket, { type: 'messages', ...page });
        if (page.messages.length >= PAGE_SIZE) push();
      }).catch((error: unknown) => request.log.warn({ err: error }, 'webchat stream read failed'));
    };

    socket.on('message', (data) => {
      void (async () => {
        let frame: unknown;
        try {
          frame = JSON.parse(String(data));
        } catch {
          return fail(socket, 'invalid_json', 'frames are JSON objects');
        }
        try {
          if (!session) {
            const auth = Auth.safeParse(frame);
            if (!auth.success) return socket.close(4400, 'first frame must be {"type":"auth","token"}');
            session = await deps.sessions.authenticate(sessionId, auth.data.token);
            clearTimeout(authTimer);
            cursor = parseCursor(auth.data.after);
            unsubscribe = deps.hub.subscribe(threadTopic('webchat', session.id), push);
            sendJson(socket, { type: 'ready', cursor: String(cursor) });
            push();
            return;
          }
          if (typeof frame !== 'object' || frame === null || (frame as { type?: unknown }).type !== 'message') return fail(socket, 'bad_request', 'unknown frame type');
          const body = deps.MessageBody.safeParse({ text: (frame as { text?: unknown }).text, clientMessageId: (frame as { clientMessageId?: unknown }).clientMessageId });
          if (!body.success) return fail(socket, 'validation_failed', body.error.issues[0]?.message ?? 'invalid message', echoedId(frame));
          if (inFlight >= MAX_IN_FLIGHT) return fail(socket, 'rate_limited', `at most ${MAX_IN_FLIGHT} messages unacknowledged on one socket`, body.data.clientMessageId);
          inFlight++;
          try {
            const ingested = await deps.pipeline.ingest(webchatInbound(session.id, body.data));
            sendJson(socket, { type: 'ack', clientMessageId: body.data.clientMessageId, messageId: ingested.messageId });
          } finally {
            inFlight--;
          }
        } catch (error) {
          if (error instanceof KefuError && error.code === 'unauthorized') return socket.close(4401, 'invalid session or token');
          if (error instanceof KefuError) return fail(socket, error.code, error.message, echoedId(frame));
          request.log.error({ err: error }, 'webchat stream frame failed');
          fail(socket, 'internal', 'internal error', echoedId(frame));
        }
      })();
    });
    socket.on('close', () => {
      clearTimeout(authTimer);
      unsubscribe?.();
    });
  });
}

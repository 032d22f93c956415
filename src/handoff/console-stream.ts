/**
 * The console's live feed: `GET /api/console/stream` (WebSocket). Authenticated by the
 * session cookie (same origin) or a first frame `{"type":"auth","token"}`. Pushes
 * `{"type":"changed","conversationId","status"}` whenever a conversation changes, and
 * `{"type":"sla_breach",...}` alerts to supervisors, and `{"type":"resync"}` when changes may
 * have been missed (several nodes, Redis down or back); the console re-reads what it shows.
 * With several nodes, changes and alerts reach the consoles on every node through the hub.
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { authenticate } from '../agents/auth.js';
import * as agents from '../agents/store.js';
import type { Agent } from '../agents/store.js';
import type { MessageHub } from '../pipeline/hub.js';
import type { Db } from '../storage/db.js';

interface Broadcast {
  frame: Record<string, unknown>;
  supervisorsOnly: boolean;
}

export class ConsoleFeed {
  private readonly sockets = new Map<WebSocket, Agent>();
  private hub: MessageHub | undefined;

  /** To the consoles on every node (once `register`ed). */
  broadcast(frame: Record<string, unknown>, supervisorsOnly = false): void {
    if (this.hub) this.hub.signal('console', { frame, supervisorsOnly } satisfies Broadcast);
    else this.send(frame, supervisorsOnly);
  }

  private send(frame: Record<string, unknown>, supervisorsOnly = false): void {
    const data = JSON.stringify(frame);
    for (const [socket, agent] of this.sockets) {
      if (supervisorsOnly && agent.role === 'agent') continue;
      if (socket.readyState === socket.OPEN) socket.send(data);
    }
  }

  register(app: FastifyInstance, deps: { db: Db; hub: MessageHub }): void {
    this.hub = deps.hub;
    // Changes arrive from every node already: sent to this node's consoles only.
    deps.hub.subscribeAll((conversation) => this.send({ type: 'changed', conversationId: conversation.id }));
    deps.hub.onResync(() => this.send({ type: 'resync' }));
    deps.hub.onSignal('console', (data) => {
      const { frame, supervisorsOnly } = data as Broadcast;
      if (frame && typeof frame === 'object') this.send(frame, supervisorsOnly === true);
    });
    app.get('/api/console/stream', { websocket: true }, (socket, request) => {
      const attach = (agent: Agent) => {
        this.sockets.set(socket, agent);
        socket.send(JSON.stringify({ type: 'ready', agent: { id: agent.id, username: agent.username, role: agent.role } }));
      };
      void authenticate(deps.db, request).then(attach, () => {
        const timer = setTimeout(() => socket.close(4401, 'auth timeout'), 10_000);
        socket.once('message', (data) => {
          clearTimeout(timer);
          let token = '';
          try {
            token = String((JSON.parse(String(data)) as { token?: unknown }).token ?? '');
          } catch {
            /* handled below */
          }
          void agents.agentForToken(deps.db.kysely, token, Date.now()).then((agent) => (agent ? attach(agent) : socket.close(4401, 'invalid token')));
        });
      });
      socket.on('close', () => this.sockets.delete(socket));
    });
  }
}

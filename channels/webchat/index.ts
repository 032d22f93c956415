/** The web chat channel: sessions, REST + long-poll + WebSocket API, and the embeddable widget. */
import { listOf } from '../../src/config.js';
import type { ChannelAdapter, ChannelFactory } from '../types.js';
import { webchatCapabilities } from './definition.js';
import { registerWebchatRoutes } from './routes.js';
import { WebchatSessions } from './sessions.js';

export const createWebchatChannel: ChannelFactory = (deps): ChannelAdapter => {
  const sessions = new WebchatSessions(deps.db);
  return {
    name: 'webchat',
    capabilities: { ...webchatCapabilities, maxTextLength: deps.config.WEBCHAT_MAX_TEXT },
    // Delivery is local: the dispatcher marks the entry sent and notifies readers.
    send: async () => ({ ok: true }),
    routes: (app) => registerWebchatRoutes(app, deps, sessions, listOf(deps.config.WEBCHAT_ALLOWED_ORIGINS)),
  };
};

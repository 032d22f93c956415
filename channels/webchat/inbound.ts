import type { InboundMessage } from '../../src/contract.js';

/**
 * A widget message in the message contract. The client's id is scoped by session, so a
 * retry is recognised as the same message and one session cannot collide with another.
 */
export function webchatInbound(sessionId: string, body: { text: string; clientMessageId: string }): InboundMessage {
  return {
    kind: 'text', channel: 'webchat', channelMessageId: `${sessionId}:${body.clientMessageId}`, threadKey: sessionId,
    sender: { externalId: sessionId }, receivedAt: Date.now(), raw: null, public: false, text: body.text,
  };
}

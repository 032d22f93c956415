/**
 * A channel with a passive-reply window (WeChat): replies queued for many conversations are
 * checked together when their windows end. Those the webhook took passively are left alone;
 * the rest are sent, each once, and none before its window ended. Real SQLite, the real
 * dispatcher; the channel is an in-process adapter.
 */
import type { ChannelAdapter } from '../../channels/types.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';
import { OutboxDispatcher } from '../../src/pipeline/dispatcher.js';
import { MessageHub } from '../../src/pipeline/hub.js';
import * as store from '../../src/store/index.js';
import { useTempSqlite } from '../support/sqlite.js';

const database = useTempSqlite('window');
const WINDOW_MS = 300;

/** A reply queued for a fresh conversation, due when the passive window ends. */
async function queuedReply(n: number): Promise<{ conversationId: string; outboxId: string; text: string; queuedAt: number }> {
  const now = Date.now();
  const q = database().kysely;
  const { customerId } = await store.resolveIdentity(q, { channel: 'wechat', externalId: `o${n}`, now });
  const conversation = await store.createConversation(q, { customerId, channel: 'wechat', threadKey: `gh:o${n}`, now });
  const text = `reply ${n}`;
  const out = await store.insertOutbound(q, { conversationId: conversation.id, channel: 'wechat', authorKind: 'bot', authorId: null, text, now });
  const outboxId = await store.enqueueOutbox(q, {
    messageId: out.id, conversationId: conversation.id, channel: 'wechat', payload: { messageId: out.id, text }, notBefore: now + WINDOW_MS, now,
  });
  return { conversationId: conversation.id, outboxId, text, queuedAt: now };
}

test('at the window\'s end, only the replies nobody took are sent, once each and not before', async () => {
  const sent: Array<{ text: string; at: number }> = [];
  const adapter: ChannelAdapter = {
    name: 'wechat',
    capabilities: { maxTextLength: 2000, choices: false, passiveReplyWindowMs: WINDOW_MS, localDelivery: false },
    async send(_conversation, part) {
      sent.push({ text: part.text, at: Date.now() });
      return { ok: true };
    },
  };
  const dispatcher = new OutboxDispatcher(database(), new Map([['wechat', adapter]]), new MessageHub(), new Metrics(), createLogger('silent'), { maxAttempts: 3, pollMs: 60_000 });
  try {
    const replies = [];
    for (let n = 0; n < 40; n += 1) replies.push(await queuedReply(n));
    // The webhook answered every other one passively.
    const taken = replies.filter((_, i) => i % 2 === 0);
    for (const r of taken) expect(await store.takeForImmediateDelivery(database().kysely, r.outboxId, Date.now())).toBe(true);
    for (const r of replies) dispatcher.queued(r.conversationId, 'wechat');
    const left = replies.filter((_, i) => i % 2 === 1);
    const end = Date.now() + 5000;
    while (sent.length < left.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    expect(sent.map((s) => s.text).sort()).toEqual(left.map((r) => r.text).sort());
    for (const r of left) expect(sent.find((s) => s.text === r.text)!.at).toBeGreaterThanOrEqual(r.queuedAt + WINDOW_MS);
    const statuses = await database().kysely.selectFrom('outbox').select('status').where('id', 'in', replies.map((r) => r.outboxId)).execute();
    expect(statuses.map((s) => s.status)).toEqual(replies.map(() => 'sent'));
  } finally {
    await dispatcher.stop();
  }
});

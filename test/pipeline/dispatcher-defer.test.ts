/**
 * A channel that defers a send (its own pacing queue is full) gets the entry back untried:
 * the dispatcher comes back later without counting an attempt, so even with a single
 * allowed attempt the message is delivered once, not dead-lettered. A real failure still
 * counts. Real SQLite, the real dispatcher; the channel is an in-process adapter.
 */
import type { ChannelAdapter, SendResult } from '../../channels/types.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';
import { OutboxDispatcher } from '../../src/pipeline/dispatcher.js';
import { MessageHub } from '../../src/pipeline/hub.js';
import * as store from '../../src/store/index.js';
import { useTempSqlite } from '../support/sqlite.js';

const database = useTempSqlite('defer');
let n = 0;

/** An outbox entry for a fresh conversation on the `wechaty` channel. */
async function queued(text: string): Promise<{ conversationId: string; messageId: string }> {
  const now = Date.now();
  const q = database().kysely;
  const { customerId } = await store.resolveIdentity(q, { channel: 'wechaty', externalId: `c${++n}`, now });
  const conversation = await store.createConversation(q, { customerId, channel: 'wechaty', threadKey: `dm:c${n}`, now });
  const out = await store.insertOutbound(q, { conversationId: conversation.id, channel: 'wechaty', authorKind: 'bot', authorId: null, text, now });
  await store.enqueueOutbox(q, { messageId: out.id, conversationId: conversation.id, channel: 'wechaty', payload: { messageId: out.id, text }, notBefore: now, now });
  return { conversationId: conversation.id, messageId: out.id };
}

function dispatcherWith(results: SendResult[]): { dispatcher: OutboxDispatcher; sent: string[] } {
  const sent: string[] = [];
  const adapter: ChannelAdapter = {
    name: 'wechaty',
    capabilities: { maxTextLength: 2000, choices: false, passiveReplyWindowMs: 0, localDelivery: false },
    async send(_conversation, part) {
      const result = results.shift() ?? { ok: true };
      if (result.ok) sent.push(part.text);
      return result;
    },
  };
  const dispatcher = new OutboxDispatcher(database(), new Map([['wechaty', adapter]]), new MessageHub(), new Metrics(), createLogger('silent'), { maxAttempts: 1, pollMs: 60_000 });
  return { dispatcher, sent };
}

const until = async (check: () => Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('a deferred send is tried again later without using up an attempt', async () => {
  const full: SendResult = { ok: false, retryable: true, error: 'pacing queue full', deferredMs: 30 };
  const { dispatcher, sent } = dispatcherWith([full, full, full]);
  const { conversationId, messageId } = await queued('deferred three times');
  dispatcher.kick(conversationId);
  await until(async () => (await store.getOutboxByMessage(database().kysely, messageId))?.status === 'sent');
  await dispatcher.stop();
  expect(sent).toEqual(['deferred three times']);
  const row = await database().kysely.selectFrom('outbox').select(['attempts']).where('message_id', '=', messageId).executeTakeFirstOrThrow();
  expect(row.attempts).toBe(1);
});

test('a real failure still counts: with one attempt allowed it is dead-lettered', async () => {
  const { dispatcher, sent } = dispatcherWith([{ ok: false, retryable: true, error: 'HTTP 503' }]);
  const { conversationId, messageId } = await queued('fails once');
  dispatcher.kick(conversationId);
  await until(async () => (await store.getOutboxByMessage(database().kysely, messageId))?.status === 'dead');
  await dispatcher.stop();
  expect(sent).toEqual([]);
});

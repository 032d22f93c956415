/**
 * Time-driven events the dialogs cannot produce themselves (they have no clock):
 * - `no_agent`: a conversation queued longer than HANDOFF_TIMEOUT_SECONDS while nobody took
 *   it goes back to the bot, which says so honestly and schedules a call-back. Critical ones
 *   keep waiting (their SLA alerts supervisors).
 * - `idle`: a customer silent IDLE_SECONDS after the bot's last message, on live-chat
 *   channels, gets a nudge (open question, then a choice, then goodbye: dialogs/engine.ts).
 * Both enter the pipeline as events with ids derived from what triggered them, so a second
 * check, or a second node, never fires them twice.
 */
import type { InboundMessageInput } from '../contract.js';
import type { Logger } from '../logger.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Db } from '../storage/db.js';
import type { Workspace } from './workspace.js';

async function senderOf(db: Db, customerId: string, channel: string): Promise<string> {
  const identity = await db.kysely.selectFrom('identities').select('external_id')
    .where('customer_id', '=', customerId).where('channel', '=', channel).executeTakeFirst();
  return identity?.external_id ?? customerId;
}

function event(conversation: { channel: string; thread_key: string }, name: string, id: string, sender: string): InboundMessageInput {
  return {
    kind: 'event', event: name, channel: conversation.channel as InboundMessageInput['channel'], channelMessageId: id,
    threadKey: conversation.thread_key, sender: { externalId: sender }, receivedAt: Date.now(), raw: null, public: false,
  };
}

export async function releaseTimedOut(db: Db, workspace: Workspace, pipeline: Pipeline, timeoutMs: number, now: number): Promise<number> {
  const stale = await db.kysely.selectFrom('conversations').select(['id', 'channel', 'thread_key', 'customer_id', 'queued_at'])
    .where('status', '=', 'queued').where('queued_at', '<', now - timeoutMs)
    .where((eb) => eb.or([eb('priority', 'is', null), eb('priority', '!=', 'critical')])).limit(100).execute();
  for (const c of stale) {
    try {
      await workspace.act(c.id, null, { kind: 'release' });
    } catch {
      continue; // taken by someone meanwhile
    }
    await pipeline.ingest(event(c, 'no_agent', `no_agent:${c.id}:${c.queued_at}`, await senderOf(db, c.customer_id, c.channel)));
  }
  return stale.length;
}

export async function nudgeIdle(db: Db, pipeline: Pipeline, idleMs: number, channels: string[], now: number): Promise<number> {
  if (channels.length === 0) return 0;
  // The newest message of each open bot conversation on those channels, if it is the bot's and old enough.
  const rows = await db.kysely.selectFrom('conversations')
    .innerJoin('messages', 'messages.conversation_id', 'conversations.id')
    .select(['conversations.id', 'conversations.channel', 'conversations.thread_key', 'conversations.customer_id', 'messages.id as last_id', 'messages.author_kind', 'messages.created_at'])
    .where('conversations.status', '=', 'bot').where('conversations.channel', 'in', channels)
    .where('conversations.last_message_at', '<', now - idleMs).where('conversations.last_message_at', '>', now - 24 * 3_600_000)
    .where('messages.seq', '=', (eb) => eb.selectFrom('messages as m').select((e) => e.fn.max('m.seq').as('s')).whereRef('m.conversation_id', '=', 'conversations.id'))
    .limit(200).execute();
  let nudged = 0;
  for (const r of rows) {
    if (r.author_kind !== 'bot' || r.created_at > now - idleMs) continue;
    const result = await pipeline.ingest(event(r, 'idle', `idle:${r.last_id}`, await senderOf(db, r.customer_id, r.channel)));
    if (!result.duplicate) nudged++;
  }
  return nudged;
}

export function startTimers(deps: { db: Db; workspace: Workspace; pipeline: Pipeline; logger: Logger; handoffTimeoutMs: number; idleMs: number; idleChannels: string[]; everyMs?: number }): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    void (async () => {
      if (deps.handoffTimeoutMs > 0) await releaseTimedOut(deps.db, deps.workspace, deps.pipeline, deps.handoffTimeoutMs, now);
      if (deps.idleMs > 0) await nudgeIdle(deps.db, deps.pipeline, deps.idleMs, deps.idleChannels, now);
    })().catch((error: unknown) => deps.logger.warn({ err: error }, 'timed events failed'));
  }, deps.everyMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Our conversation status, mirrored into WeCom's session state (service_state/trans), so the
 * WeCom side agrees on who holds the customer:
 *   bot -> 1 (智能助手接待: the API may reply)   queued -> 2 (待接入池: WeCom's queue)
 *   human -> 3 (人工接待: needs the agent's WeCom userid, our assignee id)   closed -> 4 (结束)
 * Status changes are seen on the message hub (the pipeline and the workspace notify it).
 * WeCom only allows certain transitions (and none out of 4 by API): a refused one is logged,
 * never retried, because WeCom's own state then already says enough.
 * The API may send only while the session is unhandled (0) or the bot's (1): before leaving
 * 1 the conversation's queued replies (the hand-over notice) are given time to go out.
 * With WECOM_HANDOFF_TARGET=kefu our own agents answer through the API, so only `closed`
 * is mirrored and the session otherwise stays with the "bot" (the API).
 */
import type { Conversation, ConversationStatus } from '../../src/contract.js';
import * as store from '../../src/store/index.js';
import type { ChannelDeps } from '../types.js';
import type { WecomApiClient } from './client.js';

export const SERVICE_STATE: Record<ConversationStatus, 1 | 2 | 3 | 4> = { bot: 1, queued: 2, human: 3, closed: 4 };

/** The trans request for a conversation, or null when WeCom cannot be told (human without a WeCom userid). */
export function serviceStateFor(conversation: Pick<Conversation, 'status' | 'assigneeId'>): { state: 1 | 2 | 3 | 4; servicerUserId?: string } | null {
  const state = SERVICE_STATE[conversation.status];
  if (state !== 3) return { state };
  return conversation.assigneeId ? { state, servicerUserId: conversation.assigneeId } : null;
}

export class ServiceStateMirror {
  /** Last status told to WeCom per conversation; a new kf session starts as the bot's. */
  private readonly told = new Map<string, ConversationStatus>();
  private unsubscribe: (() => void) | undefined;
  private chain = Promise.resolve();

  constructor(
    private readonly deps: ChannelDeps,
    private readonly client: WecomApiClient,
    private readonly options: { handoffTarget: 'kefu' | 'wecom'; drainWaitMs?: number } = { handoffTarget: 'wecom' },
  ) {}

  start(): void {
    // Changes made on this node only: with several nodes, each change is told to WeCom once.
    this.unsubscribe = this.deps.hub.subscribeAll((topic) => {
      if (topic.channel !== 'wecom') return;
      // Serialised so two quick changes reach WeCom in order.
      this.chain = this.chain.then(() => this.mirror(topic.id)).catch((error: unknown) =>
        this.deps.logger.warn({ err: error, channel: 'wecom', conversationId: topic.id }, 'mirroring the session state failed'));
    }, 'node');
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.chain;
  }

  /** Tell WeCom if the conversation's status changed since it was last told. */
  async mirror(conversationId: string): Promise<void> {
    const conversation = await store.getConversation(this.deps.db.kysely, conversationId);
    if (!conversation || (this.told.get(conversation.id) ?? 'bot') === conversation.status) return;
    if (this.options.handoffTarget === 'kefu' && conversation.status !== 'closed') return;
    await this.drained(conversation.id);
    const request = serviceStateFor(conversation);
    const at = conversation.threadKey.indexOf(':');
    if (!request || at <= 0) return;
    this.told.set(conversation.id, conversation.status);
    const result = await this.client.transServiceState(conversation.threadKey.slice(0, at), conversation.threadKey.slice(at + 1), request.state, request.servicerUserId);
    if (!result.ok) this.deps.logger.warn({ channel: 'wecom', conversationId, state: request.state, error: result.error }, 'WeCom refused the session state change');
    if (conversation.status === 'closed') this.told.delete(conversation.id);
  }

  /** Waits (bounded) until the conversation's outbox is empty: replies first, then the state. */
  private async drained(conversationId: string): Promise<void> {
    const end = Date.now() + (this.options.drainWaitMs ?? 10_000);
    while (Date.now() < end && (await store.headOfConversation(this.deps.db.kysely, conversationId))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

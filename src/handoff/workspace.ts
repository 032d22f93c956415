/**
 * The workspace service: what agents (console, API, Slack later) and the router do to
 * conversations. Each action runs in the conversation's thread order (never interleaved with
 * the bot's handling of a message), in one transaction, then wakes readers and the router.
 */
import type { ChannelCapabilities } from '../../channels/types.js';
import type { Agent } from '../agents/store.js';
import { audit } from '../agents/store.js';
import type { Conversation } from '../contract.js';
import { KefuError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { afterReplies, sendReply, type ActionOutcome } from '../pipeline/actions.js';
import type { MessageHub } from '../pipeline/hub.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Db } from '../storage/db.js';
import * as store from '../store/index.js';
import type { Templates } from '../templates/index.js';
import { runFollowUp, sendSurvey, type Speaker } from './aftercare.js';
import { recordFirstResponse } from './cases.js';
import { pickAgent } from './routing.js';
import type { SlaPolicy } from './sla.js';
import { transition, type Transition } from './takeover.js';

export interface WorkspaceDeps {
  db: Db;
  pipeline: Pipeline;
  hub: MessageHub;
  metrics: Metrics;
  logger: Logger;
  sla: SlaPolicy;
  templates: Templates;
  speaker: Speaker;
  capabilitiesOf(channel: string): ChannelCapabilities;
  onOutbound(conversationId: string, channel: string): void;
}

export class Workspace {
  private routing: Promise<number> | null = null;
  private rerun = false;

  constructor(private readonly deps: WorkspaceDeps) {}

  private async conversation(id: string): Promise<Conversation> {
    const found = await store.getConversation(this.deps.db.kysely, id);
    if (!found) throw new KefuError('not_found', 'no such conversation');
    return found;
  }

  /** A person may act on a conversation someone else holds only as supervisor or admin. */
  private checkHolder(conversation: Conversation, agent: Agent | null): void {
    if (!agent || agent.role !== 'agent') return;
    if (conversation.status === 'human' && conversation.assigneeId !== agent.id) {
      throw new KefuError('conflict', 'another agent holds this conversation');
    }
  }

  async act(conversationId: string, agent: Agent | null, t: Transition): Promise<Conversation> {
    const before = await this.conversation(conversationId);
    if (t.kind !== 'assign') this.checkHolder(before, agent);
    const { after, said } = await this.deps.pipeline.writeInThread(before.channel, before.threadKey, async (q) => {
      const now = Date.now();
      const changed = await transition({ q, sla: this.deps.sla, actor: agent?.id ?? null, now }, conversationId, t);
      // A person served the customer: ask how it went, on the customer's own channel.
      const survey = t.kind === 'close' && before.assigneeId ? await sendSurvey(q, this.deps.speaker, changed, before.assigneeId, now) : null;
      return { after: changed, said: survey };
    });
    if (said) afterReplies(said, before.channel, conversationId, this.deps);
    this.deps.hub.notify(after);
    void this.route();
    return after;
  }

  /** An agent's message, delivered on the conversation's own channel through the outbox. */
  async reply(conversationId: string, agent: Agent, text: string): Promise<{ messageId: string }> {
    const before = await this.conversation(conversationId);
    this.checkHolder(before, agent);
    const outcome = await this.deps.pipeline.writeInThread(before.channel, before.threadKey, async (q) => {
      const conversation = (await store.getConversation(q, conversationId))!;
      if (conversation.status !== 'human' || (conversation.assigneeId !== agent.id && agent.role === 'agent')) {
        throw new KefuError('conflict', conversation.status === 'human' ? 'another agent holds this conversation' : `claim the conversation first (it is ${conversation.status})`);
      }
      const now = Date.now();
      const done: ActionOutcome = { replies: [], status: conversation.status };
      await sendReply({ q, conversation, capabilities: this.deps.capabilitiesOf(conversation.channel), templates: this.deps.templates, locale: 'zh-CN', now },
        done, text, { kind: 'agent', id: agent.id });
      await recordFirstResponse(q, conversationId, now);
      await audit(q, { agentId: agent.id, action: 'conversation_reply', target: conversationId }, now);
      return done;
    });
    afterReplies(outcome, before.channel, conversationId, this.deps);
    this.deps.hub.notify(before);
    return { messageId: outcome.replies[0]?.messageId ?? '' };
  }

  /** Carry out follow-ups that are due (called by a timer). */
  async runDueFollowUps(now = Date.now()): Promise<number> {
    const due = await this.deps.db.kysely.selectFrom('follow_ups').select(['id', 'conversation_id'])
      .where('status', '=', 'scheduled').where('due_at', '<=', now).limit(100).execute();
    for (const { id } of due) {
      const done = await this.deps.db.write((q) => runFollowUp(q, this.deps.speaker, id, now, this.deps.db.dialect));
      if (done.conversationId && done.outcome) {
        const conversation = await this.conversation(done.conversationId);
        afterReplies(done.outcome, conversation.channel, conversation.id, this.deps);
        this.deps.hub.notify(conversation);
      }
    }
    return due.length;
  }

  /**
   * Automatic assignment: queued conversations by priority then waiting time, each to the
   * least-loaded available agent with room (and of its group, when it has one). Runs are
   * serialised; a call during a run schedules one more run after it.
   */
  route(): Promise<number> {
    if (this.routing) {
      this.rerun = true;
      return this.routing;
    }
    this.routing = (async () => {
      let assigned = 0;
      do {
        this.rerun = false;
        for (;;) {
          const pick = await pickAgent(this.deps.db.kysely);
          if (!pick) break;
          try {
            await this.act(pick.conversationId, null, { kind: 'assign', agentId: pick.agentId });
            assigned++;
          } catch (error) {
            // Claimed by hand meanwhile: look again.
            if (!(error instanceof KefuError && error.code === 'conflict')) throw error;
          }
        }
      } while (this.rerun);
      return assigned;
    })().catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'routing failed');
      return 0;
    }).finally(() => {
      this.routing = null;
    });
    return this.routing;
  }
}

/**
 * What every channel adapter provides. Inbound: HTTP routes or a poller that turns platform
 * payloads into `InboundMessage`s and hands them to the pipeline. Outbound: `send`, called
 * by the outbox dispatcher with one part that already fits the channel's capabilities.
 */
import type { FastifyInstance } from 'fastify';
import type { Channel, Conversation } from '../src/contract.js';
import type { Config } from '../src/config.js';
import type { Db } from '../src/storage/db.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics.js';
import type { MessageHub } from '../src/pipeline/hub.js';
import type { Pipeline, Understander } from '../src/pipeline/pipeline.js';

export interface ChannelCapabilities {
  /** Longest text one platform message may carry; longer replies are split. */
  maxTextLength: number;
  /** Whether quick-reply choices can be shown as buttons; otherwise they become numbered text. */
  choices: boolean;
  /**
   * The platform waits for an answer inside its request (WeChat's passive reply): the
   * dispatcher holds replies this long so the webhook can deliver them itself.
   */
  passiveReplyWindowMs: number;
  /** Delivery is local (the customer reads from our database): no retries needed. */
  localDelivery: boolean;
}

export interface OutboundPart {
  messageId: string;
  text: string;
  choices?: string[];
  meta?: Record<string, unknown>;
}

export type SendResult =
  | { ok: true; channelMessageId?: string }
  /**
   * `deferredMs`: the channel did not try (its own rate limit or pacing queue is full); the
   * dispatcher tries again after that many ms without counting an attempt, so a busy channel
   * never dead-letters a message it never sent.
   */
  | { ok: false; retryable: boolean; error: string; deferredMs?: number };

export interface ChannelDeps {
  config: Config;
  /** The gateway's understanding module (grading posts, FAQ answers for mail): loaded once. */
  nlu: Understander;
  /** Send what a channel queued in the outbox now rather than at the next poll. */
  kickOutbox(conversationId: string): void;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  hub: MessageHub;
  pipeline: Pipeline;
}

export interface ChannelAdapter {
  name: Channel;
  capabilities: ChannelCapabilities;
  send(conversation: Conversation, part: OutboundPart): Promise<SendResult>;
  /** Inbound HTTP (webhooks, web chat API). */
  routes?(app: FastifyInstance): void | Promise<void>;
  /** Background work (pollers, IDLE connections). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export type ChannelFactory = (deps: ChannelDeps) => ChannelAdapter | null;

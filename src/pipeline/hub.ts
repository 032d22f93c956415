/**
 * Notifications of new messages: wakes long-polls and pushes to WebSocket subscribers, by
 * conversation and by channel thread (a web chat session outlives a closed conversation).
 * The database stays the source of truth: a notification only says "read again after your
 * cursor", so a missed one costs latency, never a message.
 *
 * One node: an in-process EventEmitter, nothing else. Several nodes (REDIS_URL): a link
 * (src/pipeline/redis-link.ts) carries every notification and signal to the other nodes;
 * this node's listeners hear its own at once and its echo from Redis is dropped, so each
 * listener hears each notification once. When notifications may have been missed (Redis
 * down, reconnected), `wakeAll` wakes every reader to read again.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ThreadMessage } from '../store/messages.js';

export interface Topic {
  id: string;
  channel: string;
  threadKey: string;
}

/**
 * What one commit added to a channel thread, for live readers on this node: its messages
 * (events left out) and the `seq` of the thread's last message before them. A reader whose
 * cursor is exactly `after` has everything up to these and may take them as they are,
 * without a query; any other reader reads after its cursor as usual.
 */
export interface ThreadAppend {
  after: number;
  messages: ThreadMessage[];
}

export const threadTopic = (channel: string, threadKey: string): string => `t:${channel}:${threadKey}`;
export const conversationTopic = (id: string): string => `c:${id}`;

/** Carries the hub's messages to the other nodes. */
export interface HubLink {
  /** Fire and forget: a message that cannot be sent is dropped (notifications are hints). */
  publish(message: string): void;
}

/** Between nodes: the sender (its own echo is dropped), then a notification, a signal or a resync request. */
interface Envelope {
  from: string;
  topic?: Topic;
  signal?: string;
  data?: unknown;
  resync?: true;
}

/** Events: topics `c:`/`t:`, every conversation `*`, this node's own `+`, signals `s:`, `resync`. */
const ALL = '*';
const OWN = '+';
const RESYNC = 'resync';

export class MessageHub {
  private readonly emitter = new EventEmitter();
  private link: HubLink | null = null;
  /** Names this node in messages between nodes. */
  readonly nodeId = randomUUID();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Several nodes: send notifications and signals through `link` too (null: this node only). */
  linkTo(link: HubLink | null): void {
    this.link = link;
  }

  /** A conversation changed (`appended`: what its commit added to its thread, when known). */
  notify(conversation: Topic, appended?: ThreadAppend): void {
    this.emit(conversation, appended);
    this.emitter.emit(OWN, conversation);
    if (this.link !== null) {
      const { id, channel, threadKey } = conversation;
      this.link.publish(JSON.stringify({ from: this.nodeId, topic: { id, channel, threadKey } } satisfies Envelope));
    }
  }

  /** Thread topics' listeners get the commit's `ThreadAppend` when this node made it (see `notify`). */
  subscribe(topic: string, listener: (appended?: ThreadAppend) => void): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  /** Whether anyone on this node listens to `topic` (then a writer may gather a `ThreadAppend`). */
  listened(topic: string): boolean {
    return this.emitter.listenerCount(topic) > 0;
  }

  /**
   * Every conversation: on every node ('cluster', agent consoles), or only those this node
   * changed ('node': side effects that must happen once, such as telling a channel's API).
   */
  subscribeAll(listener: (conversation: Topic) => void, scope: 'cluster' | 'node' = 'cluster'): () => void {
    const event = scope === 'cluster' ? ALL : OWN;
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** A named message for listeners on every node (console frames). */
  signal(name: string, data: unknown): void {
    this.emitter.emit(`s:${name}`, data);
    this.link?.publish(JSON.stringify({ from: this.nodeId, signal: name, data } satisfies Envelope));
  }

  onSignal(name: string, listener: (data: unknown) => void): () => void {
    const event = `s:${name}`;
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Called when notifications may have been missed (topic subscribers are woken anyway). */
  onResync(listener: () => void): () => void {
    this.emitter.on(RESYNC, listener);
    return () => this.emitter.off(RESYNC, listener);
  }

  /** Wake every reader on this node to read again (notifications may have been missed). */
  wakeAll(): void {
    for (const event of this.emitter.eventNames()) {
      if (typeof event === 'string' && (event.startsWith('c:') || event.startsWith('t:'))) this.emitter.emit(event);
    }
    this.emitter.emit(RESYNC);
  }

  /** Ask the other nodes to wake all their readers (this node's notifications were lost). */
  requestResync(): void {
    this.link?.publish(JSON.stringify({ from: this.nodeId, resync: true } satisfies Envelope));
  }

  /** A message from the link (any node's, this one's echo included). */
  receive(message: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return;
    }
    if (typeof envelope !== 'object' || envelope === null || envelope.from === this.nodeId) return;
    const topic = envelope.topic;
    if (topic && typeof topic.id === 'string' && typeof topic.channel === 'string' && typeof topic.threadKey === 'string') this.emit(topic);
    else if (typeof envelope.signal === 'string') this.emitter.emit(`s:${envelope.signal}`, envelope.data);
    else if (envelope.resync === true) this.wakeAll();
  }

  /** Resolves true when notified, false on timeout or abort. */
  wait(topic: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (value: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = () => finish(false);
      const unsubscribe = this.subscribe(topic, () => finish(true));
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener('abort', onAbort);
    });
  }

  private emit(conversation: Topic, appended?: ThreadAppend): void {
    this.emitter.emit(conversationTopic(conversation.id));
    this.emitter.emit(threadTopic(conversation.channel, conversation.threadKey), appended);
    this.emitter.emit(ALL, conversation);
  }
}

/**
 * In-process notifications of new messages: wakes long-polls and pushes to WebSocket
 * subscribers, by conversation and by channel thread (a web chat session outlives a closed
 * conversation). The database stays the source of truth: a notification only says "read
 * again after your cursor", so a missed one costs latency, never a message.
 * (Several nodes: a Redis pub/sub fan-out of the same topics; see README.)
 */
import { EventEmitter } from 'node:events';

export interface Topic {
  id: string;
  channel: string;
  threadKey: string;
}

export const threadTopic = (channel: string, threadKey: string): string => `t:${channel}:${threadKey}`;
export const conversationTopic = (id: string): string => `c:${id}`;

export class MessageHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  notify(conversation: Topic): void {
    this.emitter.emit(conversationTopic(conversation.id));
    this.emitter.emit(threadTopic(conversation.channel, conversation.threadKey));
    this.emitter.emit('*', conversation);
  }

  subscribe(topic: string, listener: () => void): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  /** Every conversation (agent consoles). */
  subscribeAll(listener: (conversation: Topic) => void): () => void {
    this.emitter.on('*', listener);
    return () => this.emitter.off('*', listener);
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
}

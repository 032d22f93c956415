/**
 * Several nodes (REDIS_URL): the hub's notifications and signals travel over one Redis
 * pub/sub channel, so a customer connected to node B is woken when node A commits their
 * reply, and every node's consoles see every change.
 *
 * Two connections (a subscribed connection cannot publish). Both reconnect forever; a Redis
 * outage never stops a node, it only slows the other nodes' news down:
 * - while this node is not subscribed, it wakes all its readers every REDIS_RECHECK_MS
 *   (they read the database again after their cursor), and once more when subscribed again;
 * - a notification this node could not publish is dropped (no queue of stale hints), and
 *   when the publishing connection is back the other nodes are asked to wake all readers.
 * Only loaded when REDIS_URL is set: a single node never pays for any of this.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { HubLink, MessageHub } from './hub.js';

export interface RedisLinkOptions {
  url: string;
  /** The pub/sub channel (deployments sharing a Redis use different ones). */
  channel: string;
  /** How often readers re-read while notifications from other nodes may be missed. */
  recheckMs: number;
  logger: Logger;
}

export class RedisLink implements HubLink {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private subscribed = false;
  private wasSubscribed = false;
  /** A publish was dropped: ask the other nodes to re-read once publishing works again. */
  private dropped = false;
  private recheck: NodeJS.Timeout | undefined;
  private closed = false;
  private warned = false;
  private readonly ready: Promise<void>;
  private onReady: () => void = () => undefined;
  private readonly onPublishFailed = () => {
    this.dropped = true;
  };

  constructor(private readonly hub: MessageHub, private readonly options: RedisLinkOptions) {
    const common = { retryStrategy: (times: number) => Math.min(100 * times, 2000), connectionName: `kefu-${hub.nodeId.slice(0, 8)}` };
    // No offline queue: a hint that cannot go now is worth nothing later.
    this.publisher = new Redis(options.url, { ...common, enableOfflineQueue: false, enableAutoPipelining: true, maxRetriesPerRequest: 1 });
    // Subscribes itself on every (re)connection, then knows it is subscribed.
    this.subscriber = new Redis(options.url, { ...common, autoResubscribe: false, maxRetriesPerRequest: null });
    this.ready = new Promise((resolve) => (this.onReady = resolve));
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: Error) => this.warn(error));
    }
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => this.unsubscribed());
    this.subscriber.on('message', (_channel: string, message: string) => {
      try {
        hub.receive(message);
      } catch (error) {
        options.logger.error({ err: error }, 'a hub listener failed on a message from Redis');
      }
    });
    this.publisher.on('ready', () => {
      if (this.subscribed) this.onReady();
      if (!this.dropped) return;
      this.dropped = false;
      hub.requestResync();
    });
    this.startRecheck();
  }

  /** Resolves when both connections work, or after `timeoutMs` (the node then starts degraded). */
  async connected(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ok = await Promise.race([this.ready.then(() => true as const), timeout]);
    clearTimeout(timer);
    return ok;
  }

  publish(message: string): void {
    if (this.publisher.status !== 'ready') {
      this.dropped = true;
      return;
    }
    this.publisher.publish(this.options.channel, message).catch(this.onPublishFailed);
  }

  /** 'up' when this node both hears and reaches the others. */
  status(): 'up' | 'down' {
    return this.subscribed && this.publisherReady() ? 'up' : 'down';
  }

  close(): void {
    this.closed = true;
    clearInterval(this.recheck);
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private publisherReady(): boolean {
    return this.publisher.status === 'ready';
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.options.channel);
    } catch (error) {
      this.warn(error as Error); // the connection dropped again; the next 'ready' tries again
      return;
    }
    this.subscribed = true;
    this.warned = false;
    clearInterval(this.recheck);
    this.recheck = undefined;
    if (this.wasSubscribed) {
      this.options.logger.info({ channel: this.options.channel }, 'redis: subscribed again; readers read again');
      this.hub.wakeAll();
    }
    this.wasSubscribed = true;
    if (this.publisherReady()) this.onReady();
  }

  private unsubscribed(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    if (this.closed) return;
    this.options.logger.warn({ recheckMs: this.options.recheckMs }, 'redis: connection lost; readers re-read periodically until it is back');
    this.startRecheck();
  }

  private startRecheck(): void {
    if (this.recheck) return;
    this.recheck = setInterval(() => this.hub.wakeAll(), this.options.recheckMs);
    this.recheck.unref();
  }

  /** Once per outage: ioredis reports every failed reconnection. */
  private warn(error: Error): void {
    if (this.warned || this.closed) return;
    this.warned = true;
    this.options.logger.warn({ err: error }, 'redis: unavailable (notifications between nodes are delayed)');
  }
}

/** Link `hub` to the other nodes through Redis; waits up to `timeoutMs` for the first connection. */
export async function linkThroughRedis(hub: MessageHub, options: RedisLinkOptions, timeoutMs = 5000): Promise<RedisLink> {
  const link = new RedisLink(hub, options);
  hub.linkTo(link);
  if (!(await link.connected(timeoutMs))) options.logger.warn({ timeoutMs }, 'redis: not reachable at start; running degraded until it is');
  else options.logger.info({ channel: options.channel }, 'redis: linked to the other nodes');
  return link;
}

/** Prometheus metrics: one registry per gateway (tests start several in one process). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly messagesIn = new Counter({ name: 'kefu_messages_in_total', help: 'Inbound messages stored, per channel', labelNames: ['channel'], registers: [this.registry] });
  readonly duplicatesIn = new Counter({ name: 'kefu_messages_duplicate_total', help: 'Redelivered inbound messages ignored, per channel', labelNames: ['channel'], registers: [this.registry] });
  readonly messagesOut = new Counter({ name: 'kefu_messages_out_total', help: 'Outbound messages delivered, per channel', labelNames: ['channel'], registers: [this.registry] });
  readonly understoodBy = new Counter({ name: 'kefu_nlu_understood_total', help: 'Texts understood by the NLU worker thread or in the message\'s turn on the main thread', labelNames: ['where'], registers: [this.registry] });
  readonly sendFailures = new Counter({ name: 'kefu_send_failures_total', help: 'Failed outbound attempts, per channel', labelNames: ['channel'], registers: [this.registry] });
  readonly pipelineLatency = new Histogram({
    name: 'kefu_pipeline_latency_seconds', help: 'From receipt of a message to its reply being queued',
    labelNames: ['channel'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry],
  });
  readonly outboxDepth = new Gauge({ name: 'kefu_outbox_depth', help: 'Outbox entries not yet sent, per status', labelNames: ['status'], registers: [this.registry] });

  readonly queueDepth = new Gauge({ name: 'kefu_queue_depth', help: 'Conversations waiting for a person', registers: [this.registry] });
  readonly queueWait = new Gauge({ name: 'kefu_queue_oldest_wait_seconds', help: 'How long the longest-waiting queued conversation has waited', registers: [this.registry] });

  /** Called on each scrape for gauges that are read from the database. */
  onScrape: Array<() => Promise<void>> = [];

  async render(): Promise<string> {
    await Promise.all(this.onScrape.map((f) => f()));
    return this.registry.metrics();
  }
}

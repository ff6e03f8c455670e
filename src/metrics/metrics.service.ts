import { Injectable } from '@nestjs/common';
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  MetricObjectWithValues,
  MetricValue,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/** A source for a gauge read at scrape time, e.g. the number of pending deliveries. */
export type GaugeSource = () => Promise<number>;

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/**
 * What the delivery thread counts, and so what the server's /metrics adds from it: its delivery counters
 * and histogram, and the depth of its queue in memory. (Process metrics are the main thread's; the
 * pending count comes from the database, which both threads would read alike.)
 */
export const DELIVERY_METRICS: ReadonlySet<string> = new Set([
  'homa_webhook_attempts_total',
  'homa_webhook_deliveries_total',
  'homa_webhook_attempt_duration_seconds',
  'homa_webhook_retries_scheduled_total',
  'homa_webhooks_disabled_total',
  'homa_webhook_queue_depth',
]);

/**
 * Homa's Prometheus metrics, in a registry of its own per app (so several apps in one process, as in
 * the tests, never share counters). Counters count what this process did; gauges are read on scrape.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly attempts = new Counter({
    name: 'homa_webhook_attempts_total',
    help: 'HTTP attempts of webhook deliveries, by event and outcome (success, or the error code)',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'homa_webhook_deliveries_total',
    help: 'Deliveries that reached a final outcome (succeeded or failed), by event',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly attemptDuration = new Histogram({
    name: 'homa_webhook_attempt_duration_seconds',
    help: 'Duration of webhook HTTP attempts',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly retriesScheduled = new Counter({
    name: 'homa_webhook_retries_scheduled_total',
    help: 'Failed attempts after which a retry was scheduled',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly webhooksDisabled = new Counter({
    name: 'homa_webhooks_disabled_total',
    help: 'Webhooks disabled by the delivery engine, by reason (gone: 410; failing: every delivery failed for the window)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly sources: (() => Promise<MetricsSnapshot>)[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'homa_' });
  }

  /** Metrics counted elsewhere in this process (the delivery thread), added to this registry's on scrape. */
  addSource(source: () => Promise<MetricsSnapshot>): void {
    this.sources.push(source);
  }

  /** The Prometheus text of this registry, with every source's values summed in. */
  async scrape(): Promise<string> {
    if (this.sources.length === 0) return this.registry.metrics();
    const snapshots = await Promise.all([
      this.registry.getMetricsAsJSON(),
      ...this.sources.map((source) => source()),
    ]);
    return AggregatorRegistry.aggregate(snapshots).metrics();
  }

  /** This registry's delivery metrics, for the thread that hosts this one (see DELIVERY_METRICS). */
  async deliverySnapshot(): Promise<MetricsSnapshot> {
    const all = await this.registry.getMetricsAsJSON();
    return all.filter((metric) => DELIVERY_METRICS.has(metric.name));
  }

  /** Registers a gauge whose value is read from `source` at each scrape. */
  gauge(name: string, help: string, source: GaugeSource): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await source());
      },
    });
  }
}

import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DeliveryReleases } from '../../outcomes/delivery-releases';
import { EventOutbox } from '../../outbox/event-outbox';
import { WebhookCache } from '../../../webhooks/webhook-cache';
import { MetricsService } from '../../../metrics/metrics.service';
import { DeliveryThread } from './delivery-thread';

/**
 * In the server's main thread: starts the delivery thread before the server listens, tells it what
 * happened here (commits, released deliveries, changed webhooks), adds its metrics to /metrics, and
 * stops it (its outcomes written) when the server stops.
 */
@Injectable()
export class DeliveryThreadHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private thread: DeliveryThread | null = null;

  constructor(
    private readonly outbox: EventOutbox,
    private readonly releases: DeliveryReleases,
    private readonly webhooks: WebhookCache,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const thread = await DeliveryThread.start();
    this.thread = thread;
    this.outbox.onCommitted(() => thread.fanOut());
    this.releases.onReleased(() => thread.poll());
    this.webhooks.onInvalidate((id) => thread.invalidate(id));
    this.metrics.addSource(() => thread.metrics());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.thread?.stop();
    this.thread = null;
  }
}

import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { Env } from '../../../config/env.validation';
import { WebhookInvalidatedEvent } from '../../../webhooks/events/webhook-settings.events';
import { DeliveriesReleasedEvent, EventsCommittedEvent } from '../../events/pipeline.events';
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
    private readonly metrics: MetricsService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const thread = await DeliveryThread.start();
    this.thread = thread;
    this.metrics.addSource(() => thread.metrics());
  }

  @OnEvent(EventsCommittedEvent.NAME)
  onEventsCommitted(): void {
    this.thread?.fanOut();
  }

  @OnEvent(DeliveriesReleasedEvent.NAME)
  onReleased(): void {
    this.thread?.poll();
  }

  @OnEvent(WebhookInvalidatedEvent.NAME)
  onInvalidated(event: WebhookInvalidatedEvent): void {
    this.thread?.invalidate(event.webhookId);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // The thread gives its attempts SHUTDOWN_GRACE_SECONDS (see AttemptsInFlight), then writes them.
    await this.thread?.stop(this.config.get('SHUTDOWN_GRACE_SECONDS', { infer: true }) * 1000);
    this.thread = null;
  }
}

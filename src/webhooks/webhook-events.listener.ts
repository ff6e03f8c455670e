import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DeliveriesService } from '../deliveries/deliveries.service';
import { DomainEvent } from '../events/domain-event';
import { DOMAIN_EVENT_NAMES } from '../events/event-catalog';
import { WebhooksService } from './webhooks.service';

/**
 * Turns every domain event in the catalog into one delivery per subscribed webhook. It only records and
 * queues; nothing here waits on HTTP, and the request that caused the event never waits on this.
 */
@Injectable()
export class WebhookEventsListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WebhookEventsListener.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly webhooks: WebhooksService,
    private readonly deliveries: DeliveriesService,
  ) {}

  onModuleInit(): void {
    for (const name of DOMAIN_EVENT_NAMES) {
      this.emitter.on(name, (event: DomainEvent) => this.track(this.handle(event)));
    }
  }

  /** Deliveries still being recorded are written before the database closes (a CLI command, a SIGTERM). */
  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  async handle(event: DomainEvent): Promise<void> {
    try {
      const webhookIds = await this.webhooks.subscribedIds(event.name);
      await this.deliveries.createForEvent(
        { name: event.name, id: event.id, occurredAt: event.occurredAt, data: event.data },
        webhookIds,
      );
    } catch (error) {
      // event-emitter would swallow this: say what was lost and why.
      this.logger.error(
        `Could not record deliveries of ${event.name} ${event.id}: ${(error as Error).message}`,
      );
    }
  }
}

import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { EntityManager } from 'typeorm';
import { EventOutbox } from './event-outbox';
import { DomainEvent } from '../../events/domain-event';
import { DOMAIN_EVENT_NAMES } from '../../events/event-catalog';

/**
 * Records every domain event in the catalog in the outbox, with the transaction of the change that
 * published it: the event commits with the change or not at all. It does nothing else: fan-out and
 * sending happen after commit, in the background. A failure here fails the publisher's transaction.
 */
@Injectable()
export class DomainEventsListener implements OnModuleInit {
  constructor(
    private readonly emitter: EventEmitter2,
    private readonly outbox: EventOutbox,
  ) {}

  onModuleInit(): void {
    for (const name of DOMAIN_EVENT_NAMES) {
      // EventPublisher uses emitAsync, which awaits this promise: a failure fails the caller's transaction.
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      this.emitter.on(name, (event: DomainEvent, manager: EntityManager): Promise<void> =>
        this.record(event, manager),
      );
    }
  }

  async record(event: DomainEvent, manager: EntityManager): Promise<void> {
    await this.outbox.record(manager, {
      name: event.name,
      id: event.id,
      occurredAt: event.occurredAt,
      data: event.data,
    });
  }
}

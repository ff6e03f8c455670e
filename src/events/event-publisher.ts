import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { EntityManager } from 'typeorm';
import { DomainEvent } from './domain-event';

/**
 * Emits domain events inside the transaction that makes the change: listeners get that transaction's
 * manager and write with it (the webhook outbox), so the change and its events commit together or not
 * at all. A listener that fails makes the publisher, and so the transaction, fail.
 */
@Injectable()
export class EventPublisher {
  constructor(private readonly emitter: EventEmitter2) {}

  async publish(manager: EntityManager, events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      if (this.emitter.listenerCount(event.name) === 0)
        throw new Error(`No listener records ${event.name}: it would be lost`);
      await this.emitter.emitAsync(event.name, event, manager);
    }
  }
}

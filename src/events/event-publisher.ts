import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DomainEvent } from './domain-event';

/** Emits domain events in order. Callers publish only after their transaction has committed. */
@Injectable()
export class EventPublisher {
  constructor(private readonly emitter: EventEmitter2) {}

  publish(events: readonly DomainEvent[]): void {
    for (const event of events) this.emitter.emit(event.name, event);
  }
}

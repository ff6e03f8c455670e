import { randomUUID } from 'node:crypto';
import { EventName } from './event-catalog';

/** A fact that happened in Homa, emitted after its transaction committed. `data` is the webhook payload. */
export abstract class DomainEvent<TData extends object = object> {
  abstract readonly name: EventName;
  /** Unique per occurrence; deliveries of one event share it. */
  readonly id: string;
  readonly occurredAt: Date;

  constructor(
    readonly data: TData,
    occurredAt = new Date(),
  ) {
    this.id = randomUUID();
    this.occurredAt = occurredAt;
  }
}

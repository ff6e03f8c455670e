import { v7 as uuidv7 } from 'uuid';
import { EventName } from './event-catalog';

/**
 * A fact that happened in Homa, published inside the transaction that made it. `data` is the webhook
 * payload.
 */
export abstract class DomainEvent<TData extends object = object> {
  abstract readonly name: EventName;
  /** Unique per occurrence and time-ordered (UUIDv7); deliveries of one event share it. */
  readonly id: string;
  readonly occurredAt: Date;

  constructor(
    readonly data: TData,
    occurredAt = new Date(),
  ) {
    this.id = uuidv7();
    this.occurredAt = occurredAt;
  }

  /** The record the event is about, `ticket:<id>`, `client:<id>` or `user:<id>`; events of one key keep their order. */
  get orderingKey(): string | null {
    return orderingKeyOf(this.data);
  }
}

/** Ticket and message events are keyed by their ticket, client events by the client, user events by the user. */
export function orderingKeyOf(data: object): string | null {
  const fields = data as Record<string, unknown>;
  for (const [field, kind] of [
    ['ticket_id', 'ticket'],
    ['client_id', 'client'],
    ['user_id', 'user'],
    ['webhook_id', 'webhook'],
  ] as const) {
    const value = fields[field];
    if (typeof value === 'string' || typeof value === 'number') return `${kind}:${value}`;
  }
  return null;
}

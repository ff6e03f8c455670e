import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { orderingKeyOf } from '../events/domain-event';
import { WebhookEvent } from './entities/webhook-event.entity';
import { serialiseEnvelope } from './envelope';

export interface EventToRecord {
  name: string;
  /** Time-ordered (UUIDv7). */
  id: string;
  occurredAt: Date;
  data: object;
}

/**
 * The transactional outbox: each event is written once, with the exact body its deliveries will send,
 * by the transaction that made the change. Commit → the change and its event; rollback → neither.
 * Once the transaction commits, this process's fan-out is told there is work.
 */
@Injectable()
export class EventOutbox {
  private readonly committedListeners: (() => void)[] = [];

  constructor(private readonly tx: TransactionService) {}

  /** Writes the event with the caller's transaction manager. */
  async record(m: EntityManager, event: EventToRecord): Promise<string> {
    const body = serialiseEnvelope(event.name, event.occurredAt, event.data);
    await insertEvent(m, event, body, false);
    this.tx.afterCommit(m, () => this.committed());
    return body;
  }

  /** An event sent to one webhook only (a test send): written as already fanned out. */
  async recordFannedOut(m: EntityManager, event: EventToRecord): Promise<string> {
    const body = serialiseEnvelope(event.name, event.occurredAt, event.data);
    await insertEvent(m, event, body, true);
    return body;
  }

  /** Called after each commit that recorded events. */
  onCommitted(listener: () => void): void {
    this.committedListeners.push(listener);
  }

  private committed(): void {
    for (const listener of this.committedListeners) listener();
  }
}

async function insertEvent(
  m: EntityManager,
  event: EventToRecord,
  body: string,
  fannedOut: boolean,
): Promise<void> {
  await m
    .createQueryBuilder()
    .insert()
    .into(WebhookEvent)
    .values({
      id: event.id,
      name: event.name,
      body,
      ordering_key: orderingKeyOf(event.data),
      fanned_out: fannedOut,
      created_at: event.occurredAt,
    })
    .updateEntity(false)
    .execute();
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { insertMany } from '../database/sql';
import { TransactionService } from '../database/transaction.service';
import { orderingKeyOf } from '../events/domain-event';
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
  await insertMany(m, 'webhook_events', EVENT_COLUMNS, [
    [event.id, event.name, body, orderingKeyOf(event.data), fannedOut, event.occurredAt],
  ]);
}

const EVENT_COLUMNS = ['id', 'name', 'body', 'ordering_key', 'fanned_out', 'created_at'] as const;

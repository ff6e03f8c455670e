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
 * Each keyed event also takes its number within its key (`key_seq`), in commit order, for ordered
 * webhooks. Once the transaction commits, this process's fan-out is told there is work.
 */
@Injectable()
export class EventOutbox {
  private readonly committedListeners: (() => void)[] = [];

  constructor(private readonly tx: TransactionService) {}

  /** Writes the event with the caller's transaction manager. */
  async record(m: EntityManager, event: EventToRecord): Promise<string> {
    const body = serialiseEnvelope(event.name, event.occurredAt, event.data);
    const key = orderingKeyOf(event.data);
    const keySeq = key === null ? null : await nextKeySeq(m, key, this.tx.isSqlite);
    await insertEvent(m, event, body, key, keySeq, false);
    this.tx.afterCommit(m, () => this.committed());
    return body;
  }

  /** An event sent to one webhook only (a test send): written as already fanned out. */
  async recordFannedOut(m: EntityManager, event: EventToRecord): Promise<string> {
    const body = serialiseEnvelope(event.name, event.occurredAt, event.data);
    await insertEvent(m, event, body, orderingKeyOf(event.data), null, true);
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

/**
 * The event's number within its ordering key, in commit order: the counter row's lock is held by the
 * recording transaction until it commits, so a second transaction on the same key waits and numbers
 * after it. (SQLite runs one transaction at a time.) Never a clock.
 */
async function nextKeySeq(m: EntityManager, key: string, sqlite: boolean): Promise<number> {
  if (sqlite) {
    const rows: { last_seq: number }[] = await m.query(
      `INSERT INTO event_sequences (ordering_key, last_seq) VALUES (?, 1)
       ON CONFLICT(ordering_key) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
      [key],
    );
    return Number(rows[0].last_seq);
  }
  // LAST_INSERT_ID(expr) hands the new value back in the statement's own result (MySQL's counter
  // idiom), so the number costs one round trip instead of an upsert and a SELECT … FOR UPDATE.
  const result: { insertId: number | string } = await m.query(
    `INSERT INTO event_sequences (ordering_key, last_seq) VALUES (?, LAST_INSERT_ID(1))
     ON DUPLICATE KEY UPDATE last_seq = LAST_INSERT_ID(last_seq + 1)`,
    [key],
  );
  return Number(result.insertId);
}

async function insertEvent(
  m: EntityManager,
  event: EventToRecord,
  body: string,
  key: string | null,
  keySeq: number | null,
  fannedOut: boolean,
): Promise<void> {
  await insertMany(m, 'webhook_events', EVENT_COLUMNS, [
    [event.id, event.name, body, key, keySeq, fannedOut, event.occurredAt],
  ]);
}

const EVENT_COLUMNS = [
  'id',
  'name',
  'body',
  'ordering_key',
  'key_seq',
  'fanned_out',
  'created_at',
] as const;

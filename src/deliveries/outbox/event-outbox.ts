import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { EntityManager } from 'typeorm';
import { insertMany } from '../../database/sql';
import { TransactionService } from '../../database/transaction.service';
import { orderingKeyOf } from '../../events/domain-event';
import { EventsCommittedEvent } from '../events/pipeline.events';
import { serialiseEnvelope } from './envelope';
import { traceRecording } from '../../telemetry/tracing';

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
 * webhooks. Once the transaction commits, it announces `EventsCommittedEvent`: fan-out has work.
 */
@Injectable()
export class EventOutbox {
  constructor(
    private readonly tx: TransactionService,
    private readonly emitter: EventEmitter2,
  ) {}

  /**
   * Writes the event with the caller's transaction manager: with the unit's other events, just before
   * it commits (one statement for them all, and one per ordering key for their numbers, instead of
   * two per event).
   */
  async record(m: EntityManager, event: EventToRecord): Promise<string> {
    const body = serialiseEnvelope(event.name, event.occurredAt, event.data);
    const row: PendingEvent = {
      event,
      body,
      key: orderingKeyOf(event.data),
      traceparent: traced(event),
    };
    const batch = this.tx.batch<PendingEvent>(m, this, (rows) => this.write(m, rows));
    if (batch === null) {
      await this.write(m, [row]);
      this.tx.afterCommit(m, () => this.committed());
    } else {
      if (batch.length === 0) this.tx.afterCommit(m, () => this.committed());
      batch.push(row);
    }
    return body;
  }

  /** An event sent to one webhook only (a test send): written as already fanned out, at once. */
  async recordFannedOut(
    m: EntityManager,
    event: EventToRecord,
  ): Promise<{ body: string; traceparent: string }> {
    const body = serialiseEnvelope(event.name, event.occurredAt, event.data);
    const traceparent = traced(event);
    const row = { event, body, key: orderingKeyOf(event.data), keySeq: null, traceparent };
    await insertEvents(m, [row], true);
    return { body, traceparent };
  }

  private committed(): void {
    this.emitter.emit(EventsCommittedEvent.NAME, new EventsCommittedEvent());
  }

  /**
   * Numbers the keyed events within their keys, in the order they were recorded, and inserts them all.
   * A key opened by this transaction (see opensKey) gets its counter in one INSERT with the others
   * opened; each other key takes its numbers in a statement of its own.
   */
  private async write(m: EntityManager, rows: PendingEvent[]): Promise<void> {
    const perKey = new Map<string, number>();
    const opened = new Set<string>();
    for (const { event, key } of rows) {
      if (key === null) continue;
      if (!perKey.has(key) && opensKey(event.name, key)) opened.add(key);
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    const next = new Map<string, number>();
    await insertMany(
      m,
      'event_sequences',
      ['ordering_key', 'last_seq'],
      [...opened].map((key) => [key, perKey.get(key)]),
    );
    for (const [key, count] of perKey) {
      if (opened.has(key)) next.set(key, 1);
      else next.set(key, (await takeKeySeqs(m, key, count, this.tx.isSqlite)) - count + 1);
    }
    const numbered = rows.map((row) => {
      if (row.key === null) return { ...row, keySeq: null };
      const keySeq = next.get(row.key)!;
      next.set(row.key, keySeq + 1);
      return { ...row, keySeq };
    });
    await insertEvents(m, numbered, false);
  }
}

/**
 * `ticket.created` is the first event of its ticket's key (`ticket:<id>`), `client.created` of its
 * client's, `user.created` of its user's: each is recorded by the transaction that creates the record,
 * whose id is new (a UUID, or an auto-increment value, never reused), so no counter exists for the key
 * yet. Its counter is inserted, without the upsert that finds out; were one there after all, the
 * INSERT fails and the transaction with it.
 */
function opensKey(eventName: string, key: string): boolean {
  const kind = key.slice(0, key.indexOf(':'));
  return eventName === `${kind}.created`;
}

interface PendingEvent {
  event: EventToRecord;
  body: string;
  key: string | null;
  /** The trace the event is recorded in (see telemetry/tracing.ts). */
  traceparent: string;
}

function traced(event: EventToRecord): string {
  return traceRecording(`record ${event.name}`, () => ({
    'homa.event': event.name,
    'homa.event_id': event.id,
  }));
}

/**
 * Takes the next `count` numbers within an ordering key, in commit order, and answers the last: the
 * counter row's lock is held by the recording transaction until it commits, so a second transaction on
 * the same key waits and numbers after it. (SQLite runs one transaction at a time.) Never a clock.
 */
async function takeKeySeqs(
  m: EntityManager,
  key: string,
  count: number,
  sqlite: boolean,
): Promise<number> {
  if (sqlite) {
    const rows: { last_seq: number }[] = await m.query(
      `INSERT INTO event_sequences (ordering_key, last_seq) VALUES (?, ?)
       ON CONFLICT(ordering_key) DO UPDATE SET last_seq = last_seq + excluded.last_seq RETURNING last_seq`,
      [key, count],
    );
    return Number(rows[0].last_seq);
  }
  // LAST_INSERT_ID(expr) hands the new value back in the statement's own result (MySQL's counter
  // idiom), so the numbers cost one round trip instead of an upsert and a SELECT … FOR UPDATE.
  const result: { insertId: number | string } = await m.query(
    `INSERT INTO event_sequences (ordering_key, last_seq) VALUES (?, LAST_INSERT_ID(?))
     ON DUPLICATE KEY UPDATE last_seq = LAST_INSERT_ID(last_seq + ?)`,
    [key, count, count],
  );
  return Number(result.insertId);
}

async function insertEvents(
  m: EntityManager,
  rows: (PendingEvent & { keySeq: number | null })[],
  fannedOut: boolean,
): Promise<void> {
  await insertMany(
    m,
    'webhook_events',
    EVENT_COLUMNS,
    rows.map(({ event, body, key, keySeq, traceparent }) => [
      event.id,
      event.name,
      body,
      key,
      keySeq,
      fannedOut,
      event.occurredAt,
      traceparent,
    ]),
  );
}

const EVENT_COLUMNS = [
  'id',
  'name',
  'body',
  'ordering_key',
  'key_seq',
  'fanned_out',
  'created_at',
  'traceparent',
] as const;

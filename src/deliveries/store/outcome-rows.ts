import { EntityManager } from 'typeorm';
import { insertMany, placeholders, sqlValue } from '../../database/sql';
import type { AttemptOutcome } from '../attempt/webhook-sender';
import type { AttemptTrigger } from '../entities/webhook-delivery-attempt.entity';
import type { DeliveryStatus } from '../entities/webhook-delivery.entity';

/**
 * The SQL that records attempt outcomes: each delivery's row updated (its lease released) and one
 * `webhook_delivery_attempts` row per attempt, for a batch of outcomes at once (outcomes/outcome-recorder.ts).
 */

/** What the rows of one attempt's outcome are written from. */
export interface OutcomeRow {
  deliveryId: string;
  attempt: number;
  trigger: AttemptTrigger;
  outcome: AttemptOutcome;
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  at: Date;
  /** A templated delivery's body, rendered by this attempt: kept so that retries send the same bytes. */
  renderedBody?: string;
}

/** Rows per UPDATE … CASE statement (MySQL/MariaDB). */
const UPDATE_CHUNK = 100;

/** What an outcome writes to its delivery row (besides releasing its lease and `updated_at`). */
const DELIVERY_COLUMNS: [column: string, value: (o: OutcomeRow) => unknown][] = [
  // An interrupted attempt is recorded but not counted: the delivery keeps its retries.
  ['attempts', (o) => (interrupted(o) ? o.attempt - 1 : o.attempt)],
  ['status', (o) => o.status],
  ['success', (o) => o.status === 'succeeded'],
  ['status_code', (o) => o.outcome.status_code],
  ['response', (o) => o.outcome.response],
  ['error', (o) => o.outcome.error],
  ['duration_ms', (o) => o.outcome.duration_ms],
  ['next_attempt_at', (o) => o.nextAttemptAt],
  ['delivered_at', (o) => o.deliveredAt],
];

/** One delivery's row: prepared once on SQLite (TypeORM caches statements by their text). */
const UPDATE_ONE = `UPDATE webhook_deliveries SET ${DELIVERY_COLUMNS.map(([c]) => `${c} = ?`).join(', ')}, locked_until = NULL, updated_at = ? WHERE id = ?`;

/**
 * On SQLite, in process, one prepared single-row UPDATE per delivery: its planner compares the arms
 * of a CASE pairwise, so preparing a 100-row CASE took 12 % of the delivery thread's time. On
 * MySQL/MariaDB, where each statement is a round trip, one UPDATE per UPDATE_CHUNK deliveries, each
 * getting its own values through one `CASE id WHEN … END` per column, except that a column with one
 * value for the whole chunk (a batch of successes shares most: attempts, status, status code,
 * response, no error) is set to it once. MariaDB parses each literal of a statement and looks a
 * row's id up in each CASE arm by arm, so nine CASEs of 100 arms made the parser mariadbd's
 * busiest function (8 % of its samples).
 */
export async function updateDeliveries(
  m: EntityManager,
  outcomes: OutcomeRow[],
  sqlite: boolean,
): Promise<void> {
  const updatedAt = sqlValue(new Date());
  if (sqlite) {
    for (const o of outcomes)
      await m.query(UPDATE_ONE, [
        ...DELIVERY_COLUMNS.map(([, value]) => sqlValue(value(o))),
        updatedAt,
        o.deliveryId,
      ]);
    return storeRenderedBodies(m, outcomes);
  }
  for (let i = 0; i < outcomes.length; i += UPDATE_CHUNK) {
    const chunk = outcomes.slice(i, i + UPDATE_CHUNK);
    const params: unknown[] = [];
    const sets = DELIVERY_COLUMNS.map(([name, value]) => {
      const values = chunk.map((o) => sqlValue(value(o)));
      if (values.every((v) => v === values[0])) {
        params.push(values[0]);
        return `${name} = ?`;
      }
      const whens = chunk.map((o, j) => {
        params.push(o.deliveryId, values[j]);
        return 'WHEN ? THEN ?';
      });
      return `${name} = CASE id ${whens.join(' ')} END`;
    });
    params.push(updatedAt, ...chunk.map((o) => o.deliveryId));
    await m.query(
      `UPDATE webhook_deliveries SET ${sets.join(', ')}, locked_until = NULL, updated_at = ? WHERE id IN (${placeholders(chunk.length)})`,
      params,
    );
  }
  await storeRenderedBodies(m, outcomes);
}

/** Templated deliveries rendered for the first time: their body, once (untemplated ones write none). */
async function storeRenderedBodies(m: EntityManager, outcomes: OutcomeRow[]): Promise<void> {
  for (const o of outcomes)
    if (o.renderedBody !== undefined)
      await m.query('UPDATE webhook_deliveries SET body = ? WHERE id = ? AND body IS NULL', [
        o.renderedBody,
        o.deliveryId,
      ]);
}

const ATTEMPT_COLUMNS = [
  'delivery_id',
  'attempt',
  '`trigger`',
  'status_code',
  'response',
  'error_code',
  'error',
  'duration_ms',
  'created_at',
] as const;

/** The process stopped before the receiver answered (see leases/attempts-in-flight.ts). */
export function interrupted(o: Pick<OutcomeRow, 'outcome'>): boolean {
  return o.outcome.error_code === 'interrupted';
}

/** One multi-row INSERT of the attempts. */
export async function insertAttempts(m: EntityManager, outcomes: OutcomeRow[]): Promise<void> {
  await insertMany(
    m,
    'webhook_delivery_attempts',
    ATTEMPT_COLUMNS,
    outcomes.map((o) => [
      o.deliveryId,
      o.attempt,
      o.trigger,
      o.outcome.status_code,
      o.outcome.response,
      o.outcome.error_code,
      o.outcome.error,
      o.outcome.duration_ms,
      o.at,
    ]),
  );
}

import { EntityManager } from 'typeorm';
import { placeholders, sqlValue } from '../../database/sql';
import type { DeliveryStatus } from '../entities/webhook-delivery.entity';

/**
 * The SQL of leases on `webhook_deliveries` (`locked_until`): taking due rows nobody holds, and
 * extending leases a process holds. What a lease means is the claimer's (leases/delivery-claimer.ts).
 */

/**
 * Leases up to `limit` due pending deliveries nobody holds, oldest first, skipping `skipWebhooks`;
 * answers their ids. `ids` narrows it to those deliveries, and `held` also takes the ones whose lease
 * still ends at `held` (this process's own, about to end). On MySQL/MariaDB the rows are read
 * `FOR UPDATE SKIP LOCKED`, so pollers in several processes take disjoint sets (SQLite runs one
 * transaction at a time).
 */
export async function leaseDueRows(
  m: EntityManager,
  options: {
    now: Date;
    until: Date;
    limit: number;
    skipWebhooks: number[];
    sqlite: boolean;
    ids?: string[];
    held?: Date | null;
  },
): Promise<string[]> {
  const { now, until, limit, skipWebhooks, sqlite, ids = [], held = null } = options;
  const skip =
    skipWebhooks.length > 0 ? ` AND webhook_id NOT IN (${placeholders(skipWebhooks.length)})` : '';
  const only = ids.length > 0 ? ` AND id IN (${placeholders(ids.length)})` : '';
  const mine = held ? ' OR locked_until = ?' : '';
  const due: { id: string }[] = await m.query(
    `SELECT id FROM webhook_deliveries
     WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?${mine})${skip}${only}
     ORDER BY next_attempt_at LIMIT ${Math.floor(limit)}${sqlite ? '' : ' FOR UPDATE SKIP LOCKED'}`,
    [sqlValue(now), sqlValue(now), ...(held ? [sqlValue(held)] : []), ...skipWebhooks, ...ids],
  );
  if (due.length === 0) return [];
  const leased = due.map((r) => r.id);
  await m.query(
    `UPDATE webhook_deliveries SET locked_until = ? WHERE id IN (${placeholders(leased.length)})`,
    [sqlValue(until), ...leased],
  );
  return leased;
}

/**
 * Moves the lease of `ids` from `heldUntil` to `until` where it still ends at `heldUntil` (a lease
 * that ended and was taken by another process is not touched); answers the ids renewed.
 */
export async function renewLeaseRows(
  m: EntityManager,
  ids: string[],
  heldUntil: Date,
  until: Date,
): Promise<Set<string>> {
  await m.query(
    `UPDATE webhook_deliveries SET locked_until = ? WHERE locked_until = ? AND id IN (${placeholders(ids.length)})`,
    [sqlValue(until), sqlValue(heldUntil), ...ids],
  );
  const renewed: { id: string }[] = await m.query(
    `SELECT id FROM webhook_deliveries WHERE locked_until = ? AND id IN (${placeholders(ids.length)})`,
    [sqlValue(until), ...ids],
  );
  return new Set(renewed.map((r) => r.id));
}

/**
 * Ends the lease of `ids` where it still ends at `heldUntil` (this process's), so that any process may
 * claim them from the database; a lease that ended and was taken meanwhile is not touched.
 */
export async function releaseLeaseRows(
  m: EntityManager,
  ids: string[],
  heldUntil: Date,
): Promise<void> {
  await m.query(
    `UPDATE webhook_deliveries SET locked_until = NULL WHERE locked_until = ? AND id IN (${placeholders(ids.length)})`,
    [sqlValue(heldUntil), ...ids],
  );
}

/** The columns a job is built from. */
export interface DeliveryJobRow {
  id: string;
  webhook_id: number | string;
  event: string;
  event_id: string;
  body: string;
  /** A templated delivery's body, once its first attempt rendered it. */
  rendered_body?: string | null;
  ordering_key: string | null;
  sequence: number | string | null;
  /** The event's (see webhook_events.traceparent). */
  traceparent?: string | null;
  attempts: number | string;
  status: DeliveryStatus;
  next_attempt_at: Date | string | null;
  delivered_at: Date | string | null;
}

/** Deliveries with their event's body, as jobs are made of. */
export function selectJobRows(m: EntityManager, ids: string[]): Promise<DeliveryJobRow[]> {
  return m.query(
    `SELECT d.id, d.webhook_id, d.event, d.event_id, e.body, e.traceparent, d.body AS rendered_body, d.ordering_key, d.sequence, d.attempts, d.status, d.next_attempt_at, d.delivered_at
     FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
     WHERE d.id IN (${placeholders(ids.length)})`,
    ids,
  );
}

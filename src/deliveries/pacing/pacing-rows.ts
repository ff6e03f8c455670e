import { EntityManager } from 'typeorm';
import { placeholders, sqlValue } from '../../database/sql';
import type { Circuit, EndpointState } from './endpoint-breaker';

/**
 * The SQL of pacing: deliveries made to wait in the database (their next attempt time pushed out,
 * their lease released, their attempts untouched), and the rows of `webhook_endpoint_states`.
 */

/** A delivery that may not go yet, and until when it waits. */
export interface Deferral {
  id: string;
  until: Date;
  /** The lease this process holds on it, if any. */
  heldUntil: number | null;
}

/**
 * Pushes each delivery's next attempt out to its time and releases the lease, where this process holds
 * it or nobody does; only later, never earlier (a retry scheduled further out, or a delivery a pause
 * already moved, keeps its time, and its lease is released all the same).
 */
export async function deferRows(m: EntityManager, deferrals: Deferral[], now: Date): Promise<void> {
  for (const d of deferrals) {
    await m.query(
      `UPDATE webhook_deliveries
       SET next_attempt_at = CASE WHEN next_attempt_at < ? THEN ? ELSE next_attempt_at END,
           locked_until = NULL
       WHERE id = ? AND status = 'pending'
         AND (locked_until IS NULL OR locked_until < ? OR locked_until = ?)`,
      [
        sqlValue(d.until),
        sqlValue(d.until),
        d.id,
        sqlValue(now),
        sqlValue(d.heldUntil === null ? null : new Date(d.heldUntil)),
      ],
    );
  }
}

/** Every pending delivery of the webhook nobody holds waits until `until` (a pause, an open circuit). */
export async function holdPendingUntil(
  m: EntityManager,
  webhookId: number,
  until: Date,
  now: Date,
): Promise<void> {
  await m.query(
    `UPDATE webhook_deliveries SET next_attempt_at = ?
     WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at < ?
       AND (locked_until IS NULL OR locked_until < ?)`,
    [sqlValue(until), webhookId, sqlValue(until), sqlValue(now)],
  );
}

/** A closed circuit's backlog (what waited for it, up to `upTo`) is due now. */
export async function bringForward(
  m: EntityManager,
  webhookId: number,
  upTo: Date,
  now: Date,
): Promise<void> {
  await m.query(
    `UPDATE webhook_deliveries SET next_attempt_at = ?
     WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at > ? AND next_attempt_at <= ?
       AND (locked_until IS NULL OR locked_until < ?)`,
    [sqlValue(now), webhookId, sqlValue(now), sqlValue(upTo), sqlValue(now)],
  );
}

interface StateRow {
  webhook_id: number | string;
  circuit: Circuit;
  consecutive_failures: number | string;
  slow_level: number | string;
  paused_until: Date | string | null;
  pause_reason: string | null;
  opened_at: Date | string | null;
  next_probe_at: Date | string | null;
}

const COLUMNS =
  'webhook_id, circuit, consecutive_failures, slow_level, paused_until, pause_reason, opened_at, next_probe_at';

/** Every endpoint with a state (healthy ones have no row), or those of `webhookIds`. */
export async function selectStates(
  m: EntityManager,
  webhookIds?: number[],
): Promise<EndpointState[]> {
  if (webhookIds?.length === 0) return [];
  const only = webhookIds ? ` WHERE webhook_id IN (${placeholders(webhookIds.length)})` : '';
  const rows: StateRow[] = await m.query(
    `SELECT ${COLUMNS} FROM webhook_endpoint_states${only}`,
    webhookIds ?? [],
  );
  return rows.map(stateFromRow);
}

/** The state of one endpoint, locked for the transaction (a row made first if it had none). */
export async function lockState(
  m: EntityManager,
  webhookId: number,
  sqlite: boolean,
): Promise<EndpointState | null> {
  await m.query(
    `INSERT ${sqlite ? 'OR IGNORE' : 'IGNORE'} INTO webhook_endpoint_states (webhook_id, updated_at) VALUES (?, ?)`,
    [webhookId, sqlValue(new Date())],
  );
  const rows: StateRow[] = await m.query(
    `SELECT ${COLUMNS} FROM webhook_endpoint_states WHERE webhook_id = ?${sqlite ? '' : ' FOR UPDATE'}`,
    [webhookId],
  );
  return rows[0] ? stateFromRow(rows[0]) : null;
}

export async function writeState(m: EntityManager, s: EndpointState): Promise<void> {
  await m.query(
    `UPDATE webhook_endpoint_states SET circuit = ?, consecutive_failures = ?, slow_level = ?,
       paused_until = ?, pause_reason = ?, opened_at = ?, next_probe_at = ?, updated_at = ?
     WHERE webhook_id = ?`,
    [
      s.circuit,
      s.consecutiveFailures,
      s.slowLevel,
      sqlValue(toDate(s.pausedUntil)),
      s.pauseReason?.slice(0, 255) ?? null,
      sqlValue(toDate(s.openedAt)),
      sqlValue(toDate(s.nextProbeAt)),
      sqlValue(new Date()),
      s.webhookId,
    ],
  );
}

export async function deleteState(m: EntityManager, webhookId: number): Promise<void> {
  await m.query('DELETE FROM webhook_endpoint_states WHERE webhook_id = ?', [webhookId]);
}

/**
 * Takes an open circuit's probe, once for all processes: the row moves to half-open with its next
 * probe an interval away, where the probe was due. Answers whether this caller got it.
 */
export async function takeProbeRow(
  m: EntityManager,
  webhookId: number,
  now: Date,
  nextProbeAt: Date,
): Promise<boolean> {
  // A structured result: the rows changed, whichever the driver (a plain query answers SQLite's rowid).
  const runner = m.queryRunner;
  if (!runner) throw new Error('takeProbeRow runs in a transaction');
  const result = await runner.query(
    `UPDATE webhook_endpoint_states SET circuit = 'half_open', next_probe_at = ?, updated_at = ?
     WHERE webhook_id = ? AND circuit <> 'closed' AND (next_probe_at IS NULL OR next_probe_at <= ?)`,
    [sqlValue(nextProbeAt), sqlValue(now), webhookId, sqlValue(now)],
    true,
  );
  return result.affected === 1;
}

function stateFromRow(r: StateRow): EndpointState {
  return {
    webhookId: Number(r.webhook_id),
    circuit: r.circuit,
    consecutiveFailures: Number(r.consecutive_failures),
    slowLevel: Number(r.slow_level),
    pausedUntil: epoch(r.paused_until),
    pauseReason: r.pause_reason,
    openedAt: epoch(r.opened_at),
    nextProbeAt: epoch(r.next_probe_at),
  };
}

function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function epoch(value: Date | string | null): number | null {
  if (value === null) return null;
  if (value instanceof Date) return value.getTime();
  // SQLite hands back raw strings in UTC without a zone.
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

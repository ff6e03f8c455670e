import { EntityManager } from 'typeorm';
import { forceIndex, placeholders, sqlValue } from '../../database/sql';

/** One (webhook, key) stream of an ordered webhook. */
export interface Stream {
  webhookId: number;
  orderingKey: string;
}

const CHUNK = 200;

/**
 * After deliveries of ordered webhooks finished (succeeded, or failed for good), the head of each of
 * their streams — its lowest pending sequence — becomes due if it was waiting. The head, not simply
 * sequence + 1: a later delivery may have finished first (a manual redelivery), and then the next
 * one still pending is the one whose turn it is. Runs in the transaction that records the outcomes.
 */
export async function releaseAfter(
  m: EntityManager,
  streams: Stream[],
  now: Date,
): Promise<string[]> {
  const unique = [...new Map(streams.map((s) => [`${s.webhookId}/${s.orderingKey}`, s])).values()];
  const heads: string[] = [];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const rows: PendingRow[] = await m.query(
      `SELECT id, webhook_id, ordering_key, sequence, next_attempt_at
       FROM webhook_deliveries${forceIndex(m, ORDERED_INDEX)}
       WHERE status = 'pending' AND sequence IS NOT NULL AND (${streamFilter(chunk.length)})`,
      chunk.flatMap((s) => [s.webhookId, s.orderingKey]),
    );
    heads.push(...waitingHeads(rows));
  }
  return makeDue(m, heads, now);
}

/** Re-enabling an ordered webhook: the head of each of its streams becomes due again. */
export async function releaseHeads(
  m: EntityManager,
  webhookId: number,
  now: Date,
): Promise<string[]> {
  const rows: PendingRow[] = await m.query(
    `SELECT id, webhook_id, ordering_key, sequence, next_attempt_at FROM webhook_deliveries
     WHERE webhook_id = ? AND status = 'pending' AND sequence IS NOT NULL`,
    [webhookId],
  );
  return makeDue(m, waitingHeads(rows), now);
}

/** A webhook that stops being ordered: every delivery waiting for its turn becomes due. */
export async function releaseAll(m: EntityManager, webhookId: number, now: Date): Promise<void> {
  await m.query(
    `UPDATE webhook_deliveries SET next_attempt_at = ?
     WHERE webhook_id = ? AND status = 'pending' AND sequence IS NOT NULL AND next_attempt_at IS NULL`,
    [sqlValue(now), webhookId],
  );
}

/**
 * A disabled webhook's pending deliveries stop. Those of an ordered stream keep their place: they stay
 * `pending` but not due (parked) until the webhook is enabled again; the others are marked failed.
 */
export async function stopPendingWith(
  m: EntityManager,
  webhookId: number,
  reason: string,
): Promise<void> {
  const now = sqlValue(new Date());
  // Only while the webhook is disabled in the database: a copy of it cached as disabled may be stale.
  const disabled = 'EXISTS (SELECT 1 FROM webhooks w WHERE w.id = ? AND w.enabled = 0)';
  await m.query(
    `UPDATE webhook_deliveries SET next_attempt_at = NULL, locked_until = NULL, error = ?, updated_at = ?
     WHERE webhook_id = ? AND status = 'pending' AND sequence IS NOT NULL AND ${disabled}`,
    [`Held until the webhook is enabled again: ${reason}`, now, webhookId, webhookId],
  );
  await m.query(
    `UPDATE webhook_deliveries
     SET status = 'failed', next_attempt_at = NULL, locked_until = NULL, error = ?, updated_at = ?
     WHERE webhook_id = ? AND status = 'pending' AND sequence IS NULL AND ${disabled}`,
    [`Not sent: ${reason}`, now, webhookId, webhookId],
  );
}

interface PendingRow {
  id: string;
  webhook_id: number | string;
  ordering_key: string;
  sequence: number | string;
  next_attempt_at: Date | string | null;
}

/** The lowest pending sequence of each stream, where it is waiting (not due). */
function waitingHeads(rows: PendingRow[]): string[] {
  const heads = new Map<string, PendingRow>();
  for (const row of rows) {
    const stream = `${Number(row.webhook_id)}/${row.ordering_key}`;
    const head = heads.get(stream);
    if (!head || Number(row.sequence) < Number(head.sequence)) heads.set(stream, row);
  }
  return [...heads.values()].filter((r) => r.next_attempt_at === null).map((r) => r.id);
}

async function makeDue(m: EntityManager, ids: string[], now: Date): Promise<string[]> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    // By primary key: through the due index, this update locked every waiting row it passed, and
    // deadlocked with fan-out's locking read of the same streams (seen under BullMQ).
    await m.query(
      `UPDATE webhook_deliveries${forceIndex(m, 'PRIMARY')} SET next_attempt_at = ?
       WHERE next_attempt_at IS NULL AND status = 'pending' AND id IN (${placeholders(chunk.length)})`,
      [sqlValue(now), ...chunk],
    );
  }
  return ids;
}

/** `webhook/key` of the streams with a delivery still pending (locked on MySQL until commit). */
export async function pendingStreams(
  m: EntityManager,
  streams: { webhookId: number; key: string }[],
  sqlite: boolean,
): Promise<Set<string>> {
  const busy = new Set<string>();
  for (let i = 0; i < streams.length; i += CHUNK) {
    const chunk = streams.slice(i, i + CHUNK);
    // Through the streams' index: the optimizer otherwise scanned (and locked) the webhook's or every
    // pending row, which deadlocked with outcome transactions releasing other streams' heads.
    const rows: { webhook_id: number | string; ordering_key: string }[] = await m.query(
      `SELECT webhook_id, ordering_key FROM webhook_deliveries${forceIndex(m, ORDERED_INDEX)}
       WHERE status = 'pending' AND (${streamFilter(chunk.length)})${sqlite ? '' : ' FOR UPDATE'}`,
      chunk.flatMap((s) => [s.webhookId, s.key]),
    );
    for (const r of rows) busy.add(`${Number(r.webhook_id)}/${r.ordering_key}`);
  }
  return busy;
}

/** `(webhook_id, ordering_key, sequence)`: the deliveries of each (webhook, key) stream. */
export const ORDERED_INDEX = 'idx_webhook_deliveries_ordered';

/** `(webhook_id = ? AND ordering_key = ?) OR …` */
export function streamFilter(count: number): string {
  return Array.from({ length: count }, () => '(webhook_id = ? AND ordering_key = ?)').join(' OR ');
}

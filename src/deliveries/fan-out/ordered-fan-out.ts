import { EntityManager } from 'typeorm';
import { placeholders } from '../../database/sql';
import { pendingStreams, streamFilter } from '../store/ordered-rows';

/** An unfanned event as fan-out reads it. */
export interface OutboxEvent {
  id: string;
  name: string;
  body: string;
  ordering_key: string | null;
  key_seq: number | null;
  /** The event's W3C trace context, when it has one. */
  traceparent?: string | null;
}

/** What fan-out needs to know about the ordered webhooks of one batch. */
export interface OrderedPlan {
  /** Events to fan out now; the others wait for an earlier event of their key (left unfanned). */
  events: OutboxEvent[];
  /** `eventId/webhookId` → the delivery's sequence within (webhook, key). */
  sequences: Map<string, number>;
  /** `eventId/webhookId` of the deliveries that must wait for their predecessor (not due yet). */
  waiting: Set<string>;
}

export const pairKey = (eventId: string, webhookId: number): string => `${eventId}/${webhookId}`;

/**
 * Plans a fan-out batch for ordered webhooks, in the batch's transaction:
 * 1. A key's events are fanned out in `key_seq` (commit) order and never ahead of an earlier event of
 *    the key that is still unfanned (another process's pass holds it, or the batch ended before it):
 *    those wait for a later pass, so racing passes cannot number one key out of order.
 * 2. Each ordered webhook's deliveries of a key are numbered from its counter row in
 *    `delivery_sequences`, one more per delivery.
 * 3. A key's first new delivery is due now unless an earlier delivery of (webhook, key) is still
 *    pending; every other one waits (`next_attempt_at` NULL) until its predecessor is released.
 *    On MySQL the pending check is a locking read, so an outcome being recorded for that predecessor
 *    either commits first (and is seen) or waits for this batch (and then releases what it wrote).
 */
export async function planOrdered(
  m: EntityManager,
  events: OutboxEvent[],
  orderedSubscribers: (event: OutboxEvent) => number[],
  sqlite: boolean,
): Promise<OrderedPlan> {
  const plan: OrderedPlan = { events, sequences: new Map(), waiting: new Set() };
  const isOrdered = (e: OutboxEvent) =>
    e.ordering_key !== null && e.key_seq !== null && orderedSubscribers(e).length > 0;
  const keys = [...new Set(events.filter(isOrdered).map((e) => e.ordering_key!))];
  if (keys.length === 0) return plan;

  const deferred = await deferOutOfTurn(m, events, keys);
  plan.events = events.filter((e) => !deferred.has(e.id));

  // (webhook, key) → its taken events, in key_seq order.
  const streams = new Map<string, { webhookId: number; key: string; events: OutboxEvent[] }>();
  for (const event of [...plan.events].sort((a, b) => (a.key_seq ?? 0) - (b.key_seq ?? 0))) {
    if (!isOrdered(event)) continue;
    for (const webhookId of orderedSubscribers(event)) {
      const id = `${webhookId}/${event.ordering_key}`;
      const stream = streams.get(id) ?? { webhookId, key: event.ordering_key!, events: [] };
      stream.events.push(event);
      streams.set(id, stream);
    }
  }
  const list = [...streams.values()].sort((a, b) =>
    a.webhookId !== b.webhookId ? a.webhookId - b.webhookId : a.key < b.key ? -1 : 1,
  );
  const last = await advanceCounters(m, list, sqlite);
  const busy = await pendingStreams(
    m,
    list.filter((s, i) => last[i] > s.events.length),
    sqlite,
  );
  list.forEach((stream, i) => {
    const first = last[i] - stream.events.length + 1;
    stream.events.forEach((event, n) => {
      const pair = pairKey(event.id, stream.webhookId);
      plan.sequences.set(pair, first + n);
      if (n > 0 || busy.has(`${stream.webhookId}/${stream.key}`)) plan.waiting.add(pair);
    });
  });
  return plan;
}

/** Ids of batch events that must wait: behind an unfanned event of their key that is not in the batch. */
async function deferOutOfTurn(
  m: EntityManager,
  events: OutboxEvent[],
  keys: string[],
): Promise<Set<string>> {
  const firsts: { ordering_key: string; first: number | string | null }[] = await m.query(
    `SELECT ordering_key, MIN(key_seq) AS first FROM webhook_events
     WHERE fanned_out = 0 AND ordering_key IN (${placeholders(keys.length)})
     GROUP BY ordering_key`,
    keys,
  );
  const deferred = new Set<string>();
  for (const { ordering_key: key, first } of firsts) {
    if (first === null) continue;
    const ofKey = events
      .filter((e) => e.ordering_key === key && e.key_seq !== null)
      .sort((a, b) => a.key_seq! - b.key_seq!);
    // Taken while contiguous from the key's first unfanned event; from the first gap on, all wait.
    let expected = Number(first);
    for (const event of ofKey) {
      if (event.key_seq === expected) expected += 1;
      else deferred.add(event.id);
    }
  }
  return deferred;
}

const CHUNK = 200;

/** Adds each stream's new deliveries to its counter; answers each counter's new value. */
async function advanceCounters(
  m: EntityManager,
  streams: { webhookId: number; key: string; events: OutboxEvent[] }[],
  sqlite: boolean,
): Promise<number[]> {
  const last: number[] = [];
  for (let i = 0; i < streams.length; i += CHUNK) {
    const chunk = streams.slice(i, i + CHUNK);
    const values = chunk.flatMap((s) => [s.webhookId, s.key, s.events.length]);
    const tuples = chunk.map(() => '(?, ?, ?)').join(', ');
    await m.query(
      sqlite
        ? `INSERT INTO delivery_sequences (webhook_id, ordering_key, last_seq) VALUES ${tuples}
           ON CONFLICT(webhook_id, ordering_key) DO UPDATE SET last_seq = last_seq + excluded.last_seq`
        : `INSERT INTO delivery_sequences (webhook_id, ordering_key, last_seq) VALUES ${tuples}
           ON DUPLICATE KEY UPDATE last_seq = last_seq + VALUES(last_seq)`,
      values,
    );
    const rows: { webhook_id: number | string; ordering_key: string; last_seq: number | string }[] =
      await m.query(
        `SELECT webhook_id, ordering_key, last_seq FROM delivery_sequences WHERE ${streamFilter(chunk.length)}`,
        chunk.flatMap((s) => [s.webhookId, s.key]),
      );
    const byStream = new Map(rows.map((r) => [`${Number(r.webhook_id)}/${r.ordering_key}`, r]));
    for (const s of chunk) last.push(Number(byStream.get(`${s.webhookId}/${s.key}`)!.last_seq));
  }
  return last;
}

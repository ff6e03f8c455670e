import type { DeliveryJobRow } from '../store/lease-rows';
import type { DeliveryStatus } from '../entities/webhook-delivery.entity';

/**
 * Everything one attempt of a delivery needs, carried in memory (or in a BullMQ job) so that sending
 * reads no row. Times are epoch milliseconds, so a job survives JSON.
 */
export interface DeliveryJob {
  id: string;
  webhookId: number;
  event: string;
  eventId: string;
  /** The exact body bytes (UTF-8 JSON) of the event. */
  body: string;
  /**
   * A templated webhook's body as rendered by an earlier attempt (stored with its outcome): what every
   * later attempt sends. Absent or null until the first attempt renders it, and for untemplated webhooks.
   */
  renderedBody?: string | null;
  /** Ordered webhooks only: the event's key and this delivery's `X-Webhook-Sequence` within it. */
  orderingKey: string | null;
  sequence: number | null;
  /** The event's W3C `traceparent` (null before trace context): each attempt sends a child of it. */
  traceparent?: string | null;
  /** Attempts already made. */
  attempts: number;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  /**
   * Until when this process holds the delivery (its lease, set when the row was written or claimed).
   * Null, or too close to now for an attempt to finish, means it must be claimed again before sending.
   */
  leaseUntil: number | null;
}

export function jobFromRow(row: DeliveryJobRow, leaseUntil: number | null): DeliveryJob {
  return {
    id: row.id,
    webhookId: Number(row.webhook_id),
    event: row.event,
    eventId: row.event_id,
    body: row.body,
    renderedBody: row.rendered_body ?? null,
    orderingKey: row.ordering_key,
    sequence: row.sequence === null ? null : Number(row.sequence),
    traceparent: row.traceparent ?? null,
    attempts: Number(row.attempts),
    status: row.status,
    nextAttemptAt: epoch(row.next_attempt_at),
    deliveredAt: epoch(row.delivered_at),
    leaseUntil,
  };
}

function epoch(value: Date | string | null): number | null {
  if (value === null) return null;
  if (value instanceof Date) return value.getTime();
  // SQLite hands back raw strings in UTC without a zone.
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

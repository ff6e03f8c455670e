import { EntityManager } from 'typeorm';
import { insertMany } from '../../database/sql';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';

/** A delivery row as fan-out and test sends write it. */
export type NewDelivery = Pick<
  WebhookDelivery,
  | 'id'
  | 'webhook_id'
  | 'event'
  | 'event_id'
  | 'status'
  | 'next_attempt_at'
  | 'locked_until'
  | 'ordering_key'
  | 'sequence'
>;

const DELIVERY_COLUMNS = [
  'id',
  'webhook_id',
  'event',
  'event_id',
  'ordering_key',
  'sequence',
  'status',
  'next_attempt_at',
  'locked_until',
  'created_at',
  'updated_at',
] as const;

/** One multi-row INSERT of new deliveries. */
export async function insertDeliveries(m: EntityManager, rows: NewDelivery[]): Promise<void> {
  const now = new Date();
  await insertMany(
    m,
    'webhook_deliveries',
    DELIVERY_COLUMNS,
    rows.map((r) => [
      r.id,
      r.webhook_id,
      r.event,
      r.event_id,
      r.ordering_key,
      r.sequence,
      r.status,
      r.next_attempt_at,
      r.locked_until,
      now,
      now,
    ]),
  );
}

import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { nullableNumber } from '../../database/transformers';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event for one webhook: its status and the outcome of its last attempt. The body is the event's. */
@Entity('webhook_deliveries')
export class WebhookDelivery {
  /** Also sent as `X-Webhook-Delivery` and `webhook-id`; stable across retries. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'int' })
  webhook_id: number;

  @Column({ type: 'varchar', length: 64 })
  event: string;

  /** The outbox row (`webhook_events`) holding the exact body this delivery sends. */
  @Column({ type: 'varchar', length: 36 })
  event_id: string;

  /** For an ordered webhook: the event's ordering key (`ticket:<id>`…); null otherwise. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  ordering_key: string | null;

  /** For an ordered webhook: its number within (webhook, ordering key), sent as `X-Webhook-Sequence`. */
  @Column({ type: 'bigint', nullable: true, transformer: nullableNumber })
  sequence: number | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'boolean', default: false })
  success: boolean;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'int', nullable: true })
  status_code: number | null;

  @Column({ type: 'text', nullable: true })
  response: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int', nullable: true })
  duration_ms: number | null;

  /**
   * A templated webhook's rendered body, written with the first attempt's outcome, so every retry
   * sends (and signs) the same bytes; null for untemplated deliveries, which send their event's body.
   */
  @Column({ type: 'text', nullable: true, select: false })
  body: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  next_attempt_at: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  delivered_at: Date | null;

  /** While an attempt is in flight, until when it holds the delivery; no other worker may attempt it before. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  locked_until: Date | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  created_at: Date;

  @UpdateDateColumn({ type: 'datetime', precision: 3 })
  updated_at: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { nullableNumber } from '../../database/transformers';

/**
 * The outbox: one row per domain event, written in the transaction of the change that caused it, with
 * the exact body every delivery of it sends. Fan-out turns it into deliveries once, after commit.
 */
@Entity('webhook_events')
export class WebhookEvent {
  /** Time-ordered (UUIDv7): rows append in creation order. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  /** The exact body bytes sent (UTF-8 JSON), serialised once; retries resend these bytes. */
  @Column({ type: 'text' })
  body: string;

  /** `ticket:<id>`, `client:<id>`, `user:<id>`: the record the event is about. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  ordering_key: string | null;

  /** The event's place within its ordering key, in commit order (from `event_sequences`). */
  @Column({ type: 'bigint', nullable: true, transformer: nullableNumber })
  key_seq: number | null;

  /** Its deliveries exist (or no webhook was subscribed when it was fanned out). */
  @Column({ type: 'boolean', default: false })
  fanned_out: boolean;

  /**
   * The W3C `traceparent` the event was recorded in (the request's or CLI run's trace): every delivery
   * of it sends a `traceparent` in that trace. Null for events recorded before trace context.
   */
  @Column({ type: 'varchar', length: 55, nullable: true })
  traceparent: string | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  created_at: Date;
}

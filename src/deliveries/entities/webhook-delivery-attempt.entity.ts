import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ATTEMPT_ERROR_CODES = [
  'timeout',
  'connection',
  'dns',
  'tls',
  'http_status',
  'blocked_target',
  'invalid_target',
  // The process stopped and its shutdown grace ended first: not the receiver's failure; the delivery
  // is due again at once and the attempt is not counted against its retries.
  'interrupted',
  'template',
] as const;
export type AttemptErrorCode = (typeof ATTEMPT_ERROR_CODES)[number];
export type AttemptTrigger = 'auto' | 'manual';

/** One HTTP attempt of a delivery. */
@Entity('webhook_delivery_attempts')
export class WebhookDeliveryAttempt {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column({ type: 'varchar', length: 36 })
  delivery_id: string;

  @Column({ type: 'int' })
  attempt: number;

  @Column({ type: 'varchar', length: 8, default: 'auto' })
  trigger: AttemptTrigger;

  @Column({ type: 'int', nullable: true })
  status_code: number | null;

  @Column({ type: 'text', nullable: true })
  response: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  error_code: AttemptErrorCode | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int' })
  duration_ms: number;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  created_at: Date;
}

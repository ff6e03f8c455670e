import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ACTOR_TYPES = ['user', 'api_key', 'cli', 'anonymous', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** One admin action: who (user or API key), what, to which record, when and from where. Never a secret. */
@Entity('audit_log')
@Index('idx_audit_log_created_at', ['created_at'])
@Index('idx_audit_log_target', ['target_type', 'target_id'])
export class AuditLogEntry {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column({ type: 'varchar', length: 16 })
  actor_type: ActorType;

  /** The user who acted (also set when they acted through an API key). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  actor_user_id: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  actor_email: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  actor_api_key_id: string | null;

  /** e.g. `webhook.update`, `webhook.secret_reveal`, `auth.login_failed`, `auth.login_refused`. */
  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ type: 'varchar', length: 32 })
  target_type: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  target_id: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  /** Names of the fields changed, never their values. */
  @Column({ type: 'simple-json', nullable: true })
  details: { fields?: string[] } | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  created_at: Date;
}

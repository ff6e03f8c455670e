import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import {
  encryptedHeaderValues,
  encryptedPreviousSecrets,
  encryptedSecret,
  encryptedUrl,
  type PreviousSecret,
} from '../../secrets/secret-transformers';
import type { SignatureScheme } from '../signing-keys';
import { urlHasCredentials } from '../webhook-credentials';

/** An endpoint that receives signed deliveries of the events it subscribes to. */
@Entity('webhooks')
export class Webhook {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /**
   * Encrypted at rest when it carries credentials (user info, query, fragment); views mask them
   * (see webhook-credentials.ts).
   */
  @Column({ type: 'varchar', length: 4096, transformer: encryptedUrl(urlHasCredentials) })
  url: string;

  /**
   * What a search by URL matches: urlSearchForm(url), the URL as views show it, written with every
   * URL by WebhooksService. Never selected with the entity, never shown.
   */
  @Column({ type: 'varchar', length: 2048, default: '', select: false })
  url_search: string;

  /**
   * Signing secret, encrypted at rest (AES-256-GCM, HOMA_ENCRYPTION_KEY) by the column transformer:
   * plain in the entity, never in the row. Never logged, masked in responses; see presentWebhook().
   */
  @Column({ type: 'varchar', length: 1024, transformer: encryptedSecret })
  secret: string;

  /** Secrets still accepted during a rotation's grace period: `[{secret, expires_at}]`, each encrypted at rest. */
  @Column({ type: 'simple-json', nullable: true, transformer: encryptedPreviousSecrets })
  previous_secrets: PreviousSecret[] | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** One key's deliveries go one at a time, in commit order, each with `X-Webhook-Sequence`. */
  @Column({ type: 'boolean', default: false })
  ordered: boolean;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'int', nullable: true })
  timeout_ms: number | null;

  /** Custom headers sent with every delivery; each value encrypted at rest, masked in views. */
  @Column({ type: 'simple-json', nullable: true, transformer: encryptedHeaderValues })
  headers: Record<string, string> | null;

  /** Deliveries per second at most, over any second, across all processes; null: unlimited. */
  @Column({ type: 'int', nullable: true })
  rate_limit_per_second: number | null;

  /**
   * Which events of the subscribed types are delivered, matched against each event's body at fan-out
   * (Convoy/Outpost syntax, see shaping/webhook-filter.ts); null delivers them all.
   */
  @Column({ type: 'simple-json', nullable: true })
  filter: Record<string, unknown> | null;

  /** A JSONata expression over the event's body whose result is the body sent; null sends the event's. */
  @Column({ type: 'text', nullable: true })
  template: string | null;

  /** `hmac` (the secret signs) or `ed25519` (Standard Webhooks `v1a`, with the key pair below). */
  @Column({ type: 'varchar', length: 16, default: 'hmac' })
  signature_scheme: SignatureScheme;

  /** `whpk_` + base64 of the raw 32-byte ed25519 public key; shown to receivers. Null until needed. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  public_key: string | null;

  /** `whsk_` + base64 of the ed25519 private key's 32-byte seed; encrypted at rest, never shown. */
  @Column({ type: 'varchar', length: 1024, nullable: true, transformer: encryptedSecret })
  signing_key: string | null;

  /** Private keys still signing during a key rotation's grace period, each encrypted at rest. */
  @Column({ type: 'simple-json', nullable: true, transformer: encryptedPreviousSecrets })
  previous_signing_keys: PreviousSecret[] | null;

  /** PEM certificate (chain) presented to HTTPS receivers that ask for one (mutual TLS). */
  @Column({ type: 'text', nullable: true })
  client_certificate: string | null;

  /** PEM private key of `client_certificate`; encrypted at rest, masked in every view. */
  @Column({ type: 'text', nullable: true, transformer: encryptedSecret })
  client_key: string | null;

  @Column({ type: 'boolean', default: false })
  event_all: boolean;

  @Column({ type: 'boolean', default: false })
  event_ticket_created: boolean;

  @Column({ type: 'boolean', default: false })
  event_ticket_updated: boolean;

  @Column({ type: 'boolean', default: false })
  event_ticket_status_change: boolean;

  @Column({ type: 'boolean', default: false })
  event_ticket_closed: boolean;

  @Column({ type: 'boolean', default: false })
  event_ticket_assigned: boolean;

  @Column({ type: 'boolean', default: false })
  event_message_created: boolean;

  @Column({ type: 'boolean', default: false })
  event_client_created: boolean;

  @Column({ type: 'boolean', default: false })
  event_client_updated: boolean;

  @Column({ type: 'boolean', default: false })
  event_user_created: boolean;

  @Column({ type: 'boolean', default: false })
  event_user_updated: boolean;

  /** Operator alert: another webhook was disabled. */
  @Column({ type: 'boolean', default: false })
  event_webhook_disabled: boolean;

  /** Operator alert: another webhook's delivery exhausted its retries. */
  @Column({ type: 'boolean', default: false })
  event_delivery_failed: boolean;

  @Column({ type: 'varchar', length: 500, nullable: true })
  disabled_reason: string | null;

  /** When the current run of failures began; null after any success. Drives auto-disable. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  failing_since: Date | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  created_at: Date;

  @UpdateDateColumn({ type: 'datetime', precision: 3 })
  updated_at: Date;
}

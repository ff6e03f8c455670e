import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/dto/page.dto';

/** A webhook as the API answers it (the OpenAPI shape; the secret is masked except on create). */
export class WebhookResponseDto {
  @ApiProperty({ example: 1 })
  id: number;

  @ApiProperty({ example: 'Slack Integration' })
  name: string;

  @ApiProperty({
    example: 'https://********:********@example.com/webhook?api_key=********',
    description:
      'User info and key-looking query values masked; GET /:id/credentials shows them. Sent back unchanged, the stored URL stays.',
  })
  url: string;

  @ApiProperty({ description: 'Masked, except in the answer to create', example: 'abcd…wxyz' })
  secret: string;

  @ApiProperty()
  enabled: boolean;

  @ApiProperty({ description: "One key's deliveries in commit order, with X-Webhook-Sequence" })
  ordered: boolean;

  @ApiProperty({ type: 'string', nullable: true })
  description: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  timeout_ms: number | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Deliveries per second at most; null: unlimited',
  })
  rate_limit_per_second: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    example: { Authorization: '********' },
    description:
      'Values masked; GET /:id/credentials shows them. A masked value sent back keeps the stored one.',
  })
  headers: Record<string, string> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  filter: Record<string, unknown> | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'A JSONata expression' })
  template: string | null;

  @ApiProperty({ enum: ['hmac', 'ed25519'], example: 'hmac' })
  signature_scheme: 'hmac' | 'ed25519';

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'whpk_LtEQw2wH/uOGtmAoFVL/nAcux/RucKDhVUSuzrM5GiM=',
    description:
      'ed25519 webhooks: `whpk_` + base64 of the raw 32-byte public key that verifies webhook-signature `v1a,…`; null for hmac',
  })
  public_key: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'PEM client certificate (mutual TLS)',
  })
  client_certificate: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: '********',
    description: 'Always masked when set; sent back masked, the stored key stays',
  })
  client_key: string | null;

  @ApiProperty() event_all: boolean;
  @ApiProperty() event_ticket_created: boolean;
  @ApiProperty() event_ticket_updated: boolean;
  @ApiProperty() event_ticket_status_change: boolean;
  @ApiProperty() event_ticket_closed: boolean;
  @ApiProperty() event_ticket_assigned: boolean;
  @ApiProperty() event_message_created: boolean;
  @ApiProperty() event_client_created: boolean;
  @ApiProperty() event_client_updated: boolean;
  @ApiProperty() event_user_created: boolean;
  @ApiProperty() event_user_updated: boolean;

  @ApiProperty({ type: 'string', nullable: true, example: 'Failing since 2024-01-15T10:30:00Z' })
  disabled_reason: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  failing_since: string | null;

  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: 'string', format: 'date-time' })
  updated_at: string;
}

export class WebhookPageResponseDto {
  @ApiProperty({ type: [WebhookResponseDto] })
  data: WebhookResponseDto[];

  @ApiProperty({ type: PageMetaDto })
  meta: PageMetaDto;
}

export class CatalogEntryDto {
  @ApiProperty({ example: 'ticket.created' })
  event: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'event_ticket_created' })
  flag: string | null;

  @ApiProperty({ example: 'Ticket Created' })
  label: string;

  @ApiProperty({ example: 'A ticket was opened, by a client or an agent.' })
  description: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  sample: Record<string, unknown>;

  @ApiProperty({
    example: '/api/admin/webhook-events/ticket.created/schema',
    description: "Where the JSON Schema (draft 2020-12) of the event's body is served",
  })
  schema_url: string;
}

export class CatalogResponseDto {
  @ApiProperty({ type: [CatalogEntryDto] })
  data: CatalogEntryDto[];
}

export class WebhookSecretDto {
  @ApiProperty() id: number;
  @ApiProperty() secret: string;
}

export class WebhookCredentialsDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'https://crmuser:CRM-PASSWORD@example.com/hook?api_key=abc123' })
  url: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, nullable: true })
  headers: Record<string, string> | null;
}

export class RotatedSecretDto {
  @ApiProperty() id: number;
  @ApiPropertyOptional({ description: 'The new secret (hmac webhooks)' })
  secret?: string;
  @ApiPropertyOptional({
    description: 'The new public key (ed25519 webhooks; the new private key is never shown)',
  })
  public_key?: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  previous_secret_expires_at: string | null;
}

export class RecoverResultDto {
  @ApiProperty() webhook_id: number;
  @ApiProperty({ description: 'Failed deliveries put back in the queue' }) requeued: number;
}

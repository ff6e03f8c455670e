import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { SIGNATURE_SCHEMES, type SignatureScheme } from '../signing-keys';
import { IsWebhookFilter, IsWebhookTemplate } from './shaping-validators';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/** `{name: value}` with valid header names and printable string values. */
function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= 20 &&
          Object.entries(value).every(
            ([k, v]) =>
              HEADER_NAME.test(k) &&
              typeof v === 'string' &&
              v.length <= 1024 &&
              !/[\r\n\0]/.test(v),
          ),
        defaultMessage: () => '$property must map header names to string values (at most 20)',
      },
    },
    options,
  );
}

/** An absolute http(s) URL with a host, as the WHATWG URL parser (which the sender uses) reads it. */
function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || /\s/.test(value)) return false;
          try {
            const url = new URL(value);
            return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
          } catch {
            return false;
          }
        },
        defaultMessage: () => '$property must be an absolute http or https URL',
      },
    },
    options,
  );
}

/** A signing secret: 8 to 255 characters, no white space. */
export function IsWebhookSecret(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MinLength(8),
    MaxLength(255),
    Matches(/^\S+$/, { message: 'secret must not contain spaces' }),
  );
}

const flag = (description: string) =>
  ApiPropertyOptional({ type: Boolean, default: false, description });

export class CreateWebhookDto {
  @ApiProperty({ example: 'Production Webhook', maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @ApiProperty({ example: 'https://your-api.com/webhook', description: 'An absolute http(s) URL' })
  @IsString()
  @MaxLength(2048)
  @IsHttpUrl()
  url: string;

  @ApiPropertyOptional({
    example: 'your-secure-secret-key',
    description:
      'Signing secret; generated (32 alphanumeric characters) when omitted. Shown only on create and by GET /:id/secret.',
  })
  @IsOptional()
  @IsWebhookSecret()
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      "Deliver one key's events (a ticket's, a client's, a user's) one at a time, in commit order, each with X-Webhook-Sequence; a failing delivery holds back the later ones of its key until it succeeds or is given up",
  })
  @IsOptional()
  @IsBoolean()
  ordered?: boolean;

  @ApiPropertyOptional({ example: 'Production webhook for ticket events' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ example: 10000, description: 'Per-webhook timeout in ms (default 30000)' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120000)
  timeout_ms?: number;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 10000,
    example: 50,
    description:
      'At most this many deliveries per second (over any second, across all workers; retries, redeliveries and test sends count); null or absent: unlimited. The rest wait in the database.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  rate_limit_per_second?: number | null;

  @ApiPropertyOptional({
    example: { 'X-Team': 'support' },
    description: 'Extra headers sent with every delivery',
  })
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { data: { priority: { $in: ['high', 'urgent'] } } },
    description:
      'Deliver only the events of the subscribed types whose body matches (Convoy/Outpost syntax): nested objects mirror `{event, timestamp, data}`; a leaf is a value (equality) or operators `$eq $neq $in $nin $gt $gte $lt $lte $exist $not`; `$or`, `$and` and `$not` combine filters. Null or absent: every event. See docs/webhook-filters-and-templates.md',
  })
  @IsOptional()
  @IsWebhookFilter()
  filter?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: '{"text": "Ticket #" & $string(data.ticket_id) & ": " & data.title}',
    description:
      'A JSONata expression evaluated with the event body as input; its result is the body sent and signed. Presets: GET /api/admin/webhook-templates. Null or absent: the event body as is',
  })
  @IsOptional()
  @IsWebhookTemplate()
  template?: string | null;

  @ApiPropertyOptional({
    enum: SIGNATURE_SCHEMES,
    default: 'hmac',
    description:
      '`hmac`: the secret signs (X-Webhook-Signature and webhook-signature `v1,`). `ed25519`: Homa generates a key pair and signs webhook-signature `v1a,` with the private key (never shown); receivers verify with `public_key`. Switching keeps both the secret and any key pair, so switching back signs as before',
  })
  @IsOptional()
  @IsIn(SIGNATURE_SCHEMES)
  signature_scheme?: SignatureScheme;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n',
    description:
      'PEM client certificate (chain) presented to HTTPS receivers that ask for one (mutual TLS); requires client_key. Null removes both',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32768)
  client_certificate?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n',
    description:
      'Unencrypted PEM private key of client_certificate; stored encrypted, always masked in answers (sent back masked, the stored key stays)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32768)
  client_key?: string | null;

  @flag('Subscribe to every event')
  @IsOptional()
  @IsBoolean()
  event_all?: boolean;

  @flag('ticket.created')
  @IsOptional()
  @IsBoolean()
  event_ticket_created?: boolean;

  @flag('ticket.updated')
  @IsOptional()
  @IsBoolean()
  event_ticket_updated?: boolean;

  @flag('ticket.status_changed')
  @IsOptional()
  @IsBoolean()
  event_ticket_status_change?: boolean;

  @flag('ticket.closed')
  @IsOptional()
  @IsBoolean()
  event_ticket_closed?: boolean;

  @flag('ticket.assigned')
  @IsOptional()
  @IsBoolean()
  event_ticket_assigned?: boolean;

  @flag('message.created')
  @IsOptional()
  @IsBoolean()
  event_message_created?: boolean;

  @flag('client.created')
  @IsOptional()
  @IsBoolean()
  event_client_created?: boolean;

  @flag('client.updated')
  @IsOptional()
  @IsBoolean()
  event_client_updated?: boolean;

  @flag('user.created')
  @IsOptional()
  @IsBoolean()
  event_user_created?: boolean;

  @flag('user.updated')
  @IsOptional()
  @IsBoolean()
  event_user_updated?: boolean;

  @flag('webhook.disabled (operator alert; never about this webhook itself)')
  @IsOptional()
  @IsBoolean()
  event_webhook_disabled?: boolean;

  @flag('delivery.failed (operator alert; never about this webhook itself)')
  @IsOptional()
  @IsBoolean()
  event_delivery_failed?: boolean;
}

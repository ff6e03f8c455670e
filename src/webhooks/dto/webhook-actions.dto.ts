import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { EVENT_CATALOG } from '../../events/event-catalog';
import { IsWebhookSecret } from './create-webhook.dto';

export class TestWebhookQueryDto {
  @ApiPropertyOptional({
    enum: EVENT_CATALOG.map((e) => e.event),
    default: 'webhook.test',
    description: "Send this event's sample payload instead of webhook.test",
  })
  @IsOptional()
  @IsIn(EVENT_CATALOG.map((e) => e.event))
  event?: string;
}

export class RotateSecretDto {
  @ApiPropertyOptional({ description: 'The new secret; generated when omitted' })
  @IsOptional()
  @IsWebhookSecret()
  secret?: string;

  @ApiPropertyOptional({
    default: 86400,
    description: 'How long the old secret keeps signing too (0 to 7 days)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 86400)
  grace_period_seconds?: number;
}

export class RecoverDto {
  @ApiProperty({
    example: '2024-01-15T00:00:00Z',
    description: 'Re-send failed deliveries created since then',
  })
  @IsString()
  @IsNotEmpty()
  @IsISO8601({ strict: true })
  since: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMetaDto } from '../../../common/dto/page.dto';
import { ATTEMPT_ERROR_CODES } from '../../entities/webhook-delivery-attempt.entity';
import { DELIVERY_STATUSES } from '../../entities/webhook-delivery.entity';

/** A row of the delivery log (the OpenAPI shape). */
export class DeliveryResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1 }) webhook_id: number;
  @ApiProperty({ example: 'ticket.created' }) event: string;
  @ApiProperty({ format: 'uuid' }) event_id: string;
  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'ticket:42',
    description: 'Ordered webhooks only: the key whose deliveries go one at a time',
  })
  ordering_key: string | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Ordered webhooks only: X-Webhook-Sequence, +1 per key',
  })
  sequence: number | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty() success: boolean;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: 'integer', nullable: true }) status_code: number | null;
  @ApiProperty({ type: 'string', nullable: true }) error: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) duration_ms: number | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  next_attempt_at: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  delivered_at: string | null;
  @ApiProperty({ type: 'string', format: 'date-time' }) created_at: string;
  @ApiProperty({ type: 'string', format: 'date-time' }) updated_at: string;
}

export class DeliveryPageResponseDto {
  @ApiProperty({ type: [DeliveryResponseDto] }) data: DeliveryResponseDto[];
  @ApiProperty({ type: PageMetaDto }) meta: PageMetaDto;
}

export class DeliveryAttemptDto {
  @ApiProperty() id: number;
  @ApiProperty() attempt: number;
  @ApiProperty({ enum: ['auto', 'manual'] }) trigger: string;
  @ApiProperty({ type: 'integer', nullable: true }) status_code: number | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'Response excerpt' })
  response: string | null;
  @ApiProperty({ enum: ATTEMPT_ERROR_CODES, nullable: true }) error_code: string | null;
  @ApiProperty({ type: 'string', nullable: true }) error: string | null;
  @ApiProperty() duration_ms: number;
  @ApiProperty({ type: 'string', format: 'date-time' }) created_at: string;
}

export class DeliveryDetailResponseDto extends DeliveryResponseDto {
  @ApiProperty({ description: 'The exact body sent (UTF-8 JSON text)' }) payload: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'Last response excerpt' })
  response: string | null;
  @ApiProperty({ type: [DeliveryAttemptDto] }) attempt_log: DeliveryAttemptDto[];
}

/** The true outcome of one attempt (test send, redeliver). */
export class AttemptResultDto {
  @ApiProperty({ format: 'uuid' }) delivery_id: string;
  @ApiProperty({ example: 1 }) attempt: number;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status: string;
  @ApiProperty() success: boolean;
  @ApiProperty({ type: 'integer', nullable: true, example: 200 }) status_code: number | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'Response excerpt' })
  response: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: 'http_status' })
  error_code: string | null;
  @ApiProperty({ type: 'string', nullable: true }) error: string | null;
  @ApiProperty({ example: 42 }) duration_ms: number;
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  next_attempt_at: string | null;
}

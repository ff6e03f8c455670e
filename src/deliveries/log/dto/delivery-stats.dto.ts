import { EndpointHealthDto } from '../../pacing/endpoint-health.dto';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageMetaDto } from '../../../common/dto/page.dto';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../entities/webhook-delivery.entity';

export class DeliveriesPerMinuteQueryDto {
  @ApiProperty({ required: false, minimum: 1, maximum: 1440, default: 60 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1440)
  minutes: number = 60;
}

export class LastDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ticket.created' })
  event: string;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ type: 'integer', nullable: true, example: 200 })
  status_code: number | null;

  @ApiProperty({ type: 'string', format: 'date-time' })
  created_at: string;
}

/** How one webhook is doing: its last delivery and the last 24 hours' outcomes. */
export class WebhookHealthDto {
  @ApiProperty({ example: 1 })
  webhook_id: number;

  @ApiProperty({ description: 'Deliveries created in the last 24 h', example: 120 })
  deliveries_24h: number;

  @ApiProperty({ example: 118 })
  succeeded_24h: number;

  @ApiProperty({ description: 'Given up after the last retry', example: 1 })
  failed_24h: number;

  @ApiProperty({ description: 'Not delivered yet (first attempt or retrying)', example: 1 })
  pending_24h: number;

  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'succeeded / (succeeded + failed), 0..1; null without a finished delivery',
    example: 0.99,
  })
  success_rate_24h: number | null;

  @ApiProperty({ type: LastDeliveryDto, nullable: true })
  last_delivery: LastDeliveryDto | null;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'Since when its deliveries keep failing (null when healthy)',
  })
  failing_since: string | null;

  @ApiProperty({
    type: EndpointHealthDto,
    description: "The endpoint's pacing: pause, slow-down, circuit",
  })
  endpoint: EndpointHealthDto;
}

export class WebhookHealthListDto {
  @ApiProperty({ type: [WebhookHealthDto] })
  data: WebhookHealthDto[];

  @ApiProperty({ type: PageMetaDto })
  meta: PageMetaDto;
}

export class MinuteBucketDto {
  @ApiProperty({ type: 'string', format: 'date-time', example: '2024-01-15T10:30:00Z' })
  minute: string;

  @ApiProperty({ example: 4 })
  succeeded: number;

  @ApiProperty({ example: 1 })
  failed: number;

  @ApiProperty({ description: 'Not delivered yet (first attempt or retrying)', example: 0 })
  pending: number;
}

export class DeliveriesPerMinuteDto {
  @ApiProperty({ example: 1 })
  webhook_id: number;

  @ApiProperty({ example: 60 })
  minutes: number;

  @ApiProperty({
    type: [MinuteBucketDto],
    description: 'One bucket per minute, oldest first, empty minutes included (UTC)',
  })
  data: MinuteBucketDto[];
}

export class DeliveryHeadersDto {
  @ApiProperty({ format: 'uuid' })
  delivery_id: string;

  @ApiProperty({ description: 'The attempt these headers are for (the latest)', example: 2 })
  attempt: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Request headers of that attempt, signatures and their timestamp left out',
  })
  headers: Record<string, string>;

  @ApiProperty({ type: [String], example: ['X-Webhook-Signature', 'webhook-signature'] })
  omitted: string[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { EVENT_CATALOG } from '../../events/event-catalog';
import { IsWebhookFilter, IsWebhookTemplate } from './shaping-validators';

const EVENT_NAMES = EVENT_CATALOG.map((e) => e.event);

export class PreviewWebhookDto {
  @ApiProperty({ enum: EVENT_NAMES, example: 'ticket.created' })
  @IsIn(EVENT_NAMES)
  event: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { data: { priority: { $in: ['high', 'urgent'] } } },
    description: 'A filter as a webhook holds it; absent or null keeps every event',
  })
  @IsOptional()
  @IsWebhookFilter()
  filter?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    example: '{"text": "New ticket #" & $string(data.ticket_id) & ": " & data.title}',
    description: 'A JSONata template; absent or null sends the event body as is',
  })
  @IsOptional()
  @IsWebhookTemplate()
  template?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'The event body `{event, timestamp, data}` to try; defaults to the catalog sample of `event`',
  })
  @IsOptional()
  @IsObject()
  body?: Record<string, unknown>;
}

export class PreviewResultDto {
  @ApiProperty({ description: 'Whether the filter keeps the event (a dropped event is not sent)' })
  matched: boolean;

  @ApiProperty({
    description: 'The body that would be sent (the template result, or the event body)',
  })
  body: unknown;

  @ApiProperty({ description: 'The exact bytes that would be sent and signed (UTF-8 JSON)' })
  raw: string;
}

export class TemplatePresetDto {
  @ApiProperty({ example: 'slack' }) name: string;
  @ApiProperty({ example: 'Slack' }) label: string;
  @ApiProperty() description: string;
  @ApiProperty({ description: 'A JSONata expression, ready for a webhook’s `template`' })
  template: string;
}

export class TemplatePresetListDto {
  @ApiProperty({ type: [TemplatePresetDto] }) data: TemplatePresetDto[];
}

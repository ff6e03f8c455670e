import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../auth/guards/decorators';
import { intParam, uuidParam } from '../../common/params';
import { DeliveryHeadersService } from './delivery-headers.service';
import { DeliveryStatsService } from './delivery-stats.service';
import {
  DeliveriesPerMinuteDto,
  DeliveriesPerMinuteQueryDto,
  DeliveryHeadersDto,
  WebhookHealthDto,
  WebhookHealthListDto,
} from './dto/delivery-stats.dto';
import { WebhookListQueryDto } from '../../webhooks/dto/webhook-list-query.dto';

/** Read-only views of the delivery log that the console draws: health, a per-minute chart, headers. */
@ApiTags('admin: webhook deliveries')
@AdminOnly()
@Controller('api/admin')
export class DeliveryStatsController {
  constructor(
    private readonly stats: DeliveryStatsService,
    private readonly headers: DeliveryHeadersService,
  ) {}

  @Get('webhook-health')
  @ApiOperation({
    summary:
      "A page of webhooks' health: last delivery, deliveries and success rate over the last 24 h, failing since; `q` searches names and URLs",
  })
  @ApiOkResponse({ type: WebhookHealthListDto })
  health(@Query() query: WebhookListQueryDto): Promise<WebhookHealthListDto> {
    return this.stats.health(query);
  }

  @Get('webhooks/:id/health')
  @ApiOperation({ summary: "One webhook's health (as in GET /api/admin/webhook-health)" })
  @ApiOkResponse({ type: WebhookHealthDto })
  webhookHealth(@Param('id', intParam()) id: number): Promise<WebhookHealthDto> {
    return this.stats.healthOfOne(id);
  }

  @Get('webhooks/:id/deliveries-per-minute')
  @ApiOperation({
    summary: "A webhook's deliveries per minute (UTC) by outcome, counted by the database",
  })
  @ApiOkResponse({ type: DeliveriesPerMinuteDto })
  perMinute(
    @Param('id', intParam()) id: number,
    @Query() query: DeliveriesPerMinuteQueryDto,
  ): Promise<DeliveriesPerMinuteDto> {
    return this.stats.perMinute(id, query.minutes);
  }

  @Get('webhook_deliveries/:id/headers')
  @ApiOperation({
    summary: "The request headers of a delivery's latest attempt, without its signatures",
  })
  @ApiOkResponse({ type: DeliveryHeadersDto })
  deliveryHeaders(@Param('id', uuidParam()) id: string): Promise<DeliveryHeadersDto> {
    return this.headers.forDelivery(id);
  }
}

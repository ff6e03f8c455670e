import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../auth/guards/decorators';
import { uuidParam } from '../../common/params';
import { DeliveriesService } from './deliveries.service';
import {
  AttemptResultDto,
  DeliveryDetailResponseDto,
  DeliveryPageResponseDto,
} from './dto/delivery-response.dto';
import { ListDeliveriesQueryDto } from './dto/list-deliveries-query.dto';

@ApiTags('admin: webhook deliveries')
@AdminOnly()
@Controller('api/admin/webhook_deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiOperation({
    summary: 'The delivery log, newest first (payloads and responses are in GET /:id)',
  })
  @ApiOkResponse({
    description: '`{data: [...], meta: {page, limit, total, total_pages}}`',
    type: DeliveryPageResponseDto,
  })
  list(@Query() query: ListDeliveriesQueryDto) {
    return this.deliveries.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One delivery with its exact payload and every attempt (`attempt_log`)',
  })
  @ApiOkResponse({ type: DeliveryDetailResponseDto })
  get(@Param('id', uuidParam()) id: string) {
    return this.deliveries.get(id);
  }

  @Post(':id/redeliver')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Attempt a delivery again now, whatever its status: same body, same delivery and webhook-id, trigger=manual',
  })
  @ApiOkResponse({ type: AttemptResultDto })
  redeliver(@Param('id', uuidParam()) id: string) {
    return this.deliveries.redeliver(id);
  }
}

import { Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../auth/guards/decorators';
import { intParam } from '../../common/params';
import { RecoverDto, TestWebhookQueryDto } from '../../webhooks/dto/webhook-actions.dto';
import { RecoverResultDto } from '../../webhooks/dto/webhook-response.dto';
import { AttemptResultDto } from './dto/delivery-response.dto';
import { WebhookActionsService } from './webhook-actions.service';

/** The webhook routes that act on its deliveries (the settings' own routes are in webhooks/). */
@ApiTags('admin: webhooks')
@AdminOnly()
@Controller('api/admin')
export class WebhookActionsController {
  constructor(private readonly actions: WebhookActionsService) {}

  @Post('webhooks/:id/test')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send one real signed attempt now and answer its true outcome (also in the delivery log)',
  })
  @ApiOkResponse({
    description:
      '`{success, status_code, duration_ms, response, error_code, error, delivery_id, ...}`',
    type: AttemptResultDto,
  })
  test(@Param('id', intParam()) id: number, @Query() query: TestWebhookQueryDto) {
    return this.actions.test(id, query.event);
  }

  @Post('webhooks/:id/recover')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-queue every failed delivery of this webhook created since `since`' })
  @ApiAcceptedResponse({ type: RecoverResultDto })
  recover(@Param('id', intParam()) id: number, @Body() body: RecoverDto) {
    return this.actions.recover(id, new Date(body.since));
  }
}

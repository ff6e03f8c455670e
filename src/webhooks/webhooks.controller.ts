import {
  Body,
  Controller,
  Delete,
  Get,
  NotFoundException,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/guards/decorators';
import { intParam } from '../common/params';
import { EVENT_CATALOG } from '../events/event-catalog';
import { eventSchema, eventSchemaPath } from '../events/event-schemas';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookListQueryDto } from './dto/webhook-list-query.dto';
import { RotateSecretDto } from './dto/webhook-actions.dto';
import {
  CatalogResponseDto,
  RotatedSecretDto,
  WebhookPageResponseDto,
  WebhookResponseDto,
  WebhookCredentialsDto,
  WebhookSecretDto,
} from './dto/webhook-response.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('admin: webhooks')
@AdminOnly()
@Controller('api/admin')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('webhooks')
  @ApiOperation({
    summary: 'Create a webhook (the only answer, with GET /:id/secret, that shows its secret)',
  })
  @ApiCreatedResponse({ description: 'The webhook, with its secret', type: WebhookResponseDto })
  create(@Body() body: CreateWebhookDto) {
    return this.webhooks.create(body);
  }

  @Get('webhooks')
  @ApiOperation({
    summary:
      'List webhooks (secrets, URL credentials and header values masked); `q` searches names and URLs',
  })
  @ApiOkResponse({ type: WebhookPageResponseDto })
  list(@Query() query: WebhookListQueryDto) {
    return this.webhooks.list(query);
  }

  @Get('webhooks/:id')
  @ApiOperation({ summary: 'One webhook (secret, URL credentials and header values masked)' })
  @ApiOkResponse({ type: WebhookResponseDto })
  get(@Param('id', intParam()) id: number) {
    return this.webhooks.get(id);
  }

  @Put('webhooks/:id')
  @ApiOperation({ summary: 'Update a webhook: merges the fields given, e.g. `{"enabled": false}`' })
  replace(@Param('id', intParam()) id: number, @Body() body: UpdateWebhookDto) {
    return this.webhooks.update(id, body);
  }

  @Patch('webhooks/:id')
  @ApiOperation({ summary: 'Update a webhook: merges the fields given' })
  @ApiOkResponse({ type: WebhookResponseDto })
  update(@Param('id', intParam()) id: number, @Body() body: UpdateWebhookDto) {
    return this.webhooks.update(id, body);
  }

  @Delete('webhooks/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook and its delivery log' })
  async remove(@Param('id', intParam()) id: number) {
    await this.webhooks.remove(id);
  }

  @Get('webhooks/:id/secret')
  @ApiOperation({ summary: "The webhook's signing secret (recorded in the audit log)" })
  @ApiOkResponse({ type: WebhookSecretDto })
  secret(@Param('id', intParam()) id: number) {
    return this.webhooks.secret(id);
  }

  @Get('webhooks/:id/credentials')
  @ApiOperation({
    summary:
      "The webhook's URL and custom headers unmasked, credentials included (recorded in the audit log)",
  })
  @ApiOkResponse({ type: WebhookCredentialsDto })
  credentials(@Param('id', intParam()) id: number) {
    return this.webhooks.credentials(id);
  }

  @Post('webhooks/:id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Rotate the secret; the old one keeps signing (webhook-signature) for the grace period',
  })
  @ApiOkResponse({ type: RotatedSecretDto })
  rotate(@Param('id', intParam()) id: number, @Body() body: RotateSecretDto) {
    return this.webhooks.rotateSecret(id, body);
  }

  @Get('webhook-events')
  @ApiOperation({
    summary: 'Every event a webhook can subscribe to, with its flag and a sample payload',
  })
  @ApiOkResponse({ type: CatalogResponseDto })
  events() {
    return { data: EVENT_CATALOG.map((e) => ({ ...e, schema_url: eventSchemaPath(e.event) })) };
  }

  @Get('webhook-events/:name/schema')
  @ApiOperation({
    summary: "The JSON Schema (draft 2020-12) of an event's body, e.g. `ticket.created`",
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  schema(@Param('name') name: string) {
    const schema = eventSchema(name);
    if (!schema) throw new NotFoundException(`No event named ${name} in the catalog`);
    return schema;
  }
}

import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/guards/decorators';
import { fieldError } from '../common/validation';
import { Env } from '../config/env.validation';
import { catalogEntry } from '../events/event-catalog';
import { toRfc3339 } from '../events/rfc3339';
import {
  PreviewResultDto,
  PreviewWebhookDto,
  TemplatePresetListDto,
} from './dto/webhook-shaping.dto';
import { templatePresets } from './shaping/template-presets';
import { filterMatches } from './shaping/webhook-filter';
import { compileTemplate, renderTemplate, TemplateError } from './shaping/webhook-template';

/** What a receiver gets, tried before saving: template presets and the preview of a filter and template. */
@ApiTags('admin: webhooks')
@AdminOnly()
@Controller('api/admin')
export class WebhookShapingController {
  private readonly publicUrl: string | null;

  constructor(config: ConfigService<Env, true>) {
    this.publicUrl = config.get('PUBLIC_URL', { infer: true }) ?? null;
  }

  @Get('webhook-templates')
  @ApiOperation({
    summary:
      'Ready templates for Slack, Microsoft Teams, Discord, Mattermost and Google Chat (links under PUBLIC_URL)',
  })
  @ApiOkResponse({ type: TemplatePresetListDto })
  templates() {
    return { data: templatePresets(this.publicUrl) };
  }

  @Post('webhooks/preview')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Whether a filter keeps an event, and the body a template makes of it (body defaults to the catalog sample)',
  })
  @ApiOkResponse({ type: PreviewResultDto })
  async preview(@Body() input: PreviewWebhookDto): Promise<PreviewResultDto> {
    const body = input.body ?? {
      event: input.event,
      timestamp: toRfc3339(new Date()),
      data: catalogEntry(input.event)!.sample,
    };
    const matched = filterMatches(input.filter, body);
    if (!input.template) return { matched, body, raw: JSON.stringify(body) };
    try {
      const raw = await renderTemplate(compileTemplate(input.template), body);
      return { matched, body: JSON.parse(raw) as unknown, raw };
    } catch (error) {
      if (error instanceof TemplateError)
        throw fieldError('template', error.message.replace(/^template /, ''));
      throw error;
    }
  }
}

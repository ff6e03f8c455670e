import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { WebhookShapingController } from './webhook-shaping.controller';
import { WebhooksController } from './webhooks.controller';
import { WebhooksModule } from './webhooks.module';

/** The admin routes of webhook settings, for a process that serves HTTP (not the CLI, not a worker). */
@Module({
  imports: [WebhooksModule, AuthModule],
  controllers: [WebhookShapingController, WebhooksController],
})
export class WebhooksApiModule {}

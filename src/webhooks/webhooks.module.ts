import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NetworkModule } from '../network/network.module';
import { Webhook } from './entities/webhook.entity';
import { WebhookCache } from './webhook-cache';
import { WebhooksService } from './webhooks.service';

/**
 * Webhook settings: the entity, its CRUD and secrets, and the cache the sender reads them through.
 * The delivery pipeline imports this module; this module knows nothing of the pipeline (it announces
 * changes as events, see events/webhook-settings.events.ts).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Webhook]), NetworkModule],
  providers: [WebhooksService, WebhookCache],
  exports: [WebhooksService, WebhookCache],
})
export class WebhooksModule {}

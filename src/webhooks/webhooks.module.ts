import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { DeliveriesModule, DeliveriesModuleOptions } from '../deliveries/deliveries.module';
import { Webhook } from './entities/webhook.entity';
import { WebhookEventsModule } from './webhook-events.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({})
export class WebhooksModule {
  static forRoot(options: DeliveriesModuleOptions): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [
        TypeOrmModule.forFeature([Webhook]),
        AuthModule,
        DeliveriesModule.forRoot(options),
        WebhookEventsModule,
      ],
      controllers: [WebhooksController],
      providers: [WebhooksService],
      exports: [WebhooksService],
    };
  }
}

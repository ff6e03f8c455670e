import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesModule, DeliveriesModuleOptions } from '../deliveries/deliveries.module';
import { Webhook } from './entities/webhook.entity';
import { WebhookEventsModule } from '../deliveries/outbox/domain-events.module';
import { WebhooksService } from './webhooks.service';

/** Loaded only by a process that serves HTTP (see admin-parts.ts): the CLI's webhook commands skip it. */
function admin(): typeof import('./admin-parts') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./admin-parts') as typeof import('./admin-parts');
}

@Module({})
export class WebhooksModule {
  static forRoot(options: DeliveriesModuleOptions): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [
        TypeOrmModule.forFeature([Webhook]),
        ...(options.adminApi ? admin().adminImports : []),
        DeliveriesModule.forRoot(options),
        WebhookEventsModule,
      ],
      controllers: options.adminApi ? admin().adminControllers : [],
      providers: [WebhooksService],
      exports: [WebhooksService],
    };
  }
}

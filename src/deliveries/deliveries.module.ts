import { HttpModule } from '@nestjs/axios';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { Webhook } from '../webhooks/entities/webhook.entity';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';
import { DeliveryAttemptsService } from './delivery-attempts.service';
import { DeliveryRetentionService } from './delivery-retention.service';
import { DeliveryQueue, NoDeliveryQueue } from './delivery-queue';
import { WebhookDeliveryAttempt } from './entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { InProcessDeliveryQueue } from './in-process-delivery-queue';
import { TargetGuard } from './target-guard';
import { WebhookSender } from './webhook-sender';

export interface DeliveriesModuleOptions {
  /** Attempt deliveries in this process (the server); false leaves them pending for one that does (the CLI). */
  deliver: boolean;
}

@Module({})
export class DeliveriesModule {
  static forRoot(options: DeliveriesModuleOptions): DynamicModule {
    return {
      module: DeliveriesModule,
      imports: [
        HttpModule,
        TypeOrmModule.forFeature([WebhookDelivery, WebhookDeliveryAttempt, Webhook]),
        AuthModule,
      ],
      controllers: [DeliveriesController],
      providers: [
        TargetGuard,
        WebhookSender,
        DeliveryAttemptsService,
        DeliveriesService,
        ...(options.deliver ? [DeliveryRetentionService] : []),
        options.deliver
          ? { provide: DeliveryQueue, useClass: InProcessDeliveryQueue }
          : { provide: DeliveryQueue, useClass: NoDeliveryQueue },
      ],
      exports: [DeliveriesService, DeliveryAttemptsService, TargetGuard],
    };
  }
}

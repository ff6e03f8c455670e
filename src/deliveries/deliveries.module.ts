import { HttpModule } from '@nestjs/axios';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { usesRedis } from '../config/uses-redis';
import { MetricsService } from '../metrics/metrics.service';
import { Webhook } from '../webhooks/entities/webhook.entity';
import { DeliveriesService } from './log/deliveries.service';
import { DeliveryHeadersService } from './log/delivery-headers.service';
import { DeliveryStatsService } from './log/delivery-stats.service';
import { DeliveryAttemptsService } from './attempt/delivery-attempts.service';
import { AttemptsInFlight } from './leases/attempts-in-flight';
import { DeliveryQueue, NoDeliveryQueue } from './transports/delivery-queue';
import { DeliveryRetentionService } from './log/delivery-retention.service';
import { WebhookDeliveryAttempt } from './entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { DeliveryClaimer } from './leases/delivery-claimer';
import { DeliveryReleases } from './outcomes/delivery-releases';
import { EventFanOut } from './fan-out/event-fan-out';
import { DomainEventsModule } from './outbox/domain-events.module';
import { OutboxModule } from './outbox/outbox.module';
import { InProcessDeliveryQueue } from './transports/in-process/in-process-delivery-queue';
import { OutcomeRecorder } from './outcomes/outcome-recorder';
import { OperatorAlerts } from './outcomes/operator-alerts';
import { WebhookHealth } from './outcomes/webhook-health';
import { NetworkModule } from '../network/network.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { WebhookSender } from './attempt/webhook-sender';
import { WebhookActionsService } from './log/webhook-actions.service';
import { WebhookChangesListener } from './outcomes/webhook-changes.listener';
import { DeliveryThreadHost } from './transports/thread/delivery-thread.host';
import { pacingProviders } from './pacing/pacing-providers';

export interface DeliveriesModuleOptions {
  /**
   * Fan out and attempt deliveries in this process (the server, a worker); false leaves that to others
   * (the CLI, which only records events).
   */
  deliver: boolean;
  /** This process serves HTTP: the admin delivery-log routes, and (with REDIS_URL) it enqueues on BullMQ. */
  adminApi: boolean;
  /**
   * With `deliver` and no REDIS_URL: deliver on a thread of its own (`homa serve`), which this thread
   * starts and tells about its commits; this thread serves HTTP and records events.
   */
  deliveryThread?: boolean;
}

/** Loaded only by a process that serves HTTP (see admin-parts.ts). */
function admin(): typeof import('./log/admin-parts') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./log/admin-parts') as typeof import('./log/admin-parts');
}

/** Loaded only with REDIS_URL (see bullmq-parts.ts). */
function bullMq(): typeof import('./transports/bullmq/bullmq-parts') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./transports/bullmq/bullmq-parts') as typeof import('./transports/bullmq/bullmq-parts');
}

function queueProviders(options: DeliveriesModuleOptions): Provider[] {
  // The CLI neither delivers nor serves: its deliveries wait in the database for a reconciler or poller.
  if (usesRedis() && (options.deliver || options.adminApi)) {
    return bullMq().bullQueueProviders(options.deliver);
  }
  if (options.deliver && options.deliveryThread) {
    return [{ provide: DeliveryQueue, useClass: NoDeliveryQueue }, DeliveryThreadHost];
  }
  if (options.deliver) {
    return [
      InProcessDeliveryQueue,
      { provide: DeliveryQueue, useExisting: InProcessDeliveryQueue },
    ];
  }
  return [{ provide: DeliveryQueue, useClass: NoDeliveryQueue }];
}

/** Gauges read at scrape time: what waits in the database, and what waits in the queue. */
const depthGauges: Provider = {
  provide: 'DELIVERY_DEPTH_GAUGES',
  inject: [MetricsService, DeliveryQueue, DeliveriesService],
  useFactory: (metrics: MetricsService, queue: DeliveryQueue, deliveries: DeliveriesService) => {
    metrics.gauge(
      'homa_webhook_deliveries_pending',
      'Deliveries waiting to be delivered or retried (database)',
      () => deliveries.countPending(),
    );
    metrics.gauge(
      'homa_webhook_queue_depth',
      'Delivery jobs queued, delayed or running (with BullMQ, a batch of up to 50 new deliveries is one job)',
      () => queue.depth(),
    );
    return true;
  },
};

@Module({})
export class DeliveriesModule {
  static forRoot(options: DeliveriesModuleOptions): DynamicModule {
    return {
      module: DeliveriesModule,
      imports: [
        // The sender's own axios instance, not the global one other code may add interceptors to.
        HttpModule.register({}),
        OutboxModule,
        DomainEventsModule,
        WebhooksModule,
        NetworkModule,
        TypeOrmModule.forFeature([WebhookEvent, WebhookDelivery, WebhookDeliveryAttempt, Webhook]),
        ...(options.adminApi ? admin().adminImports : []),
        ...(usesRedis() && (options.deliver || options.adminApi) ? bullMq().bullImports() : []),
      ],
      controllers: options.adminApi ? admin().adminControllers : [],
      providers: [
        WebhookSender,
        WebhookHealth,
        OperatorAlerts,
        EventFanOut,
        DeliveryClaimer,
        DeliveryReleases,
        OutcomeRecorder,
        AttemptsInFlight,
        DeliveryAttemptsService,
        DeliveriesService,
        DeliveryStatsService,
        DeliveryHeadersService,
        WebhookActionsService,
        WebhookChangesListener,
        ...pacingProviders,
        ...(options.deliver && !options.deliveryThread ? [DeliveryRetentionService] : []),
        ...queueProviders(options),
        depthGauges,
      ],
      exports: [
        OutboxModule,
        EventFanOut,
        OutcomeRecorder,
        DeliveriesService,
        DeliveryAttemptsService,
        DeliveryQueue,
        DeliveryReleases,
        WebhookActionsService,
      ],
    };
  }
}

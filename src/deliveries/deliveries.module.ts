import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MetricsService } from '../metrics/metrics.service';
import { Webhook } from '../webhooks/entities/webhook.entity';
import { DeliveriesService } from './deliveries.service';
import { DeliveryHeadersService } from './delivery-headers.service';
import { DeliveryStatsService } from './delivery-stats.service';
import { DeliveryAttemptsService } from './delivery-attempts.service';
import { AttemptsInFlight } from './attempts-in-flight';
import { DeliveryQueue, NoDeliveryQueue } from './delivery-queue';
import { DeliveryRetentionService } from './delivery-retention.service';
import { WebhookDeliveryAttempt } from './entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEvent } from './entities/webhook-event.entity';
import { DeliveryClaimer } from './delivery-claimer';
import { DeliveryReleases } from './delivery-releases';
import { EventFanOut } from './event-fan-out';
import { OutboxModule } from './outbox.module';
import { InProcessDeliveryQueue } from './in-process-delivery-queue';
import { OutcomeRecorder } from './outcome-recorder';
import { OperatorAlerts } from './operator-alerts';
import { WebhookHealth } from './webhook-health';
import { TargetGuard } from './target-guard';
import { WebhookSender } from './webhook-sender';
import { WebhookCache } from './webhook-cache';
import { DeliveryThreadHost } from '../delivery-thread/delivery-thread.host';

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

/** `REDIS_URL` set: BullMQ carries delivery ids between processes. Unset: all in this process. */
export function usesRedis(): boolean {
  return Boolean(process.env.REDIS_URL);
}

/** Loaded only by a process that serves HTTP (see admin-parts.ts). */
function admin(): typeof import('./admin-parts') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./admin-parts') as typeof import('./admin-parts');
}

/** Loaded only with REDIS_URL (see bullmq-parts.ts). */
function bullMq(): typeof import('./bullmq-parts') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./bullmq-parts') as typeof import('./bullmq-parts');
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
        OutboxModule,
        TypeOrmModule.forFeature([WebhookEvent, WebhookDelivery, WebhookDeliveryAttempt, Webhook]),
        ...(options.adminApi ? admin().adminImports : []),
        ...(usesRedis() && (options.deliver || options.adminApi) ? bullMq().bullImports() : []),
      ],
      controllers: options.adminApi ? admin().adminControllers : [],
      providers: [
        TargetGuard,
        WebhookSender,
        WebhookCache,
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
        TargetGuard,
        DeliveryQueue,
        DeliveryReleases,
        WebhookCache,
      ],
    };
  }
}

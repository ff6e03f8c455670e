import { BullModule } from '@nestjs/bullmq';
import { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../../../config/env.validation';
import { BullMqDeliveryQueue, DELIVERY_QUEUE } from './bullmq-delivery-queue';
import { DELIVERS, DeliveryQueue } from '../delivery-queue';
import { DeliveryReconciler } from './delivery-reconciler';
import { DeliveryProcessor } from './delivery.processor';
import { FanOutNudge } from './fan-out-nudge';

/**
 * The deliveries module's BullMQ parts (REDIS_URL set), in a file of their own: a process without Redis
 * never loads BullMQ (the delivery thread's heap is 8 MB smaller for it).
 */
export function bullImports() {
  return [
    BullModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        connection: { url: config.get('REDIS_URL', { infer: true }), maxRetriesPerRequest: null },
        prefix: config.get('REDIS_QUEUE_PREFIX', { infer: true }),
      }),
    }),
    BullModule.registerQueue({ name: DELIVERY_QUEUE }),
  ];
}

/** The BullMQ queue, and (in a delivering process) its worker and reconciler; fan-out nudges both ways. */
export function bullQueueProviders(deliver: boolean): Provider[] {
  const workers = deliver ? [DeliveryProcessor, DeliveryReconciler] : [];
  return [
    { provide: DELIVERS, useValue: deliver },
    FanOutNudge,
    BullMqDeliveryQueue,
    { provide: DeliveryQueue, useExisting: BullMqDeliveryQueue },
    ...workers,
  ];
}

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { parentPort, workerData } from 'node:worker_threads';
import { installSharedWriteLock, SharedWriteLock } from '../../../database/shared-write-lock';
import { DeliveryQueue } from '../delivery-queue';
import { EventFanOut } from '../../fan-out/event-fan-out';
import { WebhookCache } from '../../../webhooks/webhook-cache';
import { StartupLogger } from '../../../logging/startup-logger';
import { MetricsService } from '../../../metrics/metrics.service';
import { DeliveryThreadModule } from './delivery-thread.module';
import { FromThread, ToThread } from './messages';

/** The delivery thread's entry point (started by DeliveryThread in the server's main thread). */
async function run(): Promise<void> {
  const port = parentPort!;
  const send = (message: FromThread) => port.postMessage(message);
  const { writeLock } = workerData as { writeLock: SharedArrayBuffer | null };
  installSharedWriteLock(writeLock ? new SharedWriteLock(writeLock) : null);
  const app = await NestFactory.createApplicationContext(DeliveryThreadModule.forRoot(), {
    bufferLogs: true,
    logger: new StartupLogger(),
  });
  app.useLogger(app.get(PinoLogger));
  const fanOut = app.get(EventFanOut);
  const queue = app.get(DeliveryQueue);
  const webhooks = app.get(WebhookCache);
  const metrics = app.get(MetricsService);
  port.on('message', (message: ToThread) => {
    switch (message.type) {
      case 'fan-out':
        return fanOut.wake();
      case 'poll':
        return queue.wake();
      case 'invalidate':
        return webhooks.invalidate(message.webhookId);
      case 'metrics':
        return void metrics
          .deliverySnapshot()
          .then((snapshot) => send({ type: 'metrics', id: message.id, snapshot }));
      case 'stop':
        return void app.close().then(() => send({ type: 'stopped' }));
    }
  });
  send({ type: 'ready' });
}

run().catch((error: unknown) => {
  parentPort!.postMessage({
    type: 'failed',
    message: error instanceof Error ? error.message : String(error),
  } satisfies FromThread);
});

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { parentPort, workerData } from 'node:worker_threads';
import { installSharedWriteLock, SharedWriteLock } from '../database/shared-write-lock';
import { EventFanOut } from '../deliveries/event-fan-out';
import { DeliveryThreadModule } from './delivery-thread.module';
import { ThreadMessage } from './messages';

async function run(): Promise<void> {
  const port = parentPort!;
  const { writeLock } = workerData as { writeLock: SharedArrayBuffer | null };
  installSharedWriteLock(writeLock ? new SharedWriteLock(writeLock) : null);
  const app = await NestFactory.createApplicationContext(DeliveryThreadModule.forRoot(), {
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  const fanOut = app.get(EventFanOut);
  port.on('message', (message: ThreadMessage) => {
    if (message.type === 'wake') fanOut.wake();
    else if (message.type === 'stop')
      void app.close().then(() => port.postMessage({ type: 'stopped' } satisfies ThreadMessage));
  });
  port.postMessage({ type: 'ready' } satisfies ThreadMessage);
}

run().catch((error: unknown) => {
  parentPort!.postMessage({
    type: 'failed',
    message: error instanceof Error ? error.message : String(error),
  } satisfies ThreadMessage);
});

import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Env } from './config/env.validation';
import { usesRedis } from './config/uses-redis';
import { WorkerModule } from './worker.module';
import { keepHeapNearLiveSize } from './common/heap';

/** Starts a delivery worker: it takes jobs from Redis and serves /health and /metrics on WORKER_PORT. */
export async function bootstrapWorker(): Promise<void> {
  keepHeapNearLiveSize();
  if (!usesRedis()) {
    throw new Error('homa worker needs REDIS_URL; without it, `npm start` delivers in-process');
  }
  const app = await NestFactory.create(WorkerModule.forRoot(), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  const port = app.get<ConfigService<Env, true>>(ConfigService).get('WORKER_PORT', { infer: true });
  await app.listen(port);
  Logger.log(
    `Homa delivery worker running (health and metrics on http://localhost:${port})`,
    'Bootstrap',
  );
}

import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Env } from './config/env.validation';
import { usesRedis } from './config/uses-redis';
import { WorkerModule } from './worker.module';
import { keepHeapNearLiveSize } from './common/heap';
import { ExpectedError } from './common/expected-error';
import { listen } from './common/listen';
import { StartupLogger } from './logging/startup-logger';

/** Starts a delivery worker: it takes jobs from Redis and serves /health and /metrics on WORKER_PORT. */
export async function bootstrapWorker(): Promise<void> {
  keepHeapNearLiveSize();
  if (!usesRedis()) {
    throw new ExpectedError(
      'homa worker needs REDIS_URL; without it, `homa serve` delivers in its own process',
      { context: 'Bootstrap', variables: ['REDIS_URL'] },
    );
  }
  const app = await NestFactory.create(WorkerModule.forRoot(), {
    bufferLogs: true,
    logger: new StartupLogger(),
  });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  const port = app.get<ConfigService<Env, true>>(ConfigService).get('WORKER_PORT', { infer: true });
  const url = await listen(app, port, 'WORKER_PORT');
  Logger.log(`Homa delivery worker running; health and metrics on ${url}`, 'Bootstrap');
}

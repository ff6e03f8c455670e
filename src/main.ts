import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { Env } from './config/env.validation';
import { usesRedis } from './config/uses-redis';
import { keepHeapNearLiveSize } from './common/heap';
import { installSharedWriteLock, SharedWriteLock } from './database/shared-write-lock';
import { listen } from './common/listen';
import { StartupLogger } from './logging/startup-logger';

export async function bootstrap(): Promise<NestExpressApplication> {
  keepHeapNearLiveSize();
  // Without Redis, delivery runs on a thread of its own (DELIVERY_THREAD=false keeps it on this one).
  const deliveryThread = !usesRedis() && process.env.DELIVERY_THREAD?.toLowerCase() !== 'false';
  // Two connections to one SQLite file take turns to write.
  if (deliveryThread && !process.env.DATABASE_URL) installSharedWriteLock(new SharedWriteLock());
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({
      runMigrations: true,
      deliver: !usesRedis(),
      deliveryThread,
    }),
    {
      bodyParser: false,
      bufferLogs: true,
      // Until the app's logger takes over, and for a start-up that fails: the same LOG_FORMAT.
      logger: new StartupLogger(),
    },
  );
  app.useLogger(app.get(PinoLogger));
  configureApp(app);
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  const port = config.get('PORT', { infer: true });
  const url = await listen(app, port, 'PORT');
  Logger.log(`Homa listening on ${url}; Swagger UI at /docs`, 'Bootstrap');
  return app;
}

if (require.main === module) {
  bootstrap().catch((error: unknown) => {
    new StartupLogger().error(error, 'Bootstrap');
    process.exit(1);
  });
}

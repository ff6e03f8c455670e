import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { isolatedDatabase } from './database';

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  baseUrl: string;
  dataSource: DataSource;
  get<T>(token: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

let apps = 0;
const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/**
 * Boots the real app, as main.ts does, on a real database of its own: a fresh SQLite file, or a fresh
 * MySQL database beside DATABASE_URL's (dropped on close) when that is set. Extra environment variables override defaults.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await isolatedDatabase('app');
  const defaults: Record<string, string> = {
    NODE_ENV: 'test',
    ...db.env,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'error',
    CLIENT_RATE_LIMIT: '10000',
    // A test that ends with a request still hanging waits at most this for it when the app closes.
    SHUTDOWN_GRACE_SECONDS: '5',
    // With REDIS_URL the same tests run on BullMQ; each app gets queues of its own.
    // (Random too: jest reloads this module per file in the same worker, so the counter starts again,
    // and the rate limits kept in Redis under this prefix must not carry over from another file.)
    ...(process.env.REDIS_URL
      ? { REDIS_QUEUE_PREFIX: `homa-test-${process.pid}-${++apps}-${randomUUID().slice(0, 8)}` }
      : {}),
  };
  Object.assign(process.env, defaults, env);
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ runMigrations: true, deliver: true })],
  })
    .setLogger(new SilentLogger())
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  return {
    app,
    http: request(baseUrl),
    baseUrl,
    dataSource: app.get(DataSource),
    get: (token) => app.get(token),
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

class SilentLogger {
  log(): void {}
  warn(): void {}
  debug(): void {}
  verbose(): void {}
  error(message: unknown, ...rest: unknown[]): void {
    if (process.env.TEST_VERBOSE) console.error(message, ...rest);
  }
}

import IORedis from 'ioredis';

/** A plain Redis client (ioredis, which BullMQ uses) for tests that reach into the queue's keys. */
export function createClient(url: string): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: 1 });
}

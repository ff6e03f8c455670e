import { randomUUID } from 'node:crypto';
import { RedisRateLimiter } from '../../src/deliveries/pacing/redis-rate-limiter';
import { maxInWindow } from '../helpers/rate-windows';
import { GUIDE_TICKET } from '../factories/tickets';
import { uniqueEmail } from '../factories/users';
import { eventually, startReceiver } from '../helpers/receiver';
import { deleteRedisKeys, postJson, startProcessGroup } from '../helpers/server-process';
import { createClient } from './redis-client';

/**
 * A webhook's `rate_limit_per_second` holds across BullMQ workers: one limiter in Redis for all of
 * them, not one per process. Runs in CI's Redis step.
 */
const REDIS_URL = process.env.REDIS_URL ?? '';
if (!REDIS_URL || !process.env.DATABASE_URL)
  throw new Error('the endpoint pacing suite needs DATABASE_URL and REDIS_URL');

describe('rate limits across two BullMQ workers (MariaDB + Redis)', () => {
  it('the Redis limiter, asked by two clients at once, never lets more than the limit through in any second', async () => {
    const prefix = `homa-test-rate-${randomUUID().slice(0, 8)}`;
    const clients = [createClient(REDIS_URL), createClient(REDIS_URL)];
    const limiters = clients.map((c) => new RedisRateLimiter(c, prefix));
    const granted: number[] = [];
    const until = Date.now() + 3000;
    try {
      await Promise.all(
        limiters.flatMap((limiter) =>
          // Eight askers per client, each asking again as soon as it is answered.
          Array.from({ length: 8 }, async () => {
            while (Date.now() < until) {
              const verdict = await limiter.tryAcquire(1, 20);
              if (verdict.ok) granted.push(Date.now());
              else await new Promise((r) => setTimeout(r, verdict.retryInMs));
            }
          }),
        ),
      );
      granted.sort((a, b) => a - b);
      expect(maxInWindow(granted)).toBeLessThanOrEqual(20);
      // 3 s at 20 a second (a little under, for the margin): about 55.
      expect(granted.length).toBeGreaterThanOrEqual(45);
      expect(granted.length).toBeLessThanOrEqual(61);
    } finally {
      await deleteRedisKeys(REDIS_URL, `${prefix}:*`);
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('deliveries to a webhook limited to 10/s, sent by two workers, never exceed 10 in any second', async () => {
    const group = await startProcessGroup('pacing', {
      REDIS_URL,
      JWT_SECRET: 'pacing-test-secret-0123456789-abcdef-xyz',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      CLIENT_RATE_LIMIT: '10000',
    });
    const receiver = await startReceiver();
    try {
      const server = await group.start('serve');
      await group.start('worker');
      await group.start('worker');
      const token = await group.createAdmin(server, 'pacing@example.com', 'pacing-pass-1');
      const hook = await postJson(
        `${server.url}/api/admin/webhooks`,
        { name: 'Paced', url: receiver.url, event_all: true, rate_limit_per_second: 10 },
        token,
      );
      expect(hook.status).toBe(201);
      // 20 tickets: 60 deliveries (client.created, ticket.created, message.created each).
      for (let i = 0; i < 20; i++) {
        const res = await postJson(`${server.url}/api/client/tickets`, {
          ...GUIDE_TICKET,
          client_email: uniqueEmail('paced'),
        });
        expect(res.status).toBe(201);
      }
      const received = await receiver.waitFor(60, undefined, 30_000);
      const times = received.map((r) => r.at).sort((a, b) => a - b);
      expect(maxInWindow(times)).toBeLessThanOrEqual(10);
      // At the rate, not far below it: 60 at 10/s take about 6 s.
      expect(times[times.length - 1] - times[0]).toBeLessThanOrEqual(10_000);
      const db = await group.database();
      await eventually(async () => {
        const rows: { n: number | string }[] = await db.query(
          "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'succeeded' AND attempts = 1",
        );
        return Number(rows[0].n) === 60;
      });
    } finally {
      await receiver.close();
      await group.close();
    }
  });
});

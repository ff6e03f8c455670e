import { GUIDE_TICKET } from '../factories/tickets';
import { adminHeaders, created } from '../helpers/admin-session';
import { isolatedDatabase, openDatabase } from '../helpers/database';
import { eventually, ok, Receiver, startReceiver } from '../helpers/receiver';
import { ServerProcess, startServerProcess } from '../helpers/server-process';
import { answerAfter, deliveriesOf, jsonLines } from '../helpers/shutdown';
import { createClient } from './redis-client';

/**
 * The shutdown grace of `homa worker` (BullMQ on MariaDB + Redis): a receiver answers after 20 s; a
 * worker stopped with a 25 s grace writes every outcome, one stopped with a 2 s grace interrupts its
 * attempts, records them as interrupted and puts them back in Redis, where the next worker takes
 * them at once. Runs in the Redis step of CI (DATABASE_URL and REDIS_URL set).
 */
const REDIS_URL = process.env.REDIS_URL ?? '';
if (!REDIS_URL || !process.env.DATABASE_URL)
  throw new Error('the BullMQ shutdown suite needs DATABASE_URL and REDIS_URL');

const ANSWER_AFTER_MS = 20_000;

describe('shutdown grace of `homa worker` (e2e, MariaDB + Redis)', () => {
  let receiver: Receiver;
  let env: Record<string, string>;
  let api: ServerProcess;
  let headers: Record<string, string>;
  let drop: () => Promise<void>;
  const workers: ServerProcess[] = [];
  const prefix = `homa-grace-${process.pid}`;

  const worker = async (extra: Record<string, string> = {}) => {
    const started = await startServerProcess({ ...env, ...extra }, 'worker');
    workers.push(started);
    return started;
  };
  /** Two webhooks (so one ticket makes two deliveries, sent at once), the earlier ones disabled. */
  const hooks: number[] = [];
  const webhooksFor = async (label: string): Promise<number[]> => {
    for (const id of hooks.splice(0))
      await fetch(`${api.url}/api/admin/webhooks/${id}`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ enabled: false }),
      });
    for (const n of [1, 2])
      hooks.push(
        (
          await created(`${api.url}/api/admin/webhooks`, headers, {
            name: `${label} ${n}`,
            url: `${receiver.url}/${label}`,
            event_ticket_created: true,
          })
        ).id,
      );
    return [...hooks];
  };
  const openTicket = (email: string) =>
    created(
      `${api.url}/api/client/tickets`,
      { 'Content-Type': 'application/json' },
      { ...GUIDE_TICKET, client_email: email },
    );
  const rows = async (webhookIds: number[]) => {
    const dataSource = await openDatabase(env);
    try {
      return await deliveriesOf(dataSource, webhookIds);
    } finally {
      await dataSource.destroy();
    }
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    const db = await isolatedDatabase('grace');
    drop = db.drop;
    env = {
      ...db.env,
      REDIS_URL,
      REDIS_QUEUE_PREFIX: prefix,
      JWT_SECRET: 'bullmq-grace-test-secret-0123456789-abcdef',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
    api = await startServerProcess(env, 'serve');
    headers = await adminHeaders(api.url, env);
  });
  afterAll(async () => {
    for (const p of [api, ...workers]) await p?.stop();
    await drop();
    await receiver.close();
    const redis = createClient(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('within the grace, a stopping worker finishes its attempts in flight and writes them', async () => {
    const slow = answerAfter(ANSWER_AFTER_MS);
    receiver.respondWith(slow.responder);
    const ids = await webhooksFor('bull-within');
    const one = await worker({ SHUTDOWN_GRACE_SECONDS: '25' });
    await openTicket('bull-within@example.com');
    await receiver.waitFor(2, (r) => r.path === '/webhook/bull-within', 20_000);
    const stopped = Date.now();
    one.child.kill('SIGTERM');
    const exit = await one.exited;
    expect(slow.answered).toHaveLength(2);
    expect(exit.at).toBeGreaterThanOrEqual(Math.max(...slow.answered));
    expect(exit.at - stopped).toBeLessThan(25_000 + 10_000);
    const { deliveries, attempts } = await rows(ids);
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    expect(attempts.map((a) => [a.status_code, a.error_code])).toEqual([
      [200, null],
      [200, null],
    ]);
    expect(one.output()).not.toMatch(/Shutdown grace/);
  }, 120_000);

  it('past the grace, interrupts and records its attempts, and the next worker makes them at once', async () => {
    receiver.respondWith(answerAfter(ANSWER_AFTER_MS).responder);
    const ids = await webhooksFor('bull-past');
    const two = await worker({ SHUTDOWN_GRACE_SECONDS: '2' });
    await openTicket('bull-past@example.com');
    await receiver.waitFor(2, (r) => r.path === '/webhook/bull-past', 20_000);
    const stopped = Date.now();
    two.child.kill('SIGTERM');
    const exit = await two.exited;
    expect(exit.at - stopped).toBeGreaterThanOrEqual(2_000);
    expect(exit.at - stopped).toBeLessThan(2_000 + 10_000);
    const interrupted = await rows(ids);
    expect(interrupted.deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(interrupted.attempts.map((a) => [a.attempt, a.status_code, a.error_code])).toEqual([
      [1, null, 'interrupted'],
      [1, null, 'interrupted'],
    ]);
    const lines = jsonLines(two.output()).filter((l) => /Shutdown grace/.test(l.msg ?? ''));
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toContain('Shutdown grace of 2 s ended with 2 attempt(s) in flight');
    expect(lines[0].msg).toContain(`webhooks ${ids[0]} (1), ${ids[1]} (1)`);

    receiver.respondWith(ok);
    const before = receiver.requests.length;
    await worker();
    await eventually(async () =>
      (await rows(ids)).deliveries.every((d) => d.status === 'succeeded'),
    );
    const done = await rows(ids);
    expect(done.deliveries.map((d) => d.attempts)).toEqual([1, 1]);
    expect(done.attempts.map((a) => [a.attempt, a.error_code])).toEqual([
      [1, 'interrupted'],
      [1, 'interrupted'],
      [1, null],
      [1, null],
    ]);
    // The same attempt, made again (not counted): each delivery once more, as attempt 1.
    const again = receiver.requests.slice(before).filter((r) => r.path === '/webhook/bull-past');
    expect(again.map((r) => r.headers['x-webhook-attempt'])).toEqual(['1', '1']);
  }, 120_000);
});

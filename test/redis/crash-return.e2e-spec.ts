import { Queue } from 'bullmq';
import { GUIDE_TICKET } from '../factories/tickets';
import { eventually, ok, startReceiver } from '../helpers/receiver';
import { postJson, ProcessGroup, startProcessGroup } from '../helpers/server-process';

/**
 * Crash and return on BullMQ (MariaDB + Redis): under load, every worker is killed with `kill -9`;
 * events keep being committed with no worker to fan them out; the jobs waiting in Redis are deleted
 * (their deliveries are in the database, never to be enqueued again) while the dead workers' active
 * jobs stay in Redis past their leases; then workers start again. Every committed delivery arrives,
 * and arrives once, except within the window the delivery contract allows (docs/receiving-webhooks.md,
 * "At least once": a delivery a killed worker had sent, or was sending, may arrive again): so a
 * delivery may arrive twice only if it first arrived before the kill. Runs in the Redis step of CI.
 */
const REDIS_URL = process.env.REDIS_URL ?? '';
if (!REDIS_URL || !process.env.DATABASE_URL)
  throw new Error('the crash-and-return suite needs DATABASE_URL and REDIS_URL');

const WEBHOOKS = 10;
const LEASE_MS = 2000 + 5000; // WEBHOOK_TIMEOUT_MS + the lease margin (leases/delivery-claimer.ts)

describe('kill -9 of every worker under load, then workers again (e2e, MariaDB + Redis)', () => {
  let group: ProcessGroup;

  afterAll(async () => {
    await group?.close();
  });

  it('every committed delivery arrives, once unless it had arrived before the kill', async () => {
    group = await startProcessGroup('crash', {
      REDIS_URL,
      JWT_SECRET: 'crash-return-test-secret-0123456789-abcdef',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: Array(20).fill('300ms').join(','),
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      // Fewer requests in flight than the load makes: jobs wait in Redis when the workers die.
      WEBHOOK_CONCURRENCY: '5',
      CLIENT_RATE_LIMIT: '1000000',
    });
    const receiver = await startReceiver((req, res) => setTimeout(() => ok(req, res), 20));
    const queue = new Queue('webhook-deliveries', {
      connection: { url: REDIS_URL },
      prefix: group.env.REDIS_QUEUE_PREFIX,
    });
    try {
      const api = await group.start('serve');
      const workers = [await group.start('worker'), await group.start('worker')];
      const token = await group.createAdmin(api, 'crash@example.com', 'crash-pass-1');
      for (let i = 0; i < WEBHOOKS; i++) {
        const res = await postJson(
          `${api.url}/api/admin/webhooks`,
          { name: `crash ${i}`, url: `${receiver.url}/w${i}`, event_ticket_created: true },
          token,
        );
        expect(res.status).toBe(201);
      }

      // Load: four clients open tickets until told to stop; a ticket answered 201 is committed.
      let committed = 0;
      let loading = true;
      const client = async (n: number) => {
        for (let i = 0; loading; i++) {
          const res = await postJson(`${api.url}/api/client/tickets`, {
            ...GUIDE_TICKET,
            client_email: `crash-${n}-${i}@example.com`,
          });
          expect(res.status).toBe(201);
          committed += 1;
        }
      };
      const load = Promise.all([0, 1, 2, 3].map(client));

      // Mid-delivery, every worker dies at once.
      await receiver.waitFor(300, undefined, 60_000);
      const killedAt = Date.now();
      await Promise.all(workers.map((w) => w.kill9()));
      const heldInRedis = await queue.getJobCounts('active', 'waiting', 'delayed');
      // Events are still committed, with no worker to fan them out.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      loading = false;
      await load;
      // The jobs waiting in Redis are lost: their deliveries are only in the database now.
      const lost = await queue.getWaitingCount();
      expect(lost).toBeGreaterThan(0);
      await queue.drain(true);
      const leftActive = await queue.getActiveCount();
      // Past the leases of everything the dead workers held.
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 500));
      const arrivedBefore = new Set(receiver.requests.map((r) => r.headers['x-webhook-delivery']));

      const returnedAt = Date.now();
      await group.start('worker');
      await group.start('worker');
      const expected = committed * WEBHOOKS;
      const dataSource = await group.database();
      const succeeded = async () =>
        Number(
          (
            await dataSource.query<{ n: string | number }[]>(
              "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'",
            )
          )[0].n,
        );
      await eventually(async () => (await succeeded()) === expected, 60_000);
      // The dead workers' active jobs come back (BullMQ's stalled-job check) and find nothing to do.
      await eventually(
        async () =>
          Object.values(await queue.getJobCounts('active', 'waiting', 'delayed')).every(
            (n) => n === 0,
          ),
        75_000,
      );

      const times = new Map<string, number[]>();
      for (const r of receiver.requests) {
        const id = String(r.headers['x-webhook-delivery']);
        times.set(id, [...(times.get(id) ?? []), r.at]);
      }
      const rows = await dataSource.query<{ id: string }[]>('SELECT id FROM webhook_deliveries');
      expect(rows).toHaveLength(expected);
      // Every committed delivery arrived.
      expect(rows.filter((row) => !times.has(row.id))).toEqual([]);
      expect(times.size).toBe(expected);
      // One that arrived twice had first arrived before workers came back: a killed worker sent it
      // (the at-least-once window).
      const twice = [...times].filter(([, at]) => at.length > 1);
      const outside = twice.filter(([id, at]) => !(arrivedBefore.has(id) && at[0] < returnedAt));
      const attemptsOf = async (ids: string[]) =>
        ids.length === 0
          ? []
          : dataSource.query(
              `SELECT delivery_id, attempt, error_code, status_code, created_at FROM webhook_delivery_attempts WHERE delivery_id IN (${ids.map(() => '?').join(',')})`,
              ids,
            );
      expect({
        killedAt,
        returnedAt,
        outside,
        attempts: await attemptsOf(outside.map(([id]) => id)),
      }).toEqual({ killedAt, returnedAt, outside: [], attempts: [] });
      console.log(
        `crash and return: ${committed} tickets × ${WEBHOOKS} webhooks, ${arrivedBefore.size} arrived before the kill, ` +
          `${JSON.stringify(heldInRedis)} jobs in Redis at the kill, ${lost} waiting deleted, ${leftActive} active left past their leases, ` +
          `${twice.length} arrived twice (each first before workers came back)`,
      );
      expect(receiver.schemaViolations).toEqual([]);
    } finally {
      await queue.close();
      await receiver.close();
    }
  }, 170_000);
});

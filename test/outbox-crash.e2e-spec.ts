import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { GUIDE_TICKET } from './factories/tickets';
import { runCli } from './helpers/cli';
import { isolatedDatabase, unfannedEvents } from './helpers/database';
import { eventually, startReceiver } from './helpers/receiver';
import { ServerProcess, startServerProcess } from './helpers/server-process';

const TICKETS = 240;
const CLIENTS = 12;
const HOOKS = ['/a', '/b', '/c'];

describe('kill -9 in the middle of a burst of changes (e2e)', () => {
  it("every committed ticket's ticket.created reaches every subscribed webhook, and nothing names a ticket that did not commit", async () => {
    const db = await isolatedDatabase('crash');
    const env = {
      ...db.env,
      JWT_SECRET: 'crash-test-secret-0123456789-abcdef-0123',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: Array(20).fill('300ms').join(','),
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      CLIENT_RATE_LIMIT: '100000',
      LOG_LEVEL: 'error',
      REDIS_QUEUE_PREFIX: `homa-test-crash-${process.pid}`,
    };
    const receiver = await startReceiver();
    const base = receiver.url.replace(/\/webhook$/, '');
    const dataSource = new DataSource(
      buildDataSourceOptions({
        DATABASE_URL: db.env.DATABASE_URL,
        DATA_DIR: db.env.DATA_DIR,
        HOMA_ENCRYPTION_KEY: db.env.HOMA_ENCRYPTION_KEY,
      }),
    );
    // Without Redis the server delivers in-process; with it, `homa worker` does.
    const processes: ServerProcess[] = [];
    const start = async () => {
      const server = await startServerProcess(env);
      processes.push(server);
      if (process.env.REDIS_URL) processes.push(await startServerProcess(env, 'worker'));
      return server;
    };
    try {
      const first = await start();
      expect(
        (
          await runCli(
            ['--create-admin', '--email', 'crash@example.com', '--password', 'crash-pass-1'],
            env,
          )
        ).code,
      ).toBe(0);
      const login = await fetch(`${first.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'crash@example.com', password: 'crash-pass-1' }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      for (const path of HOOKS) {
        const res = await fetch(`${first.url}/api/admin/webhooks`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            name: `Crash ${path}`,
            url: `${base}${path}`,
            event_ticket_created: true,
          }),
        });
        expect(res.status).toBe(201);
      }

      // 12 clients create tickets; once half have been answered, the server dies mid-burst.
      let answered = 0;
      let next = 0;
      let killed: Promise<void> | null = null;
      const killAll = () =>
        Promise.all(processes.splice(0).map((p) => p.kill9())).then(() => undefined);
      const client = async () => {
        while (next < TICKETS) {
          const i = next++;
          try {
            const res = await fetch(`${first.url}/api/client/tickets`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ ...GUIDE_TICKET, client_email: `crash-${i}@example.com` }),
            });
            if (res.status === 201) answered += 1;
          } catch {
            return; // the server is gone
          }
          if (answered >= TICKETS / 2 && !killed) killed = killAll();
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, client));
      if (!killed) killed = killAll();
      await killed;

      await start();
      await dataSource.initialize();
      const committed = async () =>
        (await dataSource.query<{ id: number | string }[]>('SELECT id FROM tickets')).map((r) =>
          Number(r.id),
        );
      const receivedBy = (path: string) =>
        new Set(
          receiver.requests
            .filter((r) => r.path === path && r.body.event === 'ticket.created')
            .map((r) => Number(r.body.data.ticket_id)),
        );
      const tickets = await committed();
      expect(tickets.length).toBeGreaterThanOrEqual(TICKETS / 2);
      await eventually(
        () =>
          Promise.resolve(HOOKS.every((path) => tickets.every((id) => receivedBy(path).has(id)))),
        60000,
      );
      const known = new Set(await committed());
      for (const path of HOOKS) for (const id of receivedBy(path)) expect(known.has(id)).toBe(true);
      const duplicates =
        receiver.requests.length -
        new Set(receiver.requests.map((r) => String(r.headers['x-webhook-delivery']))).size;
      console.log(
        `crash: ${answered} of ${TICKETS} answered before kill -9, ${tickets.length} committed, each delivered to ${HOOKS.length} webhooks after restart (${duplicates} repeated deliveries)`,
      );
    } finally {
      for (const p of processes) await p.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
      await receiver.close();
      await db.drop();
    }
  });
});

describe('SIGTERM (e2e)', () => {
  it('writes the outcome of every attempt in flight before the process exits', async () => {
    const db = await isolatedDatabase('term');
    const env = {
      ...db.env,
      JWT_SECRET: 'sigterm-test-secret-0123456789-abcdef-012',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '3000',
      CLIENT_RATE_LIMIT: '100000',
      LOG_LEVEL: 'error',
      REDIS_QUEUE_PREFIX: `homa-test-term-${process.pid}`,
    };
    const answered = new Set<string>();
    // Answers each delivery after 400 ms, so that a SIGTERM finds attempts in flight.
    const receiver = await startReceiver((req, res) => {
      setTimeout(() => {
        res.writeHead(200).end('OK');
        answered.add(String(req.headers['x-webhook-delivery']));
      }, 400);
    });
    const dataSource = new DataSource(
      buildDataSourceOptions({
        DATABASE_URL: db.env.DATABASE_URL,
        DATA_DIR: db.env.DATA_DIR,
        HOMA_ENCRYPTION_KEY: db.env.HOMA_ENCRYPTION_KEY,
      }),
    );
    const processes: ServerProcess[] = [];
    try {
      const server = await startServerProcess(env);
      processes.push(server);
      const deliverer = process.env.REDIS_URL ? await startServerProcess(env, 'worker') : server;
      if (deliverer !== server) processes.push(deliverer);
      await runCli(
        ['--create-admin', '--email', 'term@example.com', '--password', 'term-pass-12'],
        env,
      );
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'term@example.com', password: 'term-pass-12' }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const hook = await fetch(`${server.url}/api/admin/webhooks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Term', url: receiver.url, event_ticket_created: true }),
      });
      expect(hook.status).toBe(201);
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${server.url}/api/client/tickets`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...GUIDE_TICKET, client_email: `term-${i}@example.com` }),
        });
        expect(res.status).toBe(201);
      }
      await receiver.waitFor(2);
      expect(answered.size).toBeLessThan(8);
      await deliverer.stop();
      const sent = new Set(receiver.requests.map((r) => String(r.headers['x-webhook-delivery'])));
      expect(sent.size).toBeGreaterThan(0);
      for (const id of sent) expect(answered.has(id)).toBe(true);
      await dataSource.initialize();
      const recorded: { id: string; status: string; attempts: number | string }[] =
        await dataSource.query(
          'SELECT d.id, d.status, d.attempts FROM webhook_deliveries d WHERE EXISTS (SELECT 1 FROM webhook_delivery_attempts a WHERE a.delivery_id = d.id)',
        );
      // Every attempt the receiver answered is written, and its delivery marked succeeded.
      expect(new Set(recorded.map((r) => r.id))).toEqual(sent);
      for (const r of recorded) expect([r.status, Number(r.attempts)]).toEqual(['succeeded', 1]);
      console.log(`sigterm: ${sent.size} attempts in flight or done at SIGTERM, all recorded`);
    } finally {
      for (const p of processes) await p.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
      await receiver.close();
      await db.drop();
    }
  });
});

describe('events left unfanned by a crash (e2e)', () => {
  it('are fanned out exactly once when two processes race for them', async () => {
    const db = await isolatedDatabase('race');
    const env = {
      ...db.env,
      JWT_SECRET: 'race-test-secret-0123456789-abcdef-01234',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_TIMEOUT_MS: '3000',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      LOG_LEVEL: 'error',
      REDIS_QUEUE_PREFIX: `homa-test-race-${process.pid}`,
    };
    const receiver = await startReceiver();
    const dataSource = new DataSource(
      buildDataSourceOptions({
        DATABASE_URL: db.env.DATABASE_URL,
        DATA_DIR: db.env.DATA_DIR,
        HOMA_ENCRYPTION_KEY: db.env.HOMA_ENCRYPTION_KEY,
      }),
    );
    const processes: ServerProcess[] = [];
    const EVENTS = 200;
    try {
      const first = await startServerProcess(env);
      processes.push(first);
      // With Redis, fan-out is a worker's.
      if (process.env.REDIS_URL) processes.push(await startServerProcess(env, 'worker'));
      await runCli(
        ['--create-admin', '--email', 'race@example.com', '--password', 'race-pass-12'],
        env,
      );
      // The admin's user.created is fanned out before the webhooks exist, so it goes to neither.
      await dataSource.initialize();
      await eventually(async () => (await unfannedEvents(dataSource)) === 0);
      const login = await fetch(`${first.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'race@example.com', password: 'race-pass-12' }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      for (const name of ['Race A', 'Race B']) {
        const res = await fetch(`${first.url}/api/admin/webhooks`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            name,
            url: `${receiver.url}?${name[5]}`,
            event_user_created: true,
          }),
        });
        expect(res.status).toBe(201);
      }
      for (const p of processes) await p.stop();
      processes.splice(0);

      // What a crash between commit and fan-out leaves: events recorded, none fanned out.
      await dataSource.transaction(async (m) => {
        for (let i = 0; i < EVENTS; i++) {
          const body = JSON.stringify({
            event: 'user.created',
            timestamp: '2024-01-15T10:30:00Z',
            data: {
              user_id: randomUUID(),
              name: `Race ${i}`,
              email: `race-${i}@example.com`,
              role: 'agent',
              status: 'active',
            },
          });
          await m.query(
            'INSERT INTO webhook_events (id, name, body, ordering_key, fanned_out, created_at) VALUES (?, ?, ?, ?, ?, ?)',
            [uuidv7(), 'user.created', body, `user:race-${i}`, 0, '2024-01-15 10:30:00.000'],
          );
        }
      });

      // Two delivering processes start at once and race for them (with Redis: two workers, and an API
      // that leaves fan-out to them).
      const roles: ('serve' | 'worker')[] = process.env.REDIS_URL
        ? ['serve', 'worker', 'worker']
        : ['serve', 'serve'];
      const fanning = process.env.REDIS_URL ? 2 : roles.length;
      processes.push(...(await Promise.all(roles.map((role) => startServerProcess(env, role)))));

      await receiver.waitFor(EVENTS * 2, undefined, 60000);
      await eventually(async () => {
        const rows = await dataSource.query<{ n: number | string }[]>(
          "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'",
        );
        return Number(rows[0].n) === EVENTS * 2;
      }, 30000);
      await new Promise((r) => setTimeout(r, 500));
      const perHook = (suffix: string) =>
        receiver.requests
          .filter((r) => r.path.endsWith(`?${suffix}`))
          .map((r) => String(r.body.data.user_id));
      for (const suffix of ['A', 'B']) {
        const users = perHook(suffix);
        expect(new Set(users).size).toBe(EVENTS);
      }
      const deliveries = await dataSource.query<{ n: number | string }[]>(
        'SELECT COUNT(*) AS n FROM webhook_deliveries',
      );
      expect(Number(deliveries[0].n)).toBe(EVENTS * 2);
      expect(await unfannedEvents(dataSource)).toBe(0);
      const repeats =
        receiver.requests.length -
        new Set(receiver.requests.map((r) => String(r.headers['x-webhook-delivery']))).size;
      console.log(
        `race: ${EVENTS} events fanned out by ${fanning} processes into ${EVENTS * 2} deliveries (${repeats} repeated sends)`,
      );
    } finally {
      for (const p of processes) await p.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
      await receiver.close();
      await db.drop();
    }
  });
});

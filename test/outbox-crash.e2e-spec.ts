import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { GUIDE_TICKET } from './factories/tickets';
import { unfannedEvents } from './helpers/database';
import { eventually, startReceiver } from './helpers/receiver';
import { postJson, startProcessGroup } from './helpers/server-process';

const TICKETS = 240;
const CLIENTS = 12;
const HOOKS = ['/a', '/b', '/c'];

describe('kill -9 in the middle of a burst of changes (e2e)', () => {
  it("every committed ticket's ticket.created reaches every subscribed webhook, and nothing names a ticket that did not commit", async () => {
    const group = await startProcessGroup('crash', {
      JWT_SECRET: 'crash-test-secret-0123456789-abcdef-0123',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: Array(20).fill('300ms').join(','),
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      CLIENT_RATE_LIMIT: '100000',
    });
    const receiver = await startReceiver();
    const base = receiver.url.replace(/\/webhook$/, '');
    // Without Redis the server delivers in-process; with it, `homa worker` does.
    try {
      const first = await group.startDelivering();
      const token = await group.createAdmin(first, 'crash@example.com', 'crash-pass-1');
      for (const path of HOOKS) {
        const res = await postJson(
          `${first.url}/api/admin/webhooks`,
          { name: `Crash ${path}`, url: `${base}${path}`, event_ticket_created: true },
          token,
        );
        expect(res.status).toBe(201);
      }

      // 12 clients create tickets; once half have been answered, the server dies mid-burst.
      let answered = 0;
      let next = 0;
      let killed: Promise<void> | null = null;
      const client = async () => {
        while (next < TICKETS) {
          const i = next++;
          try {
            const res = await postJson(`${first.url}/api/client/tickets`, {
              ...GUIDE_TICKET,
              client_email: `crash-${i}@example.com`,
            });
            if (res.status === 201) answered += 1;
          } catch {
            return; // the server is gone
          }
          if (answered >= TICKETS / 2 && !killed) killed = group.killAll();
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, client));
      if (!killed) killed = group.killAll();
      await killed;

      await group.startDelivering();
      const dataSource = await group.database();
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
      await group.close();
      await receiver.close();
    }
  });
});

describe('SIGTERM (e2e)', () => {
  it('writes the outcome of every attempt in flight before the process exits', async () => {
    const group = await startProcessGroup('term', {
      JWT_SECRET: 'sigterm-test-secret-0123456789-abcdef-012',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '3000',
      CLIENT_RATE_LIMIT: '100000',
    });
    const answered = new Set<string>();
    // Answers each delivery after 400 ms, so that a SIGTERM finds attempts in flight.
    const receiver = await startReceiver((req, res) => {
      setTimeout(() => {
        res.writeHead(200).end('OK');
        answered.add(String(req.headers['x-webhook-delivery']));
      }, 400);
    });
    try {
      const server = await group.start('serve');
      const deliverer = process.env.REDIS_URL ? await group.start('worker') : server;
      const token = await group.createAdmin(server, 'term@example.com', 'term-pass-12');
      const hook = await postJson(
        `${server.url}/api/admin/webhooks`,
        { name: 'Term', url: receiver.url, event_ticket_created: true },
        token,
      );
      expect(hook.status).toBe(201);
      for (let i = 0; i < 8; i++) {
        const res = await postJson(`${server.url}/api/client/tickets`, {
          ...GUIDE_TICKET,
          client_email: `term-${i}@example.com`,
        });
        expect(res.status).toBe(201);
      }
      await receiver.waitFor(2);
      expect(answered.size).toBeLessThan(8);
      await deliverer.stop();
      const sent = new Set(receiver.requests.map((r) => String(r.headers['x-webhook-delivery'])));
      expect(sent.size).toBeGreaterThan(0);
      for (const id of sent) expect(answered.has(id)).toBe(true);
      const dataSource = await group.database();
      const recorded: { id: string; status: string; attempts: number | string }[] =
        await dataSource.query(
          'SELECT d.id, d.status, d.attempts FROM webhook_deliveries d WHERE EXISTS (SELECT 1 FROM webhook_delivery_attempts a WHERE a.delivery_id = d.id)',
        );
      // Every attempt the receiver answered is written, and its delivery marked succeeded.
      expect(new Set(recorded.map((r) => r.id))).toEqual(sent);
      for (const r of recorded) expect([r.status, Number(r.attempts)]).toEqual(['succeeded', 1]);
      console.log(`sigterm: ${sent.size} attempts in flight or done at SIGTERM, all recorded`);
    } finally {
      await group.close();
      await receiver.close();
    }
  });
});

describe('events left unfanned by a crash (e2e)', () => {
  it('are fanned out exactly once when two processes race for them', async () => {
    const group = await startProcessGroup('race', {
      JWT_SECRET: 'race-test-secret-0123456789-abcdef-01234',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_TIMEOUT_MS: '3000',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
    });
    const receiver = await startReceiver();
    const EVENTS = 200;
    try {
      // With Redis, fan-out is a worker's.
      const first = await group.startDelivering();
      const dataSource = await group.database();
      const token = await group.createAdmin(first, 'race@example.com', 'race-pass-12');
      // The admin's user.created is fanned out before the webhooks exist, so it goes to neither.
      await eventually(async () => (await unfannedEvents(dataSource)) === 0);
      for (const name of ['Race A', 'Race B']) {
        const res = await postJson(
          `${first.url}/api/admin/webhooks`,
          { name, url: `${receiver.url}?${name[5]}`, event_user_created: true },
          token,
        );
        expect(res.status).toBe(201);
      }
      await group.stopAll();

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
      await Promise.all(roles.map((role) => group.start(role)));

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
      await group.close();
      await receiver.close();
    }
  });
});

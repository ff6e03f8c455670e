import { eventually, startReceiver } from './helpers/receiver';
import { freePort, postJson, startProcessGroup } from './helpers/server-process';

const EVENTS = 30;

describe('durability (e2e)', () => {
  it('kill -9 with deliveries pending loses none: after a restart every one arrives', async () => {
    const group = await startProcessGroup('kill', {
      JWT_SECRET: 'durability-test-secret-0123456789-abcdef',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      // Enough retries to outlast creating the users on a loaded machine: none may fail before the kill.
      WEBHOOK_RETRY_SCHEDULE: Array(200).fill('300ms').join(','),
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
      // Thirty refusals in a row would open the endpoint's circuit (pacing/) and hold the rest back
      // unattempted: this test is about the retries that wait across a kill, not the breaker.
      WEBHOOK_BREAKER_FAILURES: '0',
    });
    // Without Redis the server delivers in-process; with it, `homa worker` does.
    const receiverPort = await freePort();
    try {
      const first = await group.startDelivering();
      const token = await group.createAdmin(first, 'durable@example.com', 'durable-pass-1');
      const hook = await postJson(
        `${first.url}/api/admin/webhooks`,
        {
          name: 'Durable',
          url: `http://127.0.0.1:${receiverPort}/webhook`,
          event_user_created: true,
        },
        token,
      );
      expect(hook.status).toBe(201);

      // The receiver is down: every delivery fails and waits for a retry.
      for (let i = 0; i < EVENTS; i++) {
        const res = await postJson(
          `${first.url}/api/admin/users`,
          { email: `durable-${i}@example.com`, name: `Durable ${i}`, password: 'long-enough-pw' },
          token,
        );
        expect(res.status).toBe(201);
      }
      const dataSource = await group.database();
      await eventually(async () => {
        const rows: { n: number | string }[] = await dataSource.query(
          "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending' AND attempts >= 1",
        );
        return Number(rows[0].n) === EVENTS;
      });

      await group.killAll();
      const live = await startReceiver(undefined, receiverPort);
      try {
        await group.startDelivering();
        await live.waitFor(EVENTS, undefined, 30000);
        await eventually(async () => {
          const rows: { n: number | string }[] = await dataSource.query(
            "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'",
          );
          return Number(rows[0].n) === EVENTS;
        }, 30000);
        const ids = live.requests.map((r) => String(r.headers['x-webhook-delivery']));
        const distinct = new Set(ids);
        expect(distinct.size).toBe(EVENTS);
        for (const r of live.requests)
          expect(r.headers['webhook-id']).toBe(r.headers['x-webhook-delivery']);
        console.log(
          `durability: ${EVENTS} deliveries pending at kill -9, ${distinct.size} arrived after restart, ${ids.length - distinct.size} duplicates`,
        );
      } finally {
        await live.close();
      }
    } finally {
      await group.close();
    }
  });
});

import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { runCli } from './helpers/cli';
import { isolatedDatabase } from './helpers/database';
import { eventually, startReceiver } from './helpers/receiver';
import { freePort, ServerProcess, startServerProcess } from './helpers/server-process';

const EVENTS = 30;

describe('durability (e2e)', () => {
  it('kill -9 with deliveries pending loses none: after a restart every one arrives', async () => {
    const db = await isolatedDatabase('kill');
    const env = {
      ...db.env,
      JWT_SECRET: 'durability-test-secret-0123456789-abcdef',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      // Enough retries to outlast creating the users on a loaded machine: none may fail before the kill.
      WEBHOOK_RETRY_SCHEDULE: Array(200).fill('300ms').join(','),
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'error',
      REDIS_QUEUE_PREFIX: `homa-test-kill-${process.pid}`,
      WEBHOOK_RECONCILE_INTERVAL_MS: '500',
    };
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
    const first = await start();
    const receiverPort = await freePort();
    try {
      const created = await runCli(
        ['--create-admin', '--email', 'durable@example.com', '--password', 'durable-pass-1'],
        env,
      );
      expect(created.code).toBe(0);
      const login = await fetch(`${first.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'durable@example.com', password: 'durable-pass-1' }),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const auth = { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' };
      const hook = await fetch(`${first.url}/api/admin/webhooks`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          name: 'Durable',
          url: `http://127.0.0.1:${receiverPort}/webhook`,
          event_user_created: true,
        }),
      });
      expect(hook.status).toBe(201);

      // The receiver is down: every delivery fails and waits for a retry.
      for (let i = 0; i < EVENTS; i++) {
        const res = await fetch(`${first.url}/api/admin/users`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({
            email: `durable-${i}@example.com`,
            name: `Durable ${i}`,
            password: 'long-enough-pw',
          }),
        });
        expect(res.status).toBe(201);
      }
      await dataSource.initialize();
      await eventually(async () => {
        const rows: { n: number | string }[] = await dataSource.query(
          "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending' AND attempts >= 1",
        );
        return Number(rows[0].n) === EVENTS;
      });

      for (const p of processes.splice(0)) await p.kill9();
      const live = await startReceiver(undefined, receiverPort);
      try {
        await start();
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
      for (const p of processes) await p.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    }
  });
});

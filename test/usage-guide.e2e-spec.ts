import { bearer, createUser } from './factories/users';
import { clientIdOf, GUIDE_TICKET } from './factories/tickets';
import { runCli } from './helpers/cli';
import { isolatedDatabase } from './helpers/database';
import { eventually, startReceiver } from './helpers/receiver';
import { hmacSignature } from './helpers/signatures';
import { createTestApp } from './helpers/test-app';

/** The usage guide, step by step, with this project's CLI and a local receiver in place of webhook.site. */
describe('the usage guide, end to end (e2e)', () => {
  it('migrate, generate a webhook with --send, create a ticket, change its status and close it', async () => {
    const db = await isolatedDatabase('guide');
    const receiver = await startReceiver();
    const env = {
      ...db.env,
      JWT_SECRET: 'usage-guide-test-secret-0123456789abc',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    };
    let t: Awaited<ReturnType<typeof createTestApp>> | undefined;
    try {
      // 1. Setup Database
      const migrate = await runCli(['--migration-do'], env);
      expect(migrate.code).toBe(0);

      // 2. Generate a Test Webhook (flags in the guide's order)
      const generated = await runCli(['--generate-webhook', '--url', receiver.url, '--send'], env);
      expect(generated.stderr).toBe('');
      expect(generated.code).toBe(0);
      const lines = generated.stdout.split('\n');
      expect(lines[0]).toBe('✅ Mock webhook created successfully!');
      expect(lines[1]).toMatch(/^ {3}ID: \d+$/);
      expect(lines[2]).toMatch(/^ {3}Name: [A-Za-z ]+ - \d{3}$/);
      expect(lines[3]).toBe(`   URL: ${receiver.url}`);
      expect(lines[4]).toMatch(/^ {3}Secret: [A-Za-z0-9]{32}$/);
      expect(lines[5]).toBe('   Enabled: true');
      expect(lines[6]).toBe('');
      expect(lines[7]).toBe('📋 Event Subscriptions:');
      expect(lines[8]).toMatch(/^ {3}All Events: (true|false)$/);
      expect(lines[9]).toMatch(/^ {3}Ticket Created: (true|false)$/);
      expect(generated.stdout).toContain(
        '\n📤 Sending test webhook...\n✅ Test webhook sent successfully!\n\n💡 Check your webhook URL to see the received payload\n',
      );
      const id = Number(/ID: (\d+)/.exec(generated.stdout)![1]);
      const secret = /Secret: (\w+)/.exec(generated.stdout)![1];
      const [test] = await receiver.waitFor(1);
      expect(test.body.event).toBe('webhook.test');
      expect(test.headers['x-webhook-signature']).toBe(hmacSignature(secret, test.raw));

      // The server, on the same database; the mock webhook's random subscriptions made to cover the walkthrough.
      t = await createTestApp({ ...env, WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' });
      const admin = await createUser(t, 'admin');
      await t.http
        .put(`/api/admin/webhooks/${id}`)
        .set(bearer(admin.token))
        .send({
          event_ticket_created: true,
          event_ticket_status_change: true,
          event_ticket_closed: true,
        })
        .expect(200);

      // 3. Create a Ticket to Trigger Webhook
      const created = await t.http
        .post('/api/client/tickets')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(GUIDE_TICKET))
        .expect(201);
      const ticketId: number = created.body.id;
      const [ticketCreated] = await receiver.waitFor(1, (r) => r.body.event === 'ticket.created');
      expect(ticketCreated.body).toEqual({
        event: 'ticket.created',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        data: {
          ticket_id: ticketId,
          title: 'Test Ticket',
          client_id: await clientIdOf(t, ticketId),
          department_id: null,
          channel_id: 'web',
          status: 'new',
          priority: 'medium',
        },
      });

      await t.http
        .patch(`/api/agent/tickets/${ticketId}`)
        .set(bearer(admin.token))
        .send({ status: 'in_progress' })
        .expect(200);
      await t.http
        .post(`/api/agent/tickets/${ticketId}/close`)
        .set(bearer(admin.token))
        .expect(200);
      const [changed] = await receiver.waitFor(
        1,
        (r) => r.body.event === 'ticket.status_changed' && r.body.data.new_status === 'in_progress',
      );
      expect(changed.body.data).toEqual({
        ticket_id: ticketId,
        old_status: 'new',
        new_status: 'in_progress',
      });
      const [closed] = await receiver.waitFor(1, (r) => r.body.event === 'ticket.closed');
      expect(closed.body.data).toEqual({
        ticket_id: ticketId,
        closed_at: expect.stringMatching(/Z$/),
      });
      const toClosed = await receiver.waitFor(
        1,
        (r) => r.body.event === 'ticket.status_changed' && r.body.data.new_status === 'closed',
      );
      expect(toClosed[0].body.data.old_status).toBe('in_progress');

      for (const r of receiver.requests) {
        expect(r.headers['x-webhook-signature']).toBe(hmacSignature(secret, r.raw));
      }

      // Monitoring: the guide's query for this webhook
      // The receiver may have answered before the attempt is recorded: wait until every row is final.
      const rows = await eventually(async () => {
        const found: { event: string; success: unknown }[] = await t!.dataSource.query(
          `SELECT * FROM webhook_deliveries\nWHERE webhook_id = ${id}\nORDER BY created_at DESC;`,
        );
        return found.every((r) => Number(r.success) === 1) ? found : undefined;
      });
      expect(rows.map((r) => r.event).sort()).toEqual(
        expect.arrayContaining([
          'ticket.closed',
          'ticket.created',
          'ticket.status_changed',
          'ticket.status_changed',
          'webhook.test',
        ]),
      );
    } finally {
      await receiver.close();
      if (t) await t.close();
      await db.drop();
    }
  });

  it('--generate-webhook --send reports a failed send with ❌ and a non-zero exit status', async () => {
    const db = await isolatedDatabase('guidefail');
    const env = {
      ...db.env,
      JWT_SECRET: 'usage-guide-test-secret-0123456789abc',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    };
    try {
      await runCli(['migrate'], env);
      const res = await runCli(
        ['--send', '--url', 'http://127.0.0.1:9/webhook', '--generate-webhook'],
        env,
      );
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/❌ Test webhook failed: connection: .*ECONNREFUSED/);
      const blocked = await runCli(['generate-webhook', '--url', 'http://10.0.0.1/webhook'], env);
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(/10\.0\.0\.1 is a private address/);
      const bad = await runCli(['generate-webhook', '--url', 'javascript:alert(1)'], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/url must be an absolute http or https URL/);
    } finally {
      await db.drop();
    }
  });
});

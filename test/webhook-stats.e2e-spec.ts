import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, createUser, TestUser } from './factories/users';
import { createTicket } from './factories/tickets';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { eventually, Receiver, startReceiver, status } from './helpers/receiver';

interface Health {
  webhook_id: number;
  deliveries_24h: number;
  succeeded_24h: number;
  failed_24h: number;
  pending_24h: number;
  success_rate_24h: number | null;
  last_delivery: { id: string; event: string; status: string; status_code: number | null } | null;
  failing_since: string | null;
}
interface Bucket {
  minute: string;
  succeeded: number;
  failed: number;
  pending: number;
}

/** `YYYY-MM-DD HH:MM:SS.SSS` in UTC: a DATETIME literal both SQLite and MySQL read the same. */
function sqlTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

describe('webhook health, per-minute aggregate and delivery headers (e2e)', () => {
  let t: Harness;
  let agent: TestUser;
  let ok: Receiver;
  let broken: Receiver;
  let good: { id: number };
  let bad: { id: number };
  let idle: { id: number };

  const health = async (): Promise<Health[]> =>
    (
      (await t.http.get('/api/admin/webhook-health').set(bearer(t.admin.token)).expect(200))
        .body as {
        data: Health[];
      }
    ).data;

  beforeAll(async () => {
    t = await startHarness({ env: { WEBHOOK_RETRY_SCHEDULE: '50ms' } });
    agent = await createUser(t, 'agent');
    ok = t.receiver;
    broken = await startReceiver(status(500));
    good = await createWebhook(t, t.admin.token, {
      url: ok.url,
      event_ticket_created: true,
      headers: { 'X-Team': 'support', 'X-Webhook-Event': 'spoofed' },
    });
    bad = await createWebhook(t, t.admin.token, { url: broken.url, event_ticket_created: true });
    idle = await createWebhook(t, t.admin.token, { url: ok.url, event_user_updated: true });
    await createTicket(t);
    await createTicket(t);
    await eventually(
      async () => (await t.deliveriesOf(good.id, { status: 'succeeded' })).length === 2,
    );
    await eventually(async () => (await t.deliveriesOf(bad.id, { status: 'failed' })).length === 2);
  });
  afterAll(async () => {
    await broken.close();
    await t.close();
  });

  it('is for admins only', async () => {
    await t.http.get('/api/admin/webhook-health').expect(401);
    await t.http.get('/api/admin/webhook-health').set(bearer(agent.token)).expect(403);
    await t.http
      .get(`/api/admin/webhooks/${good.id}/deliveries-per-minute`)
      .set(bearer(agent.token))
      .expect(403);
  });

  it("gives every webhook's last delivery, 24 h counts, success rate and failing since", async () => {
    const byId = new Map((await health()).map((h) => [h.webhook_id, h]));
    expect(byId.get(good.id)).toMatchObject({
      deliveries_24h: 2,
      succeeded_24h: 2,
      failed_24h: 0,
      pending_24h: 0,
      success_rate_24h: 1,
      last_delivery: { event: 'ticket.created', status: 'succeeded', status_code: 200 },
      failing_since: null,
    });
    const failing = byId.get(bad.id);
    expect(failing).toMatchObject({
      deliveries_24h: 2,
      succeeded_24h: 0,
      failed_24h: 2,
      success_rate_24h: 0,
      last_delivery: { status: 'failed', status_code: 500 },
    });
    expect(Date.parse(String(failing?.failing_since))).toBeLessThanOrEqual(Date.now());
    expect(byId.get(idle.id)).toMatchObject({
      deliveries_24h: 0,
      success_rate_24h: null,
      last_delivery: null,
    });
  });

  it('leaves deliveries older than 24 h out of the counts but keeps the newest as last delivery', async () => {
    // The log lists newest first.
    const [newest, other] = await t.deliveriesOf(good.id);
    await t.dataSource.query('UPDATE webhook_deliveries SET created_at = ? WHERE id = ?', [
      sqlTime(new Date(Date.now() - 25 * 3600_000)),
      other.id,
    ]);
    const h = (await health()).find((x) => x.webhook_id === good.id);
    expect(h?.deliveries_24h).toBe(1);
    expect(h?.last_delivery?.id).toBe(newest.id);
  });

  it('counts deliveries per minute in the database, one bucket per minute of the last hour', async () => {
    const [first, second] = await t.deliveriesOf(bad.id);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await t.dataSource.query('UPDATE webhook_deliveries SET created_at = ? WHERE id = ?', [
      sqlTime(tenMinutesAgo),
      first.id,
    ]);
    await t.dataSource.query('UPDATE webhook_deliveries SET created_at = ? WHERE id = ?', [
      sqlTime(new Date(Date.now() - 2 * 3600_000)),
      second.id,
    ]);
    const res = await t.http
      .get(`/api/admin/webhooks/${bad.id}/deliveries-per-minute`)
      .set(bearer(t.admin.token))
      .expect(200);
    const body = res.body as { webhook_id: number; minutes: number; data: Bucket[] };
    expect(body.webhook_id).toBe(bad.id);
    expect(body.data).toHaveLength(60);
    const nowMinute = `${new Date().toISOString().slice(0, 16)}:00Z`;
    const last = body.data[59].minute;
    // The last bucket is this minute (or the one before, if the minute turned during the request).
    expect(Date.parse(nowMinute) - Date.parse(last)).toBeLessThanOrEqual(60_000);
    const hit = body.data.filter((b) => b.succeeded + b.failed + b.pending > 0);
    expect(hit).toEqual([
      {
        minute: `${tenMinutesAgo.toISOString().slice(0, 16)}:00Z`,
        succeeded: 0,
        failed: 1,
        pending: 0,
      },
    ]);

    const wider = await t.http
      .get(`/api/admin/webhooks/${bad.id}/deliveries-per-minute?minutes=180`)
      .set(bearer(t.admin.token))
      .expect(200);
    const total = (wider.body as { data: Bucket[] }).data.reduce((n, b) => n + b.failed, 0);
    expect(total).toBe(2);
  });

  it('refuses a bad window naming the field, and an unknown webhook', async () => {
    const res = await t.http
      .get(`/api/admin/webhooks/${bad.id}/deliveries-per-minute?minutes=0`)
      .set(bearer(t.admin.token))
      .expect(400);
    expect(res.body.details).toEqual([
      { field: 'minutes', errors: [expect.stringContaining('minutes')] },
    ]);
    await t.http
      .get('/api/admin/webhooks/999999/deliveries-per-minute')
      .set(bearer(t.admin.token))
      .expect(404);
  });

  it("shows a delivery's request headers without signatures", async () => {
    const [delivery] = await t.deliveriesOf(good.id);
    const res = await t.http
      .get(`/api/admin/webhook_deliveries/${delivery.id}/headers`)
      .set(bearer(t.admin.token))
      .expect(200);
    const sent = ok.requests.find((r) => r.headers['x-webhook-delivery'] === delivery.id);
    expect(sent).toBeDefined();
    const headers = res.body.headers as Record<string, string>;
    for (const name of [
      'X-Webhook-Event',
      'X-Webhook-Delivery',
      'X-Webhook-Attempt',
      'User-Agent',
      'webhook-id',
    ])
      expect(headers[name]).toBe(sent?.headers[name.toLowerCase()]);
    // A custom header's value is a credential: masked here, sent as it is.
    expect(headers['X-Team']).toBe('********');
    expect(sent?.headers['x-team']).toBe('support');
    expect(headers['X-Webhook-Event']).toBe('ticket.created');
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toEqual(
      expect.arrayContaining(['x-webhook-signature']),
    );
    expect(Object.keys(headers)).not.toContain('webhook-signature');
    expect(res.body.omitted).toEqual(
      expect.arrayContaining(['X-Webhook-Signature', 'webhook-signature']),
    );
    await t.http
      .get('/api/admin/webhook_deliveries/00000000-0000-4000-8000-000000000000/headers')
      .set(bearer(t.admin.token))
      .expect(404);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/admin/webhook-health',
        '/api/admin/webhooks/{id}/deliveries-per-minute',
        '/api/admin/webhook_deliveries/{id}/headers',
      ]),
    );
  });

  it("matches the console's committed API types (npm run console:api regenerates them)", async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).text;
    const dir = mkdtempSync(join(tmpdir(), 'homa-openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), doc);
      const out = join(dir, 'schema.d.ts');
      const bin = (name: string) => join(__dirname, '..', 'node_modules', '.bin', name);
      execFileSync(bin('openapi-typescript'), [join(dir, 'openapi.json'), '-o', out], {
        stdio: 'pipe',
      });
      const committed = join(__dirname, '..', 'console', 'src', 'api', 'schema.d.ts');
      const formatted = execFileSync(bin('prettier'), ['--stdin-filepath', committed], {
        input: readFileSync(out),
      }).toString();
      expect(formatted).toBe(readFileSync(committed, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

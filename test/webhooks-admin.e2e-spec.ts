import { bearer, createUser, TestUser } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { startReceiver, status } from './helpers/receiver';
import { EVENT_CATALOG } from '../src/events/event-catalog';

const GUIDE_BODY = {
  name: 'Production Webhook',
  url: 'https://your-api.com/webhook',
  secret: 'your-secure-secret-key',
  enabled: true,
  description: 'Production webhook for ticket events',
  event_ticket_created: true,
  event_ticket_updated: true,
  event_ticket_status_change: true,
  event_ticket_closed: true,
};

describe('webhooks admin API (e2e)', () => {
  let t: Harness;
  let agent: TestUser;

  beforeAll(async () => {
    t = await startHarness({ env: { WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32,203.0.113.0/24' } });
    agent = await createUser(t, 'agent');
  });
  afterAll(() => t.close());

  const count = async () =>
    Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM webhooks'))[0].n);

  it("creates a webhook from the guide's body, shows the secret once and masks it everywhere else", async () => {
    const created = await t.http
      .post('/api/admin/webhooks')
      .set(bearer(t.admin.token))
      .send(GUIDE_BODY)
      .expect(201);
    expect(created.body).toEqual(
      expect.objectContaining({
        ...GUIDE_BODY,
        id: expect.any(Number),
        event_all: false,
        event_user_created: false,
      }),
    );
    const id: number = created.body.id;

    const list = await t.http
      .get('/api/admin/webhooks')
      .set(bearer(t.admin.token))
      .query({ limit: 100 })
      .expect(200);
    const listed = list.body.data.find((w: { id: number }) => w.id === id);
    expect(listed.secret).toBe('********-key');
    expect(JSON.stringify(list.body)).not.toContain('your-secure-secret-key');

    const one = await t.http
      .get(`/api/admin/webhooks/${id}`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(one.body.secret).not.toContain('secure');
    const secret = await t.http
      .get(`/api/admin/webhooks/${id}/secret`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(secret.body).toEqual({ id, secret: 'your-secure-secret-key' });
  });

  it('generates a 32-character secret when none is given, and keeps enabled: false', async () => {
    const created = await createWebhook(t, t.admin.token, {
      url: 'https://example.com/hook',
      enabled: false,
    });
    expect(created.secret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(created.enabled).toBe(false);
  });

  it('PUT merges a partial body, as in the guide; PATCH too; DELETE removes', async () => {
    const { id } = await createWebhook(t, t.admin.token, { ...GUIDE_BODY });
    const put = await t.http
      .put(`/api/admin/webhooks/${id}`)
      .set(bearer(t.admin.token))
      .send({ enabled: false })
      .expect(200);
    expect(put.body).toEqual(
      expect.objectContaining({
        id,
        enabled: false,
        name: 'Production Webhook',
        event_ticket_closed: true,
      }),
    );
    const patch = await t.http
      .patch(`/api/admin/webhooks/${id}`)
      .set(bearer(t.admin.token))
      .send({ name: 'Renamed', enabled: true })
      .expect(200);
    expect(patch.body).toEqual(
      expect.objectContaining({
        name: 'Renamed',
        enabled: true,
        disabled_reason: null,
        url: GUIDE_BODY.url,
      }),
    );
    await t.http.delete(`/api/admin/webhooks/${id}`).set(bearer(t.admin.token)).expect(204);
    await t.http.get(`/api/admin/webhooks/${id}`).set(bearer(t.admin.token)).expect(404);
  });

  it.each([
    ['a non-http URL', { name: 'x', url: 'ftp://example.com/hook' }, 'url'],
    ['a javascript: URL', { name: 'x', url: 'javascript:alert(1)' }, 'url'],
    ['a relative URL', { name: 'x', url: '/webhook' }, 'url'],
    ['a missing name', { url: 'https://example.com/hook' }, 'name'],
    ['an empty name', { name: '', url: 'https://example.com/hook' }, 'name'],
    [
      'a string for a boolean',
      { name: 'x', url: 'https://example.com/hook', enabled: 'yes' },
      'enabled',
    ],
    [
      'a number for a flag',
      { name: 'x', url: 'https://example.com/hook', event_all: 1 },
      'event_all',
    ],
    [
      'an unknown field',
      { name: 'x', url: 'https://example.com/hook', event_everything: true },
      'event_everything',
    ],
    ['a short secret', { name: 'x', url: 'https://example.com/hook', secret: 'short' }, 'secret'],
    [
      'a timeout too long',
      { name: 'x', url: 'https://example.com/hook', timeout_ms: 600000 },
      'timeout_ms',
    ],
    [
      'bad headers',
      { name: 'x', url: 'https://example.com/hook', headers: { 'bad name': 'v' } },
      'headers',
    ],
    [
      'a loopback URL outside the allowed networks',
      { name: 'x', url: 'http://127.0.0.2/hook' },
      'url',
    ],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_label, body, field) => {
    const before = await count();
    const res = await t.http
      .post('/api/admin/webhooks')
      .set(bearer(t.admin.token))
      .send(body)
      .expect(400);
    expect(res.body.message).toContain(field);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await count()).toBe(before);
  });

  it('refuses a bad update without changing the webhook', async () => {
    const { id } = await createWebhook(t, t.admin.token, { url: 'https://example.com/hook' });
    const res = await t.http
      .put(`/api/admin/webhooks/${id}`)
      .set(bearer(t.admin.token))
      .send({ url: 'javascript:alert(1)' })
      .expect(400);
    expect(res.body.message).toMatch(/url/);
    const after = await t.http
      .get(`/api/admin/webhooks/${id}`)
      .set(bearer(t.admin.token))
      .expect(200);
    expect(after.body.url).toBe('https://example.com/hook');
  });

  it('answers 400 naming id for a non-numeric id and 404 for an unknown one', async () => {
    const bad = await t.http.get('/api/admin/webhooks/abc').set(bearer(t.admin.token)).expect(400);
    expect(bad.body.message).toMatch(/id must be an integer/);
    await t.http.get('/api/admin/webhooks/999999').set(bearer(t.admin.token)).expect(404);
  });

  it('lists the event catalog with a flag and sample for each event', async () => {
    const res = await t.http
      .get('/api/admin/webhook-events')
      .set(bearer(t.admin.token))
      .expect(200);
    expect(res.body.data.map((e: { event: string }) => e.event)).toEqual(
      EVENT_CATALOG.map((e) => e.event),
    );
    const created = res.body.data.find((e: { event: string }) => e.event === 'ticket.created');
    expect(created).toEqual(
      expect.objectContaining({
        flag: 'event_ticket_created',
        sample: expect.objectContaining({ ticket_id: 123, channel_id: 'web' }),
      }),
    );
  });

  describe('test route', () => {
    it('makes one real signed attempt, answers its true outcome and logs it', async () => {
      const { id } = await createWebhook(t, t.admin.token, {
        url: t.receiver.url,
        secret: 'test-route-secret',
      });
      const res = await t.http
        .post(`/api/admin/webhooks/${id}/test`)
        .set(bearer(t.admin.token))
        .expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          success: true,
          status_code: 200,
          response: 'OK',
          error: null,
          error_code: null,
          attempt: 1,
          status: 'succeeded',
        }),
      );
      expect(res.body.duration_ms).toEqual(expect.any(Number));
      const [got] = await t.receiver.waitFor(
        1,
        (r) => r.headers['x-webhook-delivery'] === res.body.delivery_id,
      );
      expect(got.body).toEqual({
        event: 'webhook.test',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        data: expect.objectContaining({ test: true, webhook_id: id }),
      });
      const log = await t.http
        .get(`/api/admin/webhook_deliveries/${res.body.delivery_id}`)
        .set(bearer(t.admin.token))
        .expect(200);
      expect(log.body).toEqual(
        expect.objectContaining({
          status: 'succeeded',
          success: true,
          attempts: 1,
          event: 'webhook.test',
        }),
      );
      expect(log.body.attempt_log).toEqual([
        expect.objectContaining({ attempt: 1, trigger: 'manual', status_code: 200 }),
      ]);
    });

    it("sends an event's sample with ?event= and reports a receiver's 500 as a failure", async () => {
      const failing = await startReceiver(status(500, {}, 'boom'));
      try {
        const { id } = await createWebhook(t, t.admin.token, { url: failing.url });
        const res = await t.http
          .post(`/api/admin/webhooks/${id}/test?event=ticket.created`)
          .set(bearer(t.admin.token))
          .expect(200);
        expect(res.body).toEqual(
          expect.objectContaining({
            success: false,
            status_code: 500,
            response: 'boom',
            error_code: 'http_status',
            status: 'failed',
          }),
        );
        expect(failing.requests[0].body.event).toBe('ticket.created');
        expect(failing.requests[0].body.data).toEqual(
          expect.objectContaining({ ticket_id: 123, test: true }),
        );
        await t.http
          .post(`/api/admin/webhooks/${id}/test?event=ticket.nope`)
          .set(bearer(t.admin.token))
          .expect(400);
      } finally {
        await failing.close();
      }
    });
  });

  describe('auth matrix', () => {
    const routes: [string, string][] = [
      ['post', '/api/admin/webhooks'],
      ['get', '/api/admin/webhooks'],
      ['get', '/api/admin/webhooks/1'],
      ['put', '/api/admin/webhooks/1'],
      ['patch', '/api/admin/webhooks/1'],
      ['delete', '/api/admin/webhooks/1'],
      ['post', '/api/admin/webhooks/1/test'],
      ['get', '/api/admin/webhooks/1/secret'],
      ['post', '/api/admin/webhooks/1/rotate-secret'],
      ['post', '/api/admin/webhooks/1/recover'],
      ['get', '/api/admin/webhook-events'],
      ['get', '/api/admin/webhook_deliveries'],
      ['get', '/api/admin/webhook_deliveries/00000000-0000-4000-8000-000000000000'],
      ['post', '/api/admin/webhook_deliveries/00000000-0000-4000-8000-000000000000/redeliver'],
    ];

    it.each(routes)('%s %s refuses no token (401) and an agent (403)', async (method, path) => {
      const call = (t.http as unknown as Record<string, (p: string) => import('supertest').Test>)[
        method
      ];
      await call.call(t.http, path).expect(401);
      await call.call(t.http, path).set(bearer(agent.token)).expect(403);
    });
  });
});

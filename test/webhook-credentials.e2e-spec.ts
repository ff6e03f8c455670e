import { createTicket } from './factories/tickets';
import { bearer, createUser, TestUser } from './factories/users';
import { createWebhook, DELIVERY_TEST_ENV } from './factories/webhooks';
import { eventually, Receiver, startReceiver } from './helpers/receiver';
import { createTestApp, TestApp } from './helpers/test-app';

const PASSWORD = 'CRM-PASSWORD-42';
const QUERY_KEY = 'KEY-abc123def456';
const HEADER_TOKEN = 'TOKEN-xyz-789';
const CREDENTIALS = [PASSWORD, QUERY_KEY, HEADER_TOKEN];
const M = '********';

/** Credentials in a webhook's URL and headers are secrets: encrypted, masked, revealed on purpose. */
describe('webhook URL and header credentials (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let receiver: Receiver;

  beforeAll(async () => {
    t = await createTestApp(DELIVERY_TEST_ENV);
    admin = await createUser(t, 'admin');
    // /gone answers 410 (the webhook is disabled), everything else 200.
    receiver = await startReceiver((req, res) => {
      res.writeHead(req.path.startsWith('/gone') ? 410 : 200).end();
    });
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  const base = () => receiver.url.replace(/\/webhook$/, '');
  const withCredentials = (path: string) =>
    `${base().replace('http://', `http://crmuser:${PASSWORD}@`)}${path}?api_key=${QUERY_KEY}&channel=support`;
  const masked = (path: string) =>
    `${base().replace('http://', `http://${M}:${M}@`)}${path}?api_key=${M}&channel=support`;
  const headers = { 'X-Api-Token': HEADER_TOKEN, 'X-Team': 'support' };
  const get = (path: string) => t.http.get(path).set(bearer(admin.token)).expect(200);
  const expectNoCredential = (value: unknown) => {
    const text = JSON.stringify(value);
    for (const secret of CREDENTIALS)
      expect([secret, text.includes(secret)]).toEqual([secret, false]);
  };

  it('are encrypted at rest, masked in every view, and still sent to the receiver', async () => {
    const created = await createWebhook(t, admin.token, {
      url: withCredentials('/crm'),
      headers,
      event_ticket_created: true,
    });
    expect(created.url).toBe(masked('/crm'));
    expect(created.headers).toEqual({ 'X-Api-Token': M, 'X-Team': M });
    expectNoCredential(created);
    expectNoCredential((await get(`/api/admin/webhooks/${created.id}`)).body);
    expectNoCredential((await get('/api/admin/webhooks')).body);

    const [row]: { url: string; headers: string }[] = await t.dataSource.query(
      'SELECT url, headers FROM webhooks WHERE id = ?',
      [created.id],
    );
    expect(row.url).toMatch(/^enc:v1:/);
    expect(Object.values(JSON.parse(row.headers) as Record<string, string>)).toEqual([
      expect.stringMatching(/^enc:v1:/),
      expect.stringMatching(/^enc:v1:/),
    ]);
    expectNoCredential(row);

    await createTicket(t);
    const [delivered] = await receiver.waitFor(1, (r) => r.path.startsWith('/crm'));
    expect(delivered.path).toBe(`/crm?api_key=${QUERY_KEY}&channel=support`);
    expect(delivered.headers.authorization).toBe(
      `Basic ${Buffer.from(`crmuser:${PASSWORD}`).toString('base64')}`,
    );
    expect(delivered.headers['x-api-token']).toBe(HEADER_TOKEN);

    const deliveries = await get(`/api/admin/webhook_deliveries?webhook_id=${created.id}`);
    expectNoCredential(deliveries.body);
    const deliveryId = (deliveries.body.data as { id: string }[])[0].id;
    expectNoCredential((await get(`/api/admin/webhook_deliveries/${deliveryId}`)).body);
    const sent = await get(`/api/admin/webhook_deliveries/${deliveryId}/headers`);
    expect(sent.body.headers).toEqual(expect.objectContaining({ 'X-Api-Token': M, 'X-Team': M }));
    expectNoCredential(sent.body);
  });

  it('are shown by GET /:id/credentials alone, and each reveal is in the audit log (without them)', async () => {
    const created = await createWebhook(t, admin.token, {
      url: withCredentials('/reveal'),
      headers,
    });
    const revealed = await get(`/api/admin/webhooks/${created.id}/credentials`);
    expect(revealed.body).toEqual({ id: created.id, url: withCredentials('/reveal'), headers });
    const audit = await get(
      `/api/admin/audit-log?target_type=webhook&target_id=${created.id}&limit=100`,
    );
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual([
      'webhook.credentials_reveal',
      'webhook.create',
    ]);
    expectNoCredential(audit.body);
    const rows: unknown[] = await t.dataSource.query('SELECT * FROM audit_log');
    expectNoCredential(rows);
    const agent = await createUser(t, 'agent');
    await t.http
      .get(`/api/admin/webhooks/${created.id}/credentials`)
      .set(bearer(agent.token))
      .expect(403);
  });

  it('sent back masked, as read, keep what is stored; a masked value anywhere else is a 400', async () => {
    const created = await createWebhook(t, admin.token, { url: withCredentials('/keep'), headers });
    const shown = (await get(`/api/admin/webhooks/${created.id}`)).body;
    const patch = (body: Record<string, unknown>) =>
      t.http.patch(`/api/admin/webhooks/${created.id}`).set(bearer(admin.token)).send(body);
    await patch({ name: 'Renamed', url: shown.url, headers: shown.headers }).expect(200);
    await t.http
      .put(`/api/admin/webhooks/${created.id}`)
      .set(bearer(admin.token))
      .send({ url: shown.url, headers: { ...shown.headers, 'X-Team': 'sales' } })
      .expect(200);
    const revealed = await get(`/api/admin/webhooks/${created.id}/credentials`);
    expect(revealed.body).toEqual({
      id: created.id,
      url: withCredentials('/keep'),
      headers: { ...headers, 'X-Team': 'sales' },
    });

    const moved = await patch({ url: masked('/elsewhere') }).expect(400);
    expect(moved.body.details.map((d: { field: string }) => d.field)).toEqual(['url']);
    const unknown = await patch({ headers: { 'X-Other': M } }).expect(400);
    expect(unknown.body.details.map((d: { field: string }) => d.field)).toEqual(['headers']);
    expect((await get(`/api/admin/webhooks/${created.id}/credentials`)).body).toEqual(
      revealed.body,
    );
  });

  it('never reach an alert: webhook.disabled carries the URL without user info or query', async () => {
    const pager = await createWebhook(t, admin.token, {
      url: `${base()}/pager`,
      event_webhook_disabled: true,
    });
    const gone = await createWebhook(t, admin.token, {
      url: withCredentials('/gone'),
      headers,
      event_ticket_created: true,
    });
    await createTicket(t);
    const [alert] = await receiver.waitFor(
      1,
      (r) => r.path === '/pager' && r.body.event === 'webhook.disabled',
      15000,
    );
    expect(alert.body.data).toMatchObject({ webhook_id: gone.id, url: `${base()}/gone` });
    expectNoCredential(alert.body);
    await eventually(async () => {
      const events: { body: string }[] = await t.dataSource.query(
        "SELECT body FROM webhook_events WHERE name = 'webhook.disabled'",
      );
      return events.length > 0 && events.every((e) => !e.body.includes(PASSWORD));
    });
    await t.http
      .patch(`/api/admin/webhooks/${pager.id}`)
      .set(bearer(admin.token))
      .send({ enabled: false })
      .expect(200);
  });
});

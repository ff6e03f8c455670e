import { createHmac } from 'node:crypto';
import { bearer, createUser, TestUser } from './factories/users';
import { createTicket } from './factories/tickets';
import { createWebhook, DELIVERY_TEST_ENV } from './factories/webhooks';
import { eventually, ok, Receiver, startReceiver, status } from './helpers/receiver';
import { standardWebhooksAccept } from './helpers/signatures';
import { createTestApp, TestApp } from './helpers/test-app';

const SLACKISH =
  '{"text": "Ticket #" & $string(data.ticket_id) & ": " & data.title & " (" & data.priority & ")"}';

/** Templates: parse-checked when saved; rendered once per delivery, signed, sent and logged. */
describe('webhook templates (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let shaped: Receiver;
  let plain: Receiver;

  beforeAll(async () => {
    t = await createTestApp(DELIVERY_TEST_ENV);
    admin = await createUser(t, 'admin');
    shaped = await startReceiver(ok, 0, { validateSchemas: false });
    plain = await startReceiver();
  });
  afterAll(async () => {
    await shaped.close();
    await plain.close();
    await t.close();
  });

  const deliveryRows = (webhookId: number): Promise<Record<string, unknown>[]> =>
    t.dataSource.query(
      'SELECT id, status, attempts, body, event_id FROM webhook_deliveries WHERE webhook_id = ?',
      [webhookId],
    );
  const attemptsOf = (deliveryId: string): Promise<Record<string, unknown>[]> =>
    t.dataSource.query(
      'SELECT attempt, error_code, error, status_code FROM webhook_delivery_attempts WHERE delivery_id = ? ORDER BY attempt',
      [deliveryId],
    );

  it.each([
    ['an unclosed object', '{"text": ', /template does not parse/],
    ['an unclosed block', 'data.(', /template does not parse/],
    ['blanks', '   ', /template must not be empty/],
    ['a number', 42, /template must be a string/],
    ['17,000 characters', '"' + 'x'.repeat(17_000) + '"', /longer than 16384/],
  ])('answers 400 naming template for %s and stores nothing', async (_, template, message) => {
    const before = Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM webhooks'))[0].n);
    const res = await t.http
      .post('/api/admin/webhooks')
      .set(bearer(admin.token))
      .send({ name: 'Bad template', url: 'https://hooks.example.com/t', template })
      .expect(400);
    expect(res.body.details).toEqual([
      { field: 'template', errors: [expect.stringMatching(message)] },
    ]);
    const after = Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM webhooks'))[0].n);
    expect(after).toBe(before);
  });

  it('sends the rendered body, signed over its bytes, stores it once and logs it', async () => {
    const secret = 'templated-secret-0123456789';
    const hook = await createWebhook(t, admin.token, {
      url: shaped.url,
      secret,
      event_ticket_created: true,
      template: SLACKISH,
    });
    expect(hook.template).toBe(SLACKISH);
    const other = await createWebhook(t, admin.token, {
      url: plain.url,
      event_ticket_created: true,
    });
    const ticket = await createTicket(t, { title: 'Café <down> ✓', priority: 'urgent' });
    const [got] = await shaped.waitFor(1, (r) => r.raw.includes(`#${ticket.id}:`));
    const expected = JSON.stringify({ text: `Ticket #${ticket.id}: Café <down> ✓ (urgent)` });
    expect(got.raw.toString('utf8')).toBe(expected);
    expect(got.headers['x-webhook-event']).toBe('ticket.created');
    expect(got.headers['x-webhook-signature']).toBe(
      createHmac('sha256', secret).update(got.raw).digest('hex'),
    );
    expect(standardWebhooksAccept(got, secret)).toBe(true);

    const [row] = await eventually(async () => {
      const rows = await deliveryRows(hook.id);
      return rows.length === 1 && rows[0].status === 'succeeded' && rows;
    });
    expect(row.body).toBe(expected);
    const log = await t.http
      .get(`/api/admin/webhook_deliveries/${String(row.id)}`)
      .set(bearer(admin.token))
      .expect(200);
    expect(log.body.payload).toBe(expected);
    // The untemplated webhook still shares its event's body: nothing stored per delivery.
    await plain.waitFor(1, (r) => r.body.data.ticket_id === ticket.id);
    const [plainRow] = await eventually(async () => {
      const rows = await deliveryRows(other.id);
      return rows.length === 1 && rows[0].status === 'succeeded' && rows;
    });
    expect(plainRow.body).toBeNull();
  });

  it('retries send the same rendered bytes', async () => {
    const retried = await startReceiver(status(500), 0, { validateSchemas: false });
    try {
      const hook = await createWebhook(t, admin.token, {
        url: retried.url,
        event_ticket_created: true,
        template: '{"id": data.ticket_id, "rendered_at": $millis(), "nonce": $random()}',
      });
      await createTicket(t);
      const first = await retried.waitFor(1);
      retried.respondWith(ok);
      const both = await retried.waitFor(2);
      expect(both[1].raw.equals(first[0].raw)).toBe(true);
      expect(both[1].headers['x-webhook-attempt']).toBe('2');
      await eventually(async () => (await deliveryRows(hook.id))[0]?.status === 'succeeded');
    } finally {
      await retried.close();
    }
  });

  it('a template that fails at send time fails its delivery, with the error on its attempt and an alert', async () => {
    const alerts = await startReceiver();
    try {
      await createWebhook(t, admin.token, { url: alerts.url, event_delivery_failed: true });
      const hook = await createWebhook(t, admin.token, {
        url: shaped.url,
        event_ticket_created: true,
        template: 'data.priority = "medium" ? $error("no medium tickets here") : {"ok": true}',
      });
      await createTicket(t, { priority: 'medium' });
      const [row] = await eventually(async () => {
        const rows = await deliveryRows(hook.id);
        return rows.length === 1 && rows[0].status === 'failed' && rows;
      });
      expect(Number(row.attempts)).toBe(1);
      expect(row.body).toBeNull();
      const attempts = await attemptsOf(String(row.id));
      expect(attempts).toEqual([
        expect.objectContaining({
          error_code: 'template',
          error: expect.stringMatching(/template failed: .*no medium tickets here/),
          status_code: null,
        }),
      ]);
      const [alert] = await alerts.waitFor(1, (r) => r.body.event === 'delivery.failed');
      expect(alert.body.data).toEqual(
        expect.objectContaining({ delivery_id: row.id, last_error_code: 'template' }),
      );
      // The app keeps serving.
      await t.http.get('/api/admin/webhooks').set(bearer(admin.token)).expect(200);
    } finally {
      await alerts.close();
    }
  });
});

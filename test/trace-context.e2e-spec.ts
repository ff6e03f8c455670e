import { bearer } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { eventually, ok, ReceivedRequest, status } from './helpers/receiver';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** The trace id, span id and flags a delivery's `traceparent` carries (failing when it is not one). */
function traceOf(request: ReceivedRequest): { traceId: string; spanId: string; flags: string } {
  const header = request.headers.traceparent;
  expect(header).toMatch(TRACEPARENT);
  const [, traceId, spanId, flags] = TRACEPARENT.exec(header as string)!;
  expect(traceId).not.toBe('0'.repeat(32));
  expect(spanId).not.toBe('0'.repeat(16));
  return { traceId, spanId, flags };
}

describe('trace context (e2e)', () => {
  let t: Harness;
  let hookId: number;

  beforeAll(async () => {
    t = await startHarness();
    hookId = (
      await createWebhook(t, t.admin.token, { url: t.receiver.url, event_user_created: true })
    ).id;
  });
  afterAll(() => t.close());

  /** One `user.created` from an API request with these headers; answers its delivery as received. */
  async function deliveredAfter(headers: Record<string, string>): Promise<ReceivedRequest> {
    const email = `traced-${Math.random().toString(36).slice(2)}@example.com`;
    await t.http
      .post('/api/admin/users')
      .set({ ...bearer(t.admin.token), ...headers })
      .send({ email, name: 'Traced', password: 'long-enough-pw' })
      .expect(201);
    const [delivery] = await t.receiver.waitFor(
      1,
      (r) => r.body.event === 'user.created' && r.body.data.email === email,
    );
    return delivery;
  }

  it("passes a caller's trace id to the event and its delivery, under a span of Homa's own", async () => {
    const delivery = await deliveredAfter({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    const sent = traceOf(delivery);
    expect(sent).toEqual({ traceId: CALLER_TRACE, spanId: expect.any(String), flags: '01' });
    expect(sent.spanId).not.toBe(CALLER_SPAN);
    // The event row keeps the trace in the outbox, with the span that recorded it.
    const [row]: { traceparent: string }[] = await t.dataSource.query(
      `SELECT e.traceparent FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id
       WHERE d.id = ?`,
      [delivery.headers['x-webhook-delivery']],
    );
    expect(row.traceparent).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
    expect(row.traceparent).not.toContain(CALLER_SPAN);
    expect(row.traceparent).not.toContain(sent.spanId);
    // Every header the usage guide lists is still there beside it.
    for (const name of [
      'content-type',
      'user-agent',
      'x-webhook-event',
      'x-webhook-delivery',
      'x-webhook-attempt',
      'x-webhook-signature',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ])
      expect(delivery.headers[name]).toEqual(expect.any(String));
  });

  it('keeps an unsampled caller unsampled', async () => {
    const sent = traceOf(
      await deliveredAfter({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-00` }),
    );
    expect(sent.traceId).toBe(CALLER_TRACE);
    expect(sent.flags).toBe('00');
  });

  it('starts a fresh trace per request without a traceparent, or with an invalid one', async () => {
    const plain = [traceOf(await deliveredAfter({})), traceOf(await deliveredAfter({}))];
    const invalid = [
      `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`,
      `00-${CALLER_TRACE}-${'0'.repeat(16)}-01`,
      `01-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      `00-${CALLER_TRACE.toUpperCase()}-${CALLER_SPAN}-01`,
      'garbage',
    ];
    const refused = [];
    for (const traceparent of invalid) refused.push(traceOf(await deliveredAfter({ traceparent })));
    const traces = [...plain, ...refused].map((s) => s.traceId);
    expect(new Set(traces).size).toBe(traces.length);
    expect(traces).not.toContain(CALLER_TRACE);
    for (const s of [...plain, ...refused]) expect(s.flags).toBe('01');
  });

  it('gives every attempt of a delivery the same trace id and a span id of its own', async () => {
    let calls = 0;
    t.receiver.respondWith((req, res) => {
      calls += 1;
      if (calls === 1) status(503)(req, res);
      else ok(req, res);
    });
    try {
      const first = await deliveredAfter({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
      const id = first.headers['x-webhook-delivery'];
      const attempts = await t.receiver.waitFor(2, (r) => r.headers['x-webhook-delivery'] === id);
      expect(attempts.map((r) => r.headers['x-webhook-attempt'])).toEqual(['1', '2']);
      const [one, two] = attempts.map(traceOf);
      expect(one.traceId).toBe(CALLER_TRACE);
      expect(two.traceId).toBe(CALLER_TRACE);
      expect(two.spanId).not.toBe(one.spanId);
      // A redelivery from the log stays in the event's trace, with yet another span. (Once the second
      // attempt's outcome is written: until then its lease holds the delivery and a redelivery is a 409.)
      await eventually(async () => {
        const res = await t.http
          .get(`/api/admin/webhook_deliveries/${String(id)}`)
          .set(bearer(t.admin.token));
        return (res.body as { status?: string }).status === 'succeeded';
      });
      await t.http
        .post(`/api/admin/webhook_deliveries/${String(id)}/redeliver`)
        .set(bearer(t.admin.token))
        .expect(200);
      const all = await t.receiver.waitFor(3, (r) => r.headers['x-webhook-delivery'] === id);
      const three = traceOf(all[2]);
      expect(three.traceId).toBe(CALLER_TRACE);
      expect(new Set([one.spanId, two.spanId, three.spanId]).size).toBe(3);
    } finally {
      t.receiver.respondWith(ok);
    }
  });

  it('sends a test delivery in the trace of the request that asked for it', async () => {
    const traceId = 'a'.repeat(31) + 'b';
    await t.http
      .post(`/api/admin/webhooks/${hookId}/test`)
      .set({ ...bearer(t.admin.token), traceparent: `00-${traceId}-${CALLER_SPAN}-01` })
      .expect((res) => expect(res.status).toBeLessThan(300));
    const sent = await eventually(() =>
      Promise.resolve(
        t.receiver.requests.find(
          (r) => r.body.event === 'webhook.test' && traceOf(r).traceId === traceId,
        ),
      ),
    );
    expect(traceOf(sent).spanId).not.toBe(CALLER_SPAN);
  });
});

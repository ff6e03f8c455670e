import { bearer } from './factories/users';
import { createTicket, CreatedTicket } from './factories/tickets';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { eventually, ok, ReceivedRequest, startReceiver, status } from './helpers/receiver';

const RETRY_MS = 2000;

/** Ordered delivery per key: one ticket's events one at a time, in commit order, with X-Webhook-Sequence. */
describe('ordered delivery (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness({
      env: {
        WEBHOOK_RETRY_SCHEDULE: `${RETRY_MS}ms,${RETRY_MS}ms`,
        WEBHOOK_POLL_INTERVAL_MS: '50',
      },
    });
  });
  afterAll(() => t.close());
  // Each test's webhooks stop with it, so their retries do not run into the next test.
  afterEach(async () => {
    const hooks = await t.http.get('/api/admin/webhooks?limit=100').set(bearer(t.admin.token));
    for (const hook of hooks.body.data as { id: number }[])
      await t.http
        .patch(`/api/admin/webhooks/${hook.id}`)
        .set(bearer(t.admin.token))
        .send({ enabled: false })
        .expect(200);
  });

  const reply = (ticket: CreatedTicket, body: string) =>
    t.http
      .post(`/api/client/tickets/${ticket.id}/messages`)
      .set('X-Ticket-Secret', ticket.secret)
      .send({ body })
      .expect(201);

  /** A ticket (ticket.created, then its first message) and `replies` more messages: 2 + replies events. */
  const ticketWithReplies = async (replies: number) => {
    const ticket = await createTicket(t, { message: 'first' });
    for (let i = 1; i <= replies; i++) await reply(ticket, `reply ${i}`);
    return ticket;
  };

  const ofTicket = (requests: ReceivedRequest[], ticket: CreatedTicket) =>
    requests.filter((r) => r.body.data.ticket_id === ticket.id);
  const sequences = (requests: ReceivedRequest[]) =>
    requests.map((r) => Number(r.headers['x-webhook-sequence']));
  const bodies = (requests: ReceivedRequest[]) =>
    requests.map((r) => (r.body.event === 'ticket.created' ? 'created' : r.body.data.body));

  const subscription = { event_ticket_created: true, event_message_created: true };

  it('admin API: ordered defaults to false, is set on create and by PATCH, and is validated', async () => {
    const plain = await createWebhook(t, t.admin.token, { url: 'http://127.0.0.1:9/x' });
    expect(plain.ordered).toBe(false);
    const ordered = await createWebhook(t, t.admin.token, {
      url: 'http://127.0.0.1:9/x',
      ordered: true,
    });
    expect(ordered.ordered).toBe(true);
    const patched = await t.http
      .patch(`/api/admin/webhooks/${plain.id}`)
      .set(bearer(t.admin.token))
      .send({ ordered: true })
      .expect(200);
    expect(patched.body.ordered).toBe(true);
    const bad = await t.http
      .put(`/api/admin/webhooks/${plain.id}`)
      .set(bearer(t.admin.token))
      .send({ ordered: 'yes' })
      .expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/ordered/);
    const listed = await t.http.get(`/api/admin/webhooks/${plain.id}`).set(bearer(t.admin.token));
    expect(listed.body.ordered).toBe(true);
  });

  it("fail, fail, ok on a ticket's first event: its later events wait, then arrive in order with sequences 1, 2, 3…; other tickets and unordered webhooks are not held back", async () => {
    let firstAttempts = 0;
    let slow: CreatedTicket | null = null;
    const receiver = await startReceiver((req, res) => {
      const held =
        req.path.includes('ordered') &&
        req.body.event === 'ticket.created' &&
        slow !== null &&
        req.body.data.ticket_id === slow.id;
      if (held && ++firstAttempts <= 2) return status(503)(req, res);
      ok(req, res);
    });
    try {
      const orderedHook = await createWebhook(t, t.admin.token, {
        url: `${receiver.url}?h=ordered`,
        ordered: true,
        ...subscription,
      });
      await createWebhook(t, t.admin.token, { url: `${receiver.url}?h=plain`, ...subscription });
      const onOrdered = (r: ReceivedRequest) => r.path.includes('ordered');
      const onPlain = (r: ReceivedRequest) => r.path.includes('plain');

      slow = await createTicket(t, { message: 'first' });
      for (let i = 1; i <= 3; i++) await reply(slow, `reply ${i}`);
      const other = await ticketWithReplies(2);

      // The other ticket's four events and every event on the unordered webhook arrive while the
      // slow ticket's first event is still being retried.
      await receiver.waitFor(4, (r) => onOrdered(r) && r.body.data.ticket_id === other.id);
      await receiver.waitFor(5, (r) => onPlain(r) && r.body.data.ticket_id === slow!.id);
      // Meanwhile the slow ticket got nothing but its first event's attempts.
      expect(
        ofTicket(receiver.requests.filter(onOrdered), slow).every(
          (r) => r.body.event === 'ticket.created',
        ),
      ).toBe(true);

      await receiver.waitFor(7, (r) => onOrdered(r) && r.body.data.ticket_id === slow!.id);
      const slowOrdered = ofTicket(receiver.requests.filter(onOrdered), slow);
      expect(bodies(slowOrdered)).toEqual([
        'created',
        'created',
        'created',
        'first',
        'reply 1',
        'reply 2',
        'reply 3',
      ]);
      expect(sequences(slowOrdered)).toEqual([1, 1, 1, 2, 3, 4, 5]);
      expect(slowOrdered.map((r) => r.headers['x-webhook-attempt'])).toEqual([
        '1',
        '2',
        '3',
        '1',
        '1',
        '1',
        '1',
      ]);
      const otherOrdered = ofTicket(receiver.requests.filter(onOrdered), other);
      expect(bodies(otherOrdered)).toEqual(['created', 'first', 'reply 1', 'reply 2']);
      expect(sequences(otherOrdered)).toEqual([1, 2, 3, 4]);
      // The other ticket was not held back: all of it arrived before the slow ticket's first success.
      expect(Math.max(...otherOrdered.map((r) => r.at))).toBeLessThan(slowOrdered[2].at);

      const plain = receiver.requests.filter(onPlain);
      expect(plain.every((r) => r.headers['x-webhook-sequence'] === undefined)).toBe(true);
      expect(Math.max(...ofTicket(plain, slow).map((r) => r.at))).toBeLessThan(slowOrdered[2].at);

      const rows = await eventually(async () => {
        const all = await t.deliveryRows(orderedHook.id);
        return all.length === 9 && all.every((d) => d.status === 'succeeded') ? all : undefined;
      });
      expect(
        rows.filter((d) => d.ordering_key === `ticket:${slow!.id}`).map((d) => Number(d.sequence)),
      ).toEqual([1, 2, 3, 4, 5]);

      // A test send is a one-off: no sequence, and the stream goes on from where it was.
      const test = await t.http
        .post(`/api/admin/webhooks/${orderedHook.id}/test`)
        .set(bearer(t.admin.token))
        .expect(200);
      expect(test.body.success).toBe(true);
      const testRequest = receiver.requests.find((r) => r.body.event === 'webhook.test')!;
      expect(testRequest.headers['x-webhook-sequence']).toBeUndefined();
      await reply(slow, 'after the test');
      const [last] = (
        await receiver.waitFor(8, (r) => onOrdered(r) && r.body.data.ticket_id === slow!.id)
      ).slice(-1);
      expect(last.body.data.body).toBe('after the test');
      expect(last.headers['x-webhook-sequence']).toBe('6');
    } finally {
      await receiver.close();
    }
  });

  it('a delivery given up after its last retry releases the next of its key', async () => {
    let doomed: CreatedTicket | null = null;
    const receiver = await startReceiver((req, res) => {
      if (req.body.event === 'ticket.created' && req.body.data.ticket_id === doomed?.id)
        return status(500)(req, res);
      ok(req, res);
    });
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: receiver.url,
        ordered: true,
        ...subscription,
      });
      doomed = await createTicket(t, { message: 'first' });
      await reply(doomed, 'reply 1');
      const requests = await receiver.waitFor(5);
      expect(bodies(requests)).toEqual(['created', 'created', 'created', 'first', 'reply 1']);
      expect(sequences(requests)).toEqual([1, 1, 1, 2, 3]);
      // The next one went only after the last retry had failed.
      expect(requests[3].at - requests[2].at).toBeGreaterThanOrEqual(0);
      expect(requests[2].at - requests[0].at).toBeGreaterThanOrEqual(2 * RETRY_MS * 0.8 - 20);
      const rows = await eventually(async () => {
        const all = await t.deliveryRows(hook.id);
        return all.length === 3 && all[2].status === 'succeeded' ? all : undefined;
      });
      expect(rows.map((d) => [Number(d.sequence), d.status, Number(d.attempts)])).toEqual([
        [1, 'failed', 3],
        [2, 'succeeded', 1],
        [3, 'succeeded', 1],
      ]);

      // recover puts the failed one back at the head of its stream: sent again, with its sequence.
      doomed = null;
      const recovered = await t.http
        .post(`/api/admin/webhooks/${hook.id}/recover`)
        .set(bearer(t.admin.token))
        .send({ since: new Date(Date.now() - 60_000).toISOString() })
        .expect(202);
      expect(recovered.body.requeued).toBe(1);
      const [again] = (await receiver.waitFor(6)).slice(5);
      expect([again.body.event, again.headers['x-webhook-sequence']]).toEqual([
        'ticket.created',
        '1',
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('disabling and re-enabling an ordered webhook keeps the order of what is still pending', async () => {
    let accept = false;
    const receiver = await startReceiver((req, res) =>
      accept ? ok(req, res) : status(503)(req, res),
    );
    try {
      const hook = await createWebhook(t, t.admin.token, {
        url: receiver.url,
        ordered: true,
        ...subscription,
      });
      const ticket = await ticketWithReplies(3);
      await receiver.waitFor(1);
      await t.http
        .patch(`/api/admin/webhooks/${hook.id}`)
        .set(bearer(t.admin.token))
        .send({ enabled: false })
        .expect(200);
      // The head's next retry finds the webhook disabled: every delivery is held, still pending.
      const held = await eventually(async () => {
        const all = await t.deliveryRows(hook.id);
        return all.length === 5 &&
          all.every((d) => d.status === 'pending' && d.next_attempt_at === null)
          ? all
          : undefined;
      });
      expect(held.map((d) => Number(d.sequence))).toEqual([1, 2, 3, 4, 5]);
      const before = receiver.requests.length;
      expect(before).toBeLessThanOrEqual(2);
      accept = true;
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.requests).toHaveLength(before);

      await t.http
        .patch(`/api/admin/webhooks/${hook.id}`)
        .set(bearer(t.admin.token))
        .send({ enabled: true })
        .expect(200);
      const requests = (await receiver.waitFor(before + 5)).slice(before);
      expect(ofTicket(requests, ticket)).toHaveLength(5);
      expect(bodies(requests)).toEqual(['created', 'first', 'reply 1', 'reply 2', 'reply 3']);
      expect(sequences(requests)).toEqual([1, 2, 3, 4, 5]);
      await eventually(async () =>
        (await t.deliveryRows(hook.id)).every((d) => d.status === 'succeeded'),
      );
    } finally {
      await receiver.close();
    }
  });
});

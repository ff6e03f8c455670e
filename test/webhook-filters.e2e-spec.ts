import { Harness, startHarness } from './helpers/harness';
import { bearer } from './factories/users';
import { createTicket, CreatedTicket } from './factories/tickets';
import { createWebhook } from './factories/webhooks';
import { ReceivedRequest } from './helpers/receiver';

const URGENT_ONLY = { data: { priority: { $in: ['high', 'urgent'] } } };

/** Filters: checked when saved, matched at fan-out; a dropped event makes no delivery and no number. */
describe('webhook filters (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness();
  });
  afterAll(() => t.close());

  const webhookCount = async () =>
    Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM webhooks'))[0].n);
  const deliveriesOf = async (webhookId: number): Promise<{ event: string; event_id: string }[]> =>
    t.dataSource.query('SELECT event, event_id FROM webhook_deliveries WHERE webhook_id = ?', [
      webhookId,
    ]);
  const to = (suffix: string) => (r: ReceivedRequest) => r.path === `/webhook/${suffix}`;

  it('stores a filter on create, reads it back, replaces it and clears it with null', async () => {
    const hook = await createWebhook(t, t.admin.token, {
      url: 'https://hooks.example.com/a',
      event_ticket_created: true,
      filter: URGENT_ONLY,
    });
    expect(hook.filter).toEqual(URGENT_ONLY);
    const read = await t.http.get(`/api/admin/webhooks/${hook.id}`).set(bearer(t.admin.token));
    expect(read.body.filter).toEqual(URGENT_ONLY);
    const replaced = { $or: [{ data: { priority: 'low' } }, { event: 'ticket.closed' }] };
    const patched = await t.http
      .patch(`/api/admin/webhooks/${hook.id}`)
      .set(bearer(t.admin.token))
      .send({ filter: replaced })
      .expect(200);
    expect(patched.body.filter).toEqual(replaced);
    await t.http
      .put(`/api/admin/webhooks/${hook.id}`)
      .set(bearer(t.admin.token))
      .send({ filter: null })
      .expect(200);
    const cleared = await t.http.get(`/api/admin/webhooks/${hook.id}`).set(bearer(t.admin.token));
    expect(cleared.body.filter).toBeNull();
  });

  it.each([
    [{ data: { priority: { $regex: '^u' } } }, /unknown operator \$regex/],
    [{ data: { priority: { $in: 'urgent' } } }, /filter\.data\.priority\.\$in must be an array/],
    [{ data: { ticket_id: { $gt: [1] } } }, /\$gt must be a number or a string/],
    ['urgent', /filter must be a JSON object/],
    [{ $or: Array.from({ length: 600 }, (_, i) => ({ [`k${i}`]: i })) }, /more than 500/],
  ])('answers 400 naming filter for %j and stores nothing', async (filter, message) => {
    const before = await webhookCount();
    const res = await t.http
      .post('/api/admin/webhooks')
      .set(bearer(t.admin.token))
      .send({ name: 'Bad filter', url: 'https://hooks.example.com/b', filter })
      .expect(400);
    expect(res.body.details).toEqual([
      { field: 'filter', errors: [expect.stringMatching(message)] },
    ]);
    expect(await webhookCount()).toBe(before);
  });

  it('refuses a bad filter on update and keeps the stored one', async () => {
    const hook = await createWebhook(t, t.admin.token, {
      url: 'https://hooks.example.com/c',
      filter: URGENT_ONLY,
    });
    const res = await t.http
      .patch(`/api/admin/webhooks/${hook.id}`)
      .set(bearer(t.admin.token))
      .send({ filter: { data: { $where: 'true' } } })
      .expect(400);
    expect(res.body.details[0].field).toBe('filter');
    const read = await t.http.get(`/api/admin/webhooks/${hook.id}`).set(bearer(t.admin.token));
    expect(read.body.filter).toEqual(URGENT_ONLY);
  });

  it('delivers only the events a filter keeps; a dropped event makes no delivery row', async () => {
    const filtered = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}/filtered`,
      event_ticket_created: true,
      filter: URGENT_ONLY,
    });
    const unfiltered = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}/all`,
      event_ticket_created: true,
    });

    const low = await createTicket(t, { priority: 'low' });
    const urgent = await createTicket(t, { priority: 'urgent' });
    const medium = await createTicket(t, { priority: 'medium' });
    await t.receiver.waitFor(3, to('all'));
    const got = await t.receiver.waitFor(1, to('filtered'));
    // The unfiltered webhook got all three; by then fan-out has passed every one of them.
    expect(got.map((r) => r.body.data.ticket_id)).toEqual([urgent.id]);
    const rows = await deliveriesOf(filtered.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].event).toBe('ticket.created');
    expect((await deliveriesOf(unfiltered.id)).length).toBe(3);
    expect([low, medium].map((x: CreatedTicket) => x.id)).not.toContain(got[0].body.data.ticket_id);
  });

  it('numbers an ordered filtered stream 1, 2, 3… with no gaps for dropped events', async () => {
    const hook = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}/ordered`,
      event_all: true,
      ordered: true,
      filter: { event: { $in: ['ticket.created', 'ticket.closed'] } },
    });
    const ticket = await createTicket(t, { message: 'first' });
    // message.created ×2, then ticket.updated, ticket.status_changed, ticket.closed: all but the last dropped.
    for (const body of ['second', 'third'])
      await t.http
        .post(`/api/client/tickets/${ticket.id}/messages`)
        .set('X-Ticket-Secret', ticket.secret)
        .send({ body })
        .expect(201);
    await t.http
      .post(`/api/client/tickets/${ticket.id}/close`)
      .set('X-Ticket-Secret', ticket.secret)
      .expect(200);
    const got = await t.receiver.waitFor(
      2,
      (r) => to('ordered')(r) && r.body.data.ticket_id === ticket.id,
    );
    expect(got.map((r) => [r.body.event, r.headers['x-webhook-sequence']])).toEqual([
      ['ticket.created', '1'],
      ['ticket.closed', '2'],
    ]);
    const rows: { sequence: number | string }[] = await t.dataSource.query(
      'SELECT sequence FROM webhook_deliveries WHERE webhook_id = ? ORDER BY sequence',
      [hook.id],
    );
    expect(rows.map((r) => Number(r.sequence))).toEqual([1, 2]);
  });
});

import { Harness, startHarness } from './helpers/harness';
import { bearer, createUser } from './factories/users';
import { createTicket } from './factories/tickets';
import { createWebhook } from './factories/webhooks';
import { validateEventBody } from './helpers/event-schema-validator';
import { EVENT_CATALOG } from '../src/events/event-catalog';

describe('event schemas (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    t = await startHarness();
  });
  afterAll(() => t.close());

  it('lists a schema_url with every catalog event and serves each schema there', async () => {
    const catalog = await t.http
      .get('/api/admin/webhook-events')
      .set(bearer(t.admin.token))
      .expect(200);
    const entries = catalog.body.data as { event: string; schema_url: string }[];
    expect(entries.map((e) => e.event)).toEqual(EVENT_CATALOG.map((e) => e.event));
    for (const entry of entries) {
      expect(entry.schema_url).toBe(`/api/admin/webhook-events/${entry.event}/schema`);
      const schema = await t.http.get(entry.schema_url).set(bearer(t.admin.token)).expect(200);
      expect(schema.body).toEqual(
        expect.objectContaining({
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          title: entry.event,
          properties: expect.objectContaining({ event: { const: entry.event } }),
        }),
      );
    }
  });

  it('answers 404 for an event not in the catalog, and only to admins', async () => {
    await t.http
      .get('/api/admin/webhook-events/ticket.deleted/schema')
      .set(bearer(t.admin.token))
      .expect(404);
    const agent = await createUser(t, 'agent');
    await t.http
      .get('/api/admin/webhook-events/ticket.created/schema')
      .set(bearer(agent.token))
      .expect(403);
  });

  it('the receiver helper checks every delivered body against its schema', async () => {
    await createWebhook(t, t.admin.token, { url: t.receiver.url, event_all: true });
    const ticket = await createTicket(t);
    // client.created, ticket.created, message.created
    const got = await t.receiver.waitFor(
      3,
      (r) => r.body.data.ticket_id === ticket.id || r.body.data.client_id === ticket.client_id,
    );
    expect(new Set(got.map((r) => r.body.event))).toEqual(
      new Set(['client.created', 'ticket.created', 'message.created']),
    );
    expect(t.receiver.schemaViolations).toEqual([]);
    for (const r of got) expect(validateEventBody(r.body.event, r.body)).toBeNull();
    // And it does catch a body that breaks its schema.
    expect(
      validateEventBody('ticket.created', { ...got[0].body, data: { ticket_id: 'one' } }),
    ).toMatch(/ticket_id must be integer/);
  });
});

import { bearer } from './factories/users';
import { createTicket } from './factories/tickets';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { eventually } from './helpers/receiver';

interface Listed {
  data: { id: number; name: string; url: string }[];
  meta: { page: number; limit: number; total: number; total_pages: number };
}
interface HealthPage {
  data: { webhook_id: number; deliveries_24h: number; last_delivery: { event: string } | null }[];
  meta: Listed['meta'];
}

/** Many webhooks: the list and the health page a page at a time, searched by name or URL. */
describe('webhook list and health: paging and search (e2e)', () => {
  let t: Harness;
  const ids: Record<string, number> = {};

  const get = async <T>(path: string, expected = 200): Promise<T> =>
    (await t.http.get(path).set(bearer(t.admin.token)).expect(expected)).body as T;
  const names = (page: Listed) => page.data.map((w) => w.name);

  beforeAll(async () => {
    t = await startHarness();
    const hooks: [string, string][] = [
      ['Slack Integration', 'http://127.0.0.1:9/services/alpha'],
      ['Teams channel', 'http://127.0.0.1:9/Teams/Beta'],
      // Credentials in the URL: stored encrypted; found by host and path, never by a credential.
      [
        'With credentials',
        'http://robot:Hunter2Password@127.0.0.1:9/vault/hook?token=tok3nSecretValue',
      ],
      ['100% real_name', 'http://127.0.0.1:9/percent'],
    ];
    for (const [name, url] of hooks)
      ids[name] = (
        await createWebhook(t, t.admin.token, { name, url, event_user_updated: true })
      ).id;
    for (let i = 0; i < 21; i++)
      await createWebhook(t, t.admin.token, {
        name: `Filler ${i}`,
        url: `http://127.0.0.1:9/filler/${i}`,
        event_user_updated: true,
      });
  });
  afterAll(() => t.close());

  it('pages the list, oldest first, with the usage guide shape', async () => {
    const first = await get<Listed>('/api/admin/webhooks?limit=10');
    expect(first.meta).toEqual({ page: 1, limit: 10, total: 25, total_pages: 3 });
    expect(names(first).slice(0, 2)).toEqual(['Slack Integration', 'Teams channel']);
    const last = await get<Listed>('/api/admin/webhooks?limit=10&page=3');
    expect(names(last)).toEqual(['Filler 16', 'Filler 17', 'Filler 18', 'Filler 19', 'Filler 20']);
  });

  it('searches names and URLs in any case', async () => {
    expect(names(await get<Listed>('/api/admin/webhooks?q=slack'))).toEqual(['Slack Integration']);
    expect(names(await get<Listed>('/api/admin/webhooks?q=TEAMS%2Fbeta'))).toEqual([
      'Teams channel',
    ]);
    const fillers = await get<Listed>('/api/admin/webhooks?q=filler%2F1&limit=5&page=2');
    // filler/1 and filler/10 … filler/19: eleven, the second page of five.
    expect(fillers.meta).toEqual({ page: 2, limit: 5, total: 11, total_pages: 3 });
    expect((await get<Listed>('/api/admin/webhooks?q=%20%20')).meta.total).toBe(25);
  });

  it('takes % and _ literally', async () => {
    // Read as wildcards, each would match all 25.
    expect(names(await get<Listed>('/api/admin/webhooks?q=%25'))).toEqual(['100% real_name']);
    expect(names(await get<Listed>('/api/admin/webhooks?q=_'))).toEqual(['100% real_name']);
    expect((await get<Listed>('/api/admin/webhooks?q=!')).meta.total).toBe(0);
  });

  it('finds an encrypted URL by its host and path, never by a credential', async () => {
    const found = await get<Listed>('/api/admin/webhooks?q=vault%2Fhook');
    expect(found.data.map((w) => w.id)).toEqual([ids['With credentials']]);
    expect(found.data[0].url).not.toContain('Hunter2Password');
    expect(found.data[0].url).not.toContain('tok3nSecretValue');
    for (const secret of ['Hunter2', 'robot', 'tok3nSecret', 'token=tok3n'])
      expect((await get<Listed>(`/api/admin/webhooks?q=${secret}`)).meta.total).toBe(0);
    // What the list shows of it is searchable: its masked query parameter's name.
    expect((await get<Listed>('/api/admin/webhooks?q=%3Ftoken%3D')).meta.total).toBe(1);
  });

  it('searches a changed URL by its new form only', async () => {
    const id = ids['Teams channel'];
    await t.http
      .patch(`/api/admin/webhooks/${id}`)
      .set(bearer(t.admin.token))
      .send({ url: 'http://127.0.0.1:9/teams/gamma?key=aVeryLongKey1234567890' })
      .expect(200);
    expect((await get<Listed>('/api/admin/webhooks?q=beta')).meta.total).toBe(0);
    expect(names(await get<Listed>('/api/admin/webhooks?q=teams%2Fgamma'))).toEqual([
      'Teams channel',
    ]);
    expect((await get<Listed>('/api/admin/webhooks?q=aVeryLongKey')).meta.total).toBe(0);
  });

  it('refuses a search or page out of bounds with a 400 naming the field', async () => {
    const long = await get<{ details: { field: string }[] }>(
      `/api/admin/webhooks?q=${'x'.repeat(201)}`,
      400,
    );
    expect(long.details.map((d) => d.field)).toEqual(['q']);
    const health = await get<{ details: { field: string }[] }>(
      '/api/admin/webhook-health?limit=101',
      400,
    );
    expect(health.details.map((d) => d.field)).toEqual(['limit']);
  });

  it('pages and searches the health of webhooks the same way', async () => {
    const slack = ids['Slack Integration'];
    await t.http
      .patch(`/api/admin/webhooks/${slack}`)
      .set(bearer(t.admin.token))
      .send({ url: t.receiver.url, event_ticket_created: true })
      .expect(200);
    await createTicket(t);
    await eventually(
      async () => (await t.deliveriesOf(slack, { status: 'succeeded' })).length === 1,
    );

    const page = await get<HealthPage>('/api/admin/webhook-health?limit=10&page=3');
    expect(page.meta).toEqual({ page: 3, limit: 10, total: 25, total_pages: 3 });
    expect(page.data).toHaveLength(5);
    const list = await get<Listed>('/api/admin/webhooks?limit=10&page=3');
    expect(page.data.map((h) => h.webhook_id)).toEqual(list.data.map((w) => w.id));

    const found = await get<HealthPage>('/api/admin/webhook-health?q=slack');
    expect(found.meta.total).toBe(1);
    expect(found.data[0]).toMatchObject({
      webhook_id: slack,
      deliveries_24h: 1,
      last_delivery: { event: 'ticket.created' },
    });
    // One webhook's health, as the console's webhook screen reads it.
    await expect(get(`/api/admin/webhooks/${slack}/health`)).resolves.toEqual(found.data[0]);
    await get('/api/admin/webhooks/999999/health', 404);
  });

  it('delivers once to a webhook subscribed both to every event and to the event', async () => {
    const both = await createWebhook(t, t.admin.token, {
      name: 'Both ways',
      url: t.receiver.url,
      event_all: true,
      event_ticket_created: true,
    });
    await createTicket(t);
    await eventually(
      async () => (await t.deliveriesOf(both.id, { status: 'succeeded' })).length >= 3,
    );
    const events = (await t.deliveriesOf(both.id)).map((d) => d.event).sort();
    expect(events.filter((e) => e === 'ticket.created')).toHaveLength(1);
  });
});

import { bearer, createUser, TestUser } from './factories/users';
import { DELIVERY_TEST_ENV } from './factories/webhooks';
import { createTestApp, TestApp } from './helpers/test-app';

/** Presets and the preview: what a filter and a template do to an event, before saving. */
describe('webhook presets and preview (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ ...DELIVERY_TEST_ENV, PUBLIC_URL: 'https://help.example.com' });
    admin = await createUser(t, 'admin');
  });
  afterAll(() => t.close());

  const preview = (body: Record<string, unknown>, expected = 200) =>
    t.http.post('/api/admin/webhooks/preview').set(bearer(admin.token)).send(body).expect(expected);

  it('lists the presets with links under PUBLIC_URL, and only to admins', async () => {
    const res = await t.http
      .get('/api/admin/webhook-templates')
      .set(bearer(admin.token))
      .expect(200);
    const presets = res.body.data as { name: string; template: string }[];
    expect(presets.map((p) => p.name)).toEqual([
      'slack',
      'teams',
      'discord',
      'mattermost',
      'google_chat',
    ]);
    for (const p of presets) expect(p.template).toContain('https://help.example.com');
    const agent = await createUser(t, 'agent');
    await t.http.get('/api/admin/webhook-templates').set(bearer(agent.token)).expect(403);
  });

  it('previews a preset on the catalog sample: the Slack message with its link', async () => {
    const presets = await t.http.get('/api/admin/webhook-templates').set(bearer(admin.token));
    const slack = (presets.body.data as { name: string; template: string }[]).find(
      (p) => p.name === 'slack',
    )!;
    const res = await preview({ event: 'ticket.created', template: slack.template });
    expect(res.body.matched).toBe(true);
    expect(res.body.body.text).toBe('New ticket #123: Login Issue');
    expect(JSON.stringify(res.body.body.blocks)).toContain('https://help.example.com/tickets/123');
    expect(JSON.parse(res.body.raw)).toEqual(res.body.body);
  });

  it('says whether a filter keeps the given body, and answers the event body without a template', async () => {
    const body = {
      event: 'ticket.created',
      timestamp: '2024-01-15T10:30:00Z',
      data: { ticket_id: 7, title: 'Down', priority: 'urgent' },
    };
    const filter = { data: { priority: { $in: ['high', 'urgent'] } } };
    const kept = await preview({ event: 'ticket.created', filter, body });
    expect(kept.body).toEqual({ matched: true, body, raw: JSON.stringify(body) });
    const dropped = await preview({
      event: 'ticket.created',
      filter,
      body: { ...body, data: { ...body.data, priority: 'low' } },
    });
    expect(dropped.body.matched).toBe(false);
    const sample = await preview({ event: 'ticket.status_changed' });
    expect(sample.body.body).toEqual(
      expect.objectContaining({
        event: 'ticket.status_changed',
        data: { ticket_id: 123, old_status: 'new', new_status: 'in_progress' },
      }),
    );
  });

  it.each([
    ['an unknown event', { event: 'ticket.deleted' }, 'event'],
    ['a bad filter', { event: 'ticket.created', filter: { data: { $where: 'x' } } }, 'filter'],
    ['a template that does not parse', { event: 'ticket.created', template: '{"a": ' }, 'template'],
    [
      'a template that fails on the body',
      { event: 'ticket.created', template: '$error("nope")' },
      'template',
    ],
    ['a body that is not an object', { event: 'ticket.created', body: 'x' }, 'body'],
  ])('answers 400 naming the field for %s', async (_, body, field) => {
    const res = await preview(body, 400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
  });
});

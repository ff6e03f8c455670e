import { createTicket, GUIDE_TICKET } from './factories/tickets';
import { bearer, createUser, TestUser, uniqueEmail } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

interface Route {
  name: string;
  method: 'post' | 'patch';
  path: () => string;
  auth: () => Record<string, string>;
  /** A valid body; each case spoils it. */
  base: () => Record<string, unknown>;
  stringField: string;
  numberField: string;
}

interface Case {
  name: string;
  body: (route: Route) => Buffer;
  status: number;
  /** What the message must name. */
  message: (route: Route) => RegExp;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
/** The base body with raw JSON text spliced in as its first member. */
const withRaw = (route: Route, member: string) =>
  Buffer.from(`{${member},${JSON.stringify(route.base()).slice(1)}`);

const CASES: Case[] = [
  {
    name: 'nested 20,000 levels deep',
    body: (r) => withRaw(r, `"${r.stringField}":${'['.repeat(20_000)}${']'.repeat(20_000)}`),
    status: 400,
    message: () => /nested deeper than the limit of 32 levels/,
  },
  {
    name: 'invalid UTF-8 bytes',
    body: (r) =>
      Buffer.concat([
        Buffer.from(`{"${r.stringField}":"caf`),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from(
          `",${JSON.stringify(r.base()).slice(1)}`.replace(`"${r.stringField}":`, '"_x":'),
        ),
      ]),
    status: 400,
    message: () => /body is not valid UTF-8/,
  },
  {
    name: 'a __proto__ key',
    body: (r) => withRaw(r, '"__proto__":{"role":"admin"}'),
    status: 400,
    message: () => /__proto__ should not exist/,
  },
  {
    name: 'a constructor key',
    body: (r) => withRaw(r, '"constructor":{"prototype":{"x":1}}'),
    status: 400,
    message: () => /constructor should not exist/,
  },
  {
    name: 'a 2 MB body',
    body: (r) => json({ ...r.base(), [r.stringField]: 'x'.repeat(2 * 1024 * 1024) }),
    status: 413,
    message: () => /too large/,
  },
  {
    name: 'an oversized string',
    body: (r) => json({ ...r.base(), [r.stringField]: 'x'.repeat(70_000) }),
    status: 400,
    message: (r) => new RegExp(r.stringField),
  },
  {
    name: 'an out-of-range number (1e400)',
    body: (r) => withRaw(r, `"${r.numberField}":1e400`),
    status: 400,
    message: (r) => new RegExp(`${r.numberField} is a number out of range`),
  },
  {
    name: 'an integer beyond 2^53',
    body: (r) => withRaw(r, `"${r.numberField}":123456789012345678901234567890`),
    status: 400,
    message: (r) => new RegExp(`${r.numberField} is a number out of range`),
  },
];

describe('hostile bodies (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let agent: TestUser;
  let ticketId: number;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'admin');
    agent = await createUser(t, 'agent');
    ticketId = (await createTicket(t, { title: 'Untouched title' })).id;
  });
  afterAll(() => t.close());

  const ROUTES: Route[] = [
    {
      name: 'client POST /api/client/tickets',
      method: 'post',
      path: () => '/api/client/tickets',
      auth: () => ({}),
      base: () => ({ ...GUIDE_TICKET, client_email: uniqueEmail('hostile') }),
      stringField: 'title',
      numberField: 'department_id',
    },
    {
      name: 'agent PATCH /api/agent/tickets/:id',
      method: 'patch',
      path: () => `/api/agent/tickets/${ticketId}`,
      auth: () => bearer(agent.token),
      base: () => ({ priority: 'high' }),
      stringField: 'title',
      numberField: 'department_id',
    },
    {
      name: 'admin POST /api/admin/webhooks',
      method: 'post',
      path: () => '/api/admin/webhooks',
      auth: () => bearer(admin.token),
      base: () => ({ name: 'Hostile', url: 'https://example.com/hook', event_all: true }),
      stringField: 'name',
      numberField: 'timeout_ms',
    },
  ];

  const counts = async () => {
    const tables = ['tickets', 'ticket_messages', 'clients', 'webhooks', 'users'];
    const out: Record<string, number> = {};
    for (const table of tables) {
      const [row] = await t.dataSource.query<{ n: number | string }[]>(
        `SELECT COUNT(*) AS n FROM ${table}`,
      );
      out[table] = Number(row.n);
    }
    return out;
  };

  for (const routeIndex of [0, 1, 2]) {
    describe(['client', 'agent', 'admin'][routeIndex], () => {
      it.each(CASES.map((c) => [c.name, c] as const))(
        '%s → 4xx naming it, nothing stored',
        async (_, c) => {
          const route = ROUTES[routeIndex];
          const before = await counts();
          // Raw bytes, exactly as given (supertest would re-encode a Buffer as JSON).
          const res = await fetch(`${t.baseUrl}${route.path()}`, {
            method: route.method.toUpperCase(),
            headers: { ...route.auth(), 'Content-Type': 'application/json' },
            body: c.body(route),
          });
          expect(res.status).toBe(c.status);
          expect(res.headers.get('content-type')).toMatch(/application\/json/);
          expect(await res.json()).toEqual(
            expect.objectContaining({
              statusCode: c.status,
              message: expect.stringMatching(c.message(route)),
            }),
          );
          expect(await counts()).toEqual(before);
          await t.http.get('/health').expect(200);
        },
      );
    });
  }

  it('the agent route left the ticket as it was', async () => {
    const res = await t.http
      .get(`/api/agent/tickets/${ticketId}`)
      .set(bearer(agent.token))
      .expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({ title: 'Untouched title', priority: 'medium' }),
    );
  });

  it('CRLF in a custom header value is refused naming headers', async () => {
    const res = await t.http
      .post('/api/admin/webhooks')
      .set(bearer(admin.token))
      .send({
        name: 'Header injection',
        url: 'https://example.com/hook',
        headers: { 'X-Team': 'support\r\nX-Injected: 1' },
      })
      .expect(400);
    expect(res.body.details).toEqual([
      { field: 'headers', errors: [expect.stringMatching(/headers/)] },
    ]);
  });

  it('the valid bodies the table spoils are accepted', async () => {
    await t.http.post('/api/client/tickets').send(ROUTES[0].base()).expect(201);
    await t.http
      .patch(`/api/agent/tickets/${ticketId}`)
      .set(bearer(agent.token))
      .send({ title: 'Untouched title' })
      .expect(200);
    await t.http
      .post('/api/admin/webhooks')
      .set(bearer(admin.token))
      .send(ROUTES[2].base())
      .expect(201);
    const unicode = await t.http
      .post('/api/client/tickets')
      .send({ ...ROUTES[0].base(), title: 'Café ✓ 😀 \u2028 end' })
      .expect(201);
    expect(unicode.body.title).toBe('Café ✓ 😀 \u2028 end');
  });
});

import { UsersService } from '../src/auth/users.service';
import { createTicket } from './factories/tickets';
import { bearer, createUser, TestUser, uniqueEmail } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

describe('agent tickets API (e2e)', () => {
  let t: TestApp;
  let agent: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    agent = await createUser(t, 'agent');
    admin = await createUser(t, 'admin');
  });
  afterAll(() => t.close());

  const as = (user: TestUser) => bearer(user.token);

  it('lists tickets newest first with filters and pagination', async () => {
    const email = uniqueEmail('lister');
    const a = await createTicket(t, { client_email: email, priority: 'low' });
    const b = await createTicket(t, { client_email: email, priority: 'urgent' });
    const c = await createTicket(t, { client_email: email, priority: 'urgent' });
    await t.http
      .patch(`/api/agent/tickets/${c.id}`)
      .set(as(agent))
      .send({ status: 'on_hold' })
      .expect(200);
    const all = await t.http
      .get('/api/agent/tickets')
      .query({ client_id: a.client_id })
      .set(as(agent))
      .expect(200);
    expect(all.body.data.map((x: { id: number }) => x.id)).toEqual([c.id, b.id, a.id]);
    expect(all.body.meta).toEqual({ page: 1, limit: 20, total: 3, total_pages: 1 });
    const urgent = await t.http
      .get('/api/agent/tickets')
      .query({ client_id: a.client_id, priority: 'urgent', status: 'new' })
      .set(as(agent))
      .expect(200);
    expect(urgent.body.data.map((x: { id: number }) => x.id)).toEqual([b.id]);
    const page2 = await t.http
      .get('/api/agent/tickets')
      .query({ client_id: a.client_id, limit: 2, page: 2 })
      .set(as(agent))
      .expect(200);
    expect(page2.body.data.map((x: { id: number }) => x.id)).toEqual([a.id]);
    const bad = await t.http
      .get('/api/agent/tickets')
      .query({ status: 'open', limit: 1000, client_id: 'x' })
      .set(as(agent))
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'client_id',
      'limit',
      'status',
    ]);
  });

  it('gets a ticket with its client and messages; agents reply as themselves', async () => {
    const ticket = await createTicket(t);
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/messages`)
      .set(as(agent))
      .send({ body: 'On it.' })
      .expect(201);
    const res = await t.http.get(`/api/agent/tickets/${ticket.id}`).set(as(agent)).expect(200);
    expect(
      res.body.messages.map((m: { author_type: string; author_id: string; body: string }) => [
        m.author_type,
        m.author_id,
        m.body,
      ]),
    ).toEqual([
      ['client', ticket.client_id, 'This is a test ticket'],
      ['user', agent.id, 'On it.'],
    ]);
    expect(res.body.secret_hash).toBeUndefined();
    expect(res.body.client).toEqual({
      id: ticket.client_id,
      name: 'John Doe',
      email: expect.stringMatching(/@example\.com$/),
    });
    const missing = await t.http.get('/api/agent/tickets/99999999').set(as(agent)).expect(404);
    expect(missing.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Ticket 99999999 not found',
    });
    const badId = await t.http.get('/api/agent/tickets/abc').set(as(agent)).expect(400);
    expect(badId.body.details).toEqual([{ field: 'id', errors: ['id must be an integer'] }]);
    await t.http
      .post('/api/agent/tickets/99999999/messages')
      .set(as(agent))
      .send({ body: 'x' })
      .expect(404);
  });

  it('moves updated_at with every change (update, assign, close) and only then', async () => {
    const ticket = await createTicket(t);
    const stamps: number[] = [new Date(ticket.updated_at).getTime()];
    const stored = async () => {
      const res = await t.http.get(`/api/agent/tickets/${ticket.id}`).set(as(agent)).expect(200);
      return new Date(res.body.updated_at as string).getTime();
    };
    /** Makes the change after a pause; its answer's updated_at is new, and is what is stored. */
    const change = async (send: () => Promise<{ body: { updated_at: string } }>) => {
      await new Promise((r) => setTimeout(r, 15));
      const answered = new Date((await send()).body.updated_at).getTime();
      expect(answered).toBeGreaterThan(stamps.at(-1)!);
      expect(await stored()).toBe(answered);
      stamps.push(answered);
    };
    await change(() =>
      t.http.patch(`/api/agent/tickets/${ticket.id}`).set(as(agent)).send({ priority: 'high' }),
    );
    await change(() =>
      t.http
        .post(`/api/agent/tickets/${ticket.id}/assign`)
        .set(as(agent))
        .send({ user_id: agent.id }),
    );
    await change(async () => {
      const closed = await t.http
        .post(`/api/agent/tickets/${ticket.id}/close`)
        .set(as(agent))
        .expect(200);
      // Closing stamps both with the same instant.
      expect(closed.body.updated_at).toBe(closed.body.closed_at);
      return closed;
    });
    // Nothing changes (closed already, same assignee): updated_at stays.
    await t.http.post(`/api/agent/tickets/${ticket.id}/close`).set(as(agent)).expect(200);
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as(agent))
      .send({ user_id: agent.id })
      .expect(200);
    expect(await stored()).toBe(stamps.at(-1));
  });

  it('updates title, status, priority and department; closing sets closed_at', async () => {
    const ticket = await createTicket(t);
    const dept = await t.http
      .post('/api/admin/departments')
      .set(as(admin))
      .send({ name: `Support ${uniqueEmail()}` })
      .expect(201);
    const res = await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as(agent))
      .send({
        title: 'Renamed',
        status: 'in_progress',
        priority: 'high',
        department_id: dept.body.id,
      })
      .expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        title: 'Renamed',
        status: 'in_progress',
        priority: 'high',
        department_id: dept.body.id,
        closed_at: null,
      }),
    );
    const closed = await t.http
      .post(`/api/agent/tickets/${ticket.id}/close`)
      .set(as(agent))
      .expect(200);
    expect(closed.body.status).toBe('closed');
    expect(new Date(closed.body.closed_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const reopened = await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as(agent))
      .send({ status: 'in_progress' })
      .expect(200);
    expect(reopened.body.closed_at).toBeNull();
    const bad = await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as(agent))
      .send({ status: 'done', department_id: 999999 })
      .expect(400);
    expect(bad.body.message).toMatch(/status/);
    const unknownDept = await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as(agent))
      .send({ department_id: 999999 })
      .expect(400);
    expect(unknownDept.body.details).toEqual([
      { field: 'department_id', errors: [expect.stringMatching(/not a known department/)] },
    ]);
  });

  it('assigns to an active user, refuses unknown or blocked users, and unassigns', async () => {
    const ticket = await createTicket(t);
    const assigned = await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as(agent))
      .send({ user_id: agent.id })
      .expect(200);
    expect(assigned.body.assigned_user_id).toBe(agent.id);
    const mine = await t.http
      .get('/api/agent/tickets')
      .query({ assigned_user_id: agent.id })
      .set(as(agent))
      .expect(200);
    expect(mine.body.data.map((x: { id: number }) => x.id)).toContain(ticket.id);
    const unknown = await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as(agent))
      .send({ user_id: '00000000-0000-4000-8000-000000000000' })
      .expect(400);
    expect(unknown.body.details[0].field).toBe('user_id');
    const blocked = await createUser(t, 'agent');
    await t.get(UsersService).update(blocked.id, { status: 'blocked' });
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as(agent))
      .send({ user_id: blocked.id })
      .expect(400);
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as(agent))
      .send({ user_id: 'nope' })
      .expect(400);
    const cleared = await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as(agent))
      .send({ user_id: null })
      .expect(200);
    expect(cleared.body.assigned_user_id).toBeNull();
  });

  describe('auth matrix', () => {
    it.each([
      ['get', '/api/agent/tickets'],
      ['get', '/api/agent/tickets/1'],
      ['patch', '/api/agent/tickets/1'],
      ['post', '/api/agent/tickets/1/messages'],
      ['post', '/api/agent/tickets/1/assign'],
      ['post', '/api/agent/tickets/1/close'],
    ])(
      '%s %s refuses no token and a blocked user (401); any signed-in user may',
      async (method, path) => {
        const call = (t.http as unknown as Record<string, (p: string) => import('supertest').Test>)[
          method
        ].bind(t.http);
        await call(path).expect(401);
        const blocked = await createUser(t, 'agent');
        await t.get(UsersService).update(blocked.id, { status: 'blocked' });
        await call(path).set(as(blocked)).expect(401);
        const res = await call(path).set(as(agent));
        expect([200, 201, 400, 404]).toContain(res.status);
      },
    );

    it.each([
      ['get', '/api/admin/users'],
      ['post', '/api/admin/users'],
      ['get', '/api/admin/users/00000000-0000-4000-8000-000000000000'],
      ['patch', '/api/admin/users/00000000-0000-4000-8000-000000000000'],
    ])('%s %s refuses no token (401) and an agent (403)', async (method, path) => {
      const call = (t.http as unknown as Record<string, (p: string) => import('supertest').Test>)[
        method
      ].bind(t.http);
      await call(path).expect(401);
      await call(path).set(as(agent)).expect(403);
    });
  });

  it('documents every ticket and department route in the OpenAPI document, with body and response schemas', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    const paths = doc.body.paths as Record<string, Record<string, OpenApiOperation>>;
    const routes: [string, string, string | null, string][] = [
      ['post', '/api/client/tickets', 'CreateTicketDto', 'CreatedPublicTicketResponseDto'],
      ['get', '/api/client/tickets/{id}', null, 'PublicTicketDetailResponseDto'],
      ['post', '/api/client/tickets/{id}/messages', 'MessageDto', 'PublicMessageResponseDto'],
      ['post', '/api/client/tickets/{id}/close', null, 'PublicTicketResponseDto'],
      ['get', '/api/agent/tickets', null, 'TicketPageResponseDto'],
      ['get', '/api/agent/tickets/{id}', null, 'TicketDetailResponseDto'],
      ['patch', '/api/agent/tickets/{id}', 'UpdateTicketDto', 'TicketResponseDto'],
      ['post', '/api/agent/tickets/{id}/messages', 'MessageDto', 'TicketMessageResponseDto'],
      ['post', '/api/agent/tickets/{id}/assign', 'AssignTicketDto', 'TicketResponseDto'],
      ['post', '/api/agent/tickets/{id}/close', null, 'TicketResponseDto'],
      ['get', '/api/admin/departments', null, 'DepartmentPageResponseDto'],
      ['post', '/api/admin/departments', 'CreateDepartmentDto', 'DepartmentResponseDto'],
      ['get', '/api/admin/departments/{id}', null, 'DepartmentResponseDto'],
      ['patch', '/api/admin/departments/{id}', 'UpdateDepartmentDto', 'DepartmentResponseDto'],
    ];
    for (const [method, path, body, response] of routes) {
      const op = paths[path]?.[method];
      expect([method, path, op?.summary]).toEqual([method, path, expect.any(String)]);
      const bodyRef = op.requestBody?.content['application/json'].schema.$ref ?? null;
      expect([path, bodyRef]).toEqual([path, body && `#/components/schemas/${body}`]);
      const ok = op.responses['200'] ?? op.responses['201'];
      expect([path, ok?.content?.['application/json'].schema.$ref]).toEqual([
        path,
        `#/components/schemas/${response}`,
      ]);
    }
    expect(paths['/api/admin/departments/{id}'].delete.responses['204']).toBeDefined();
    const schemas = doc.body.components.schemas as Record<string, OpenApiSchema>;
    expect(schemas.CreateTicketDto.properties.client_email.example).toBe('john@example.com');
    expect(schemas.CreateTicketDto.properties.status.enum).toEqual(['new']);
    expect(schemas.UpdateTicketDto.properties.status.enum).toContain('wait_for_agent');
    expect(schemas.CreateTicketDto.required).toEqual(['client_name', 'client_email', 'message']);
    expect(schemas.CreateTicketDto.properties).not.toHaveProperty('client_id');
    expect(schemas.PublicTicketResponseDto.properties).not.toHaveProperty('client_id');
    expect(schemas.TicketResponseDto.properties).not.toHaveProperty('secret_hash');
    for (const [method, path] of [
      ['get', '/api/client/tickets/{id}'],
      ['post', '/api/client/tickets/{id}/messages'],
      ['post', '/api/client/tickets/{id}/close'],
    ]) {
      const headers = paths[path][method].parameters?.filter((p) => p.in === 'header');
      expect([path, headers]).toEqual([
        path,
        [expect.objectContaining({ name: 'X-Ticket-Secret', required: true })],
      ]);
    }
    expect(paths['/api/client/tickets'].post.responses['429']).toBeDefined();
  });
});

interface OpenApiOperation {
  summary?: string;
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}

interface OpenApiSchema {
  required?: string[];
  properties: Record<string, { example?: unknown; enum?: string[] }>;
}

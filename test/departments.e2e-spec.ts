import type { Test } from 'supertest';
import { UsersService } from '../src/auth/users.service';
import { createTicket } from './factories/tickets';
import { bearer, createUser, TestUser, uniqueEmail } from './factories/users';
import { recordEvents } from './helpers/events';
import { createTestApp, TestApp } from './helpers/test-app';

type Method = 'get' | 'post' | 'patch' | 'delete';

describe('admin departments API (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let agent: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'admin');
    agent = await createUser(t, 'agent');
  });
  afterAll(() => t.close());

  const as = (user: TestUser) => bearer(user.token);
  const call = (method: Method, path: string): Test =>
    (t.http as unknown as Record<Method, (p: string) => Test>)[method].bind(t.http)(path);
  const uniqueName = (prefix: string) => `${prefix} ${uniqueEmail('dept')}`;

  it('creates, reads, lists, updates and deletes a department', async () => {
    const name = uniqueName('Billing');
    const created = await t.http
      .post('/api/admin/departments')
      .set(as(admin))
      .send({ name: `  ${name}  `, description: 'Money' })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name,
      description: 'Money',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const id = created.body.id as number;

    const read = await t.http.get(`/api/admin/departments/${id}`).set(as(admin)).expect(200);
    expect(read.body).toEqual(expect.objectContaining({ id, name, description: 'Money' }));

    const described = await t.http
      .patch(`/api/admin/departments/${id}`)
      .set(as(admin))
      .send({ description: 'Invoices' })
      .expect(200);
    expect(described.body).toEqual(expect.objectContaining({ id, name, description: 'Invoices' }));
    const renamed = await t.http
      .patch(`/api/admin/departments/${id}`)
      .set(as(admin))
      .send({ name: `${name} (EU)` })
      .expect(200);
    expect(renamed.body).toEqual(
      expect.objectContaining({ id, name: `${name} (EU)`, description: 'Invoices' }),
    );
    const stored: { name: string; description: string }[] = await t.dataSource.query(
      'SELECT name, description FROM departments WHERE id = ?',
      [id],
    );
    expect(stored).toEqual([{ name: `${name} (EU)`, description: 'Invoices' }]);

    await t.http.delete(`/api/admin/departments/${id}`).set(as(admin)).expect(204);
    await t.http.get(`/api/admin/departments/${id}`).set(as(admin)).expect(404);
    await t.http.delete(`/api/admin/departments/${id}`).set(as(admin)).expect(404);
  });

  it('lists departments by name, paginated as {data, meta}', async () => {
    const prefix = uniqueName('List');
    for (const suffix of ['c', 'a', 'b'])
      await t.http
        .post('/api/admin/departments')
        .set(as(admin))
        .send({ name: `${prefix} ${suffix}` })
        .expect(201);
    const all = await t.http
      .get('/api/admin/departments')
      .query({ limit: 100 })
      .set(as(admin))
      .expect(200);
    const mine = (all.body.data as { name: string }[])
      .map((d) => d.name)
      .filter((n) => n.startsWith(prefix));
    expect(mine).toEqual([`${prefix} a`, `${prefix} b`, `${prefix} c`]);
    expect(all.body.meta).toEqual({
      page: 1,
      limit: 100,
      total: expect.any(Number),
      total_pages: expect.any(Number),
    });
    expect(all.body.meta.total).toBeGreaterThanOrEqual(3);
    const page = await t.http
      .get('/api/admin/departments')
      .query({ limit: 1, page: 2 })
      .set(as(admin))
      .expect(200);
    expect(page.body.data).toHaveLength(1);
    expect(page.body.meta).toEqual(
      expect.objectContaining({ page: 2, limit: 1, total_pages: page.body.meta.total }),
    );
    const bad = await t.http
      .get('/api/admin/departments')
      .query({ limit: 101 })
      .set(as(admin))
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['limit']);
  });

  it('refuses a duplicate name with a 409 naming name, on create and on rename', async () => {
    const name = uniqueName('Support');
    await t.http.post('/api/admin/departments').set(as(admin)).send({ name }).expect(201);
    const dup = await t.http
      .post('/api/admin/departments')
      .set(as(admin))
      .send({ name })
      .expect(409);
    expect(dup.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: expect.stringContaining('name'),
      details: [{ field: 'name', errors: ['already exists'] }],
    });
    const other = await t.http
      .post('/api/admin/departments')
      .set(as(admin))
      .send({ name: uniqueName('Other') })
      .expect(201);
    await t.http
      .patch(`/api/admin/departments/${other.body.id}`)
      .set(as(admin))
      .send({ name })
      .expect(409);
    await t.http
      .patch(`/api/admin/departments/${other.body.id}`)
      .set(as(admin))
      .send({ name: other.body.name })
      .expect(200);
  });

  it.each([
    ['a missing name', {}, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name over 255 characters', { name: 'x'.repeat(256) }, 'name'],
    ['a description that is not a string', { name: 'ok', description: 5 }, 'description'],
    ['an unknown field', { name: 'ok', colour: 'red' }, 'colour'],
  ])('refuses %s with a 400 naming the field', async (_label, body, field) => {
    const res = await t.http.post('/api/admin/departments').set(as(admin)).send(body).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('answers 400 naming id for a non-numeric id and 404 for an unknown one', async () => {
    const bad = await t.http.get('/api/admin/departments/abc').set(as(admin)).expect(400);
    expect(bad.body.details).toEqual([{ field: 'id', errors: ['id must be an integer'] }]);
    const missing = await t.http
      .patch('/api/admin/departments/99999999')
      .set(as(admin))
      .send({ description: 'x' })
      .expect(404);
    expect(missing.body.message).toBe('Department 99999999 not found');
    await t.http
      .patch('/api/admin/departments/99999999')
      .set(as(admin))
      .send({ name: '  ' })
      .expect(400);
  });

  it('deleting a department keeps its tickets, without a department, and publishes no event', async () => {
    const dept = await t.http
      .post('/api/admin/departments')
      .set(as(admin))
      .send({ name: uniqueName('Gone') })
      .expect(201);
    const ticket = await createTicket(t, { department_id: dept.body.id });
    const events = recordEvents(t);
    try {
      await t.http.delete(`/api/admin/departments/${dept.body.id}`).set(as(admin)).expect(204);
      expect(await events.take()).toEqual([]);
    } finally {
      events.stop();
    }
    const after = await t.http.get(`/api/agent/tickets/${ticket.id}`).set(as(agent)).expect(200);
    expect(after.body.department_id).toBeNull();
    expect(after.body.messages).toHaveLength(1);
  });

  describe('auth matrix', () => {
    it.each([
      ['get', '/api/admin/departments'],
      ['post', '/api/admin/departments'],
      ['get', '/api/admin/departments/1'],
      ['patch', '/api/admin/departments/1'],
      ['delete', '/api/admin/departments/1'],
    ] as [Method, string][])(
      '%s %s: no token or a blocked admin 401, an agent 403, an admin passes',
      async (method, path) => {
        await call(method, path).expect(401);
        await call(method, path).set(bearer('not-a-token')).expect(401);
        const blocked = await createUser(t, 'admin');
        await t.get(UsersService).update(blocked.id, { status: 'blocked' });
        await call(method, path).set(as(blocked)).expect(401);
        const refused = await call(method, path).set(as(agent)).expect(403);
        expect(refused.body).toEqual(expect.objectContaining({ statusCode: 403 }));
        const res = await call(method, path).set(as(admin));
        expect([200, 201, 204, 400, 404]).toContain(res.status);
      },
    );
  });
});

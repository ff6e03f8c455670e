import { bearer, createUser, TestUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

describe('validation and error shape (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'admin');
  });
  afterAll(() => t.close());

  it('malformed JSON is a 400 in the error shape', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.c",')
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringMatching(/JSON/),
    });
  });

  it('an unknown field is a 400 naming it', async () => {
    const res = await t.http
      .post('/api/auth/login')
      .send({ email: 'a@b.co', password: 'x', is_admin: true })
      .expect(400);
    expect(res.body.message).toMatch(/is_admin/);
    expect(res.body.details).toEqual([
      { field: 'is_admin', errors: ['property is_admin should not exist'] },
    ]);
  });

  it('a wrong type is a 400 naming the field', async () => {
    const res = await t.http
      .post('/api/admin/users')
      .set(bearer(admin.token))
      .send({ email: 'x@example.com', name: 42, password: 'long-enough' })
      .expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['name']);
  });

  const LISTS = [
    '/api/agent/tickets',
    '/api/admin/users',
    '/api/admin/departments',
    '/api/admin/webhooks',
    '/api/admin/webhook_deliveries',
    '/api/admin/audit-log',
  ];

  it.each(LISTS)('%s bounds page and limit: 400 naming them, never a 500', async (path) => {
    for (const [field, value] of [
      ['page', '1e300'],
      ['page', '1000001'],
      ['page', '0'],
      ['limit', '1e300'],
      ['limit', '101'],
    ]) {
      const res = await t.http
        .get(path)
        .query({ [field]: value })
        .set(bearer(admin.token));
      expect([path, field, value, res.status]).toEqual([path, field, value, 400]);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    await t.http.get(path).query({ page: '1000000' }).set(bearer(admin.token)).expect(200);
  });

  it('bounds every numeric query and id past the 32-bit columns: 400 naming it', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['/api/agent/tickets', { department_id: '1e300' }, 'department_id'],
      ['/api/admin/webhook_deliveries', { webhook_id: '1e300' }, 'webhook_id'],
      ['/api/admin/webhooks/1/deliveries-per-minute', { minutes: '1e300' }, 'minutes'],
      ['/api/agent/tickets/99999999999999999999', {}, 'id'],
      ['/api/admin/webhooks/2147483648', {}, 'id'],
      ['/api/admin/departments/-99999999999', {}, 'id'],
    ];
    for (const [path, query, field] of cases) {
      const res = await t.http.get(path).query(query).set(bearer(admin.token));
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    await t.http.get('/api/admin/webhooks/2147483647').set(bearer(admin.token)).expect(404);
  });

  it('an unknown route is a 404 in the error shape', async () => {
    const res = await t.http.get('/api/nothing-here').expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
  });

  it('serves Swagger UI and the OpenAPI document with bearer auth', async () => {
    const ui = await t.http.get('/docs').expect(200).expect('Content-Type', /html/);
    // Framed by no other site, as the console is not.
    expect(ui.headers['x-frame-options']).toBe('DENY');
    expect(ui.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    for (const path of ['/docs/', '/docs-json']) {
      const res = await t.http.get(path);
      expect([path, res.headers['x-frame-options']]).toEqual([path, 'DENY']);
    }
    const doc = await t.http.get('/docs-json').expect(200);
    expect(doc.body.components.securitySchemes.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/admin/users', '/health']),
    );
  });

  it('GET /health reports the database', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body.info.database.status).toBe('up');
  });
});

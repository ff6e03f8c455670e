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

  it('an unknown route is a 404 in the error shape', async () => {
    const res = await t.http.get('/api/nothing-here').expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
  });

  it('serves Swagger UI and the OpenAPI document with bearer auth', async () => {
    await t.http.get('/docs').expect(200).expect('Content-Type', /html/);
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

import { JwtService } from '@nestjs/jwt';
import { sign } from 'jsonwebtoken';
import { UsersService } from '../src/auth/users.service';
import { bearer, createUser, TestUser, uniqueEmail } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

describe('auth (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let agent: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'admin');
    agent = await createUser(t, 'agent');
  });
  afterAll(() => t.close());

  describe('login', () => {
    it('answers a JWT, its lifetime and the user without any hash', async () => {
      const res = await t.http
        .post('/api/auth/login')
        .send({ email: admin.email, password: admin.password })
        .expect(200);
      expect(res.body).toEqual({
        access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        token_type: 'Bearer',
        expires_in: 3600,
        user: expect.objectContaining({ email: admin.email, role: 'admin', status: 'active' }),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|hash/);
    });

    it('accepts the email in any case', async () => {
      await t.http
        .post('/api/auth/login')
        .send({ email: admin.email.toUpperCase(), password: admin.password })
        .expect(200);
    });

    it('gives the same 401 for a wrong password and an unknown email', async () => {
      const wrong = await t.http
        .post('/api/auth/login')
        .send({ email: admin.email, password: 'wrong-password' })
        .expect(401);
      const unknown = await t.http
        .post('/api/auth/login')
        .send({ email: uniqueEmail('nobody'), password: 'whatever' })
        .expect(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid email or password',
      });
    });

    it('refuses a blocked user', async () => {
      const user = await createUser(t, 'agent');
      await t.get(UsersService).update(user.id, { status: 'blocked' });
      await t.http
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(401);
    });
  });

  describe('guard matrix on an admin route', () => {
    const route = '/api/admin/users';

    it('no token: 401', async () => {
      const res = await t.http.get(route).expect(401);
      expect(res.body.message).toMatch(/Missing bearer token/);
    });

    it('malformed token: 401', () => t.http.get(route).set(bearer('not-a-jwt')).expect(401));

    it('token signed with another secret: 401', () =>
      t.http
        .get(route)
        .set(
          bearer(
            sign({ sub: admin.id }, 'another-secret-another-secret-another', {
              algorithm: 'HS256',
            }),
          ),
        )
        .expect(401));

    it('expired token: 401', async () => {
      const expired = await t.get(JwtService).signAsync({ sub: admin.id }, { expiresIn: -10 });
      await t.http.get(route).set(bearer(expired)).expect(401);
    });

    it('unsigned (alg none) token: 401', () => {
      const none = sign({ sub: admin.id }, '', { algorithm: 'none' });
      return t.http.get(route).set(bearer(none)).expect(401);
    });

    it('agent: 403', () => t.http.get(route).set(bearer(agent.token)).expect(403));

    it('admin: 200', async () => {
      const res = await t.http.get(route).set(bearer(admin.token)).expect(200);
      expect(res.body.meta).toEqual(expect.objectContaining({ page: 1, limit: 20 }));
      expect(res.body.data.map((u: { email: string }) => u.email)).toContain(admin.email);
      expect(JSON.stringify(res.body)).not.toMatch(/password_hash|scrypt/);
    });

    it('blocked admin with a still-valid token: 401', async () => {
      const other = await createUser(t, 'admin');
      await t.http.get(route).set(bearer(other.token)).expect(200);
      await t.get(UsersService).update(other.id, { status: 'blocked' });
      const res = await t.http.get(route).set(bearer(other.token)).expect(401);
      expect(res.body.message).toMatch(/blocked/);
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, lists it without the key, authenticates with it, and refuses it once revoked', async () => {
      const owner = await createUser(t, 'admin');
      const created = await t.http
        .post('/api/auth/api-keys')
        .set(bearer(owner.token))
        .send({ name: 'ci' })
        .expect(201);
      const key: string = created.body.key;
      expect(key).toMatch(/^homa_[0-9a-f]{64}$/);

      const list = await t.http.get('/api/auth/api-keys').set(bearer(owner.token)).expect(200);
      expect(list.body).toHaveLength(1);
      expect(list.body[0]).toEqual(
        expect.objectContaining({ id: created.body.id, name: 'ci', key_prefix: key.slice(0, 12) }),
      );
      expect(JSON.stringify(list.body)).not.toContain(key);
      expect(list.body[0].key_hash).toBeUndefined();

      await t.http.get('/api/admin/users').set(bearer(key)).expect(200);
      await t.http
        .delete(`/api/auth/api-keys/${created.body.id}`)
        .set(bearer(owner.token))
        .expect(204);
      await t.http.get('/api/admin/users').set(bearer(key)).expect(401);
    });

    it('refuses a well-formed key that was never issued', () =>
      t.http
        .get('/api/auth/me')
        .set(bearer(`homa_${'0'.repeat(64)}`))
        .expect(401));

    it("cannot revoke another user's key", async () => {
      const owner = await createUser(t, 'agent');
      const created = await t.http
        .post('/api/auth/api-keys')
        .set(bearer(owner.token))
        .send({ name: 'mine' })
        .expect(201);
      await t.http
        .delete(`/api/auth/api-keys/${created.body.id}`)
        .set(bearer(agent.token))
        .expect(404);
      await t.http.get('/api/auth/me').set(bearer(created.body.key)).expect(200);
    });

    it("an agent's key does not open admin routes", async () => {
      const created = await t.http
        .post('/api/auth/api-keys')
        .set(bearer(agent.token))
        .send({ name: 'agent key' })
        .expect(201);
      await t.http.get('/api/admin/users').set(bearer(created.body.key)).expect(403);
    });
  });

  describe('admin users API', () => {
    it('creates, updates and blocks a user; a duplicate email is a 409 naming the field', async () => {
      const email = uniqueEmail('made');
      const created = await t.http
        .post('/api/admin/users')
        .set(bearer(admin.token))
        .send({ email, name: 'Made', password: 'long-enough-pw' })
        .expect(201);
      expect(created.body).toEqual(
        expect.objectContaining({ email, role: 'agent', status: 'active' }),
      );
      expect(created.body.password_hash).toBeUndefined();
      const dup = await t.http
        .post('/api/admin/users')
        .set(bearer(admin.token))
        .send({ email, name: 'Again', password: 'long-enough-pw' })
        .expect(409);
      expect(dup.body.message).toMatch(/^email/);
      const updated = await t.http
        .patch(`/api/admin/users/${created.body.id}`)
        .set(bearer(admin.token))
        .send({ role: 'admin', status: 'blocked' })
        .expect(200);
      expect(updated.body).toEqual(expect.objectContaining({ role: 'admin', status: 'blocked' }));
      await t.http.post('/api/auth/login').send({ email, password: 'long-enough-pw' }).expect(401);
    });

    it('a bad id is a 400 naming the parameter', async () => {
      const res = await t.http
        .get('/api/admin/users/not-a-uuid')
        .set(bearer(admin.token))
        .expect(400);
      expect(res.body.message).toMatch(/id must be a UUID/);
    });
  });
});

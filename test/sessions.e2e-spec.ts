import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { ApiKey } from '../src/auth/entities/api-key.entity';
import { bearer, createUser, TestUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

/** Sessions end when they should: after a password, role or status change, on sign-out, at expiry. */
describe('sessions (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'admin');
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http.get('/api/auth/me').set(bearer(token));
  const login = (user: { email: string; password: string }) =>
    t.http.post('/api/auth/login').send({ email: user.email, password: user.password });
  const newKey = async (user: TestUser, body: Record<string, unknown> = {}) =>
    (
      await t.http
        .post('/api/auth/api-keys')
        .set(bearer(user.token))
        .send({ name: `key-${randomUUID()}`, ...body })
        .expect(201)
    ).body as { id: string; key: string; expires_at: string | null };
  const patchUser = (id: string, body: Record<string, unknown>) =>
    t.http.patch(`/api/admin/users/${id}`).set(bearer(admin.token)).send(body).expect(200);

  const CHANGES: [string, { password?: string; role?: string; status?: string }][] = [
    ['a password reset', { password: 'a-brand-new-password' }],
    ['a role change', { role: 'admin' }],
    ['a block', { status: 'blocked' }],
  ];

  it.each(CHANGES)("%s ends the user's JWTs and API keys", async (_label, change) => {
    const user = await createUser(t, 'agent');
    const { key } = await newKey(user);
    await me(user.token).expect(200);
    await me(key).expect(200);

    await patchUser(user.id, change);
    const refused = await me(user.token).expect(401);
    expect(refused.body.message).toMatch(/session has ended|blocked/);
    await me(key).expect(401);
    const keys: { n: number | string }[] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM api_keys WHERE user_id = ?',
      [user.id],
    );
    expect(Number(keys[0].n)).toBe(0);

    if (change.status === 'blocked') {
      // Unblocking does not bring the old session back.
      await patchUser(user.id, { status: 'active' });
      await me(user.token).expect(401);
    }
    const password = change.password ?? user.password;
    const again = await login({ email: user.email, password }).expect(200);
    await me(again.body.access_token as string).expect(200);
  });

  it('a name change, or setting the same role, ends nothing', async () => {
    const user = await createUser(t, 'agent');
    const { key } = await newKey(user);
    await patchUser(user.id, { name: 'Renamed', role: 'agent', status: 'active' });
    await me(user.token).expect(200);
    await me(key).expect(200);
  });

  it('POST /api/auth/logout ends the session it is sent with, and only that one', async () => {
    const user = await createUser(t, 'agent');
    const other = (await login(user).expect(200)).body.access_token as string;
    await t.http.post('/api/auth/logout').set(bearer(user.token)).expect(204);
    const refused = await me(user.token).expect(401);
    expect(refused.body.message).toMatch(/session has ended/);
    await t.http.post('/api/auth/logout').set(bearer(user.token)).expect(401);
    await me(other).expect(200);

    const { key } = await newKey({ ...user, token: other });
    const res = await t.http.post('/api/auth/logout').set(bearer(key)).expect(400);
    expect(res.body.message).toMatch(/API key is not a session/);
    await me(key).expect(200);

    const audit = await t.http
      .get('/api/admin/audit-log')
      .query({ action: 'auth.logout', target_id: user.id })
      .set(bearer(admin.token))
      .expect(200);
    expect(audit.body.data).toHaveLength(1);
  });

  it('refuses a JWT without exp, or without the claims Homa signs, even with the right secret', async () => {
    const jwt = t.get(JwtService);
    const claims = { sub: admin.id, ver: 0, jti: randomUUID() };
    await me(await jwt.signAsync(claims, { expiresIn: 60 })).expect(200);
    await me(await jwt.signAsync(claims)).expect(401);
    await me(await jwt.signAsync({ sub: admin.id }, { expiresIn: 60 })).expect(401);
    await me(await jwt.signAsync({ sub: admin.id, ver: 0 }, { expiresIn: 60 })).expect(401);
  });

  it('API keys can carry an expiry: refused after it, shown in the list; a past or far one is a 400', async () => {
    const user = await createUser(t, 'agent');
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const created = await newKey(user, { expires_at: expiresAt });
    expect(created.expires_at).toBe(expiresAt);
    await me(created.key).expect(200);
    const list = await t.http.get('/api/auth/api-keys').set(bearer(user.token)).expect(200);
    expect(list.body[0]).toEqual(
      expect.objectContaining({ id: created.id, expires_at: expiresAt }),
    );

    await t.dataSource
      .getRepository(ApiKey)
      .update(created.id, { expires_at: new Date(Date.now() - 1000) });
    await me(created.key).expect(401);

    for (const expires_at of ['2001-01-01T00:00:00Z', '2999-01-01T00:00:00Z', 'tomorrow']) {
      const res = await t.http
        .post('/api/auth/api-keys')
        .set(bearer(user.token))
        .send({ name: 'bad', expires_at })
        .expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['expires_at']);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { ApiKeysService } from '../src/auth/api-keys.service';
import { bearer, createUser, uniqueEmail } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

const login = (t: TestApp, email: string, password: string) =>
  t.http.post('/api/auth/login').send({ email, password });

describe('login brute force (e2e)', () => {
  let t: TestApp;

  // Each test gets its own app: every request comes from 127.0.0.1, so they would share the IP count.
  afterEach(() => t.close());

  it('11 wrong passwords → 429 with Retry-After; the right one is refused until the window passes', async () => {
    // Long enough for ten password checks on a slow machine; the test then waits out what is left.
    t = await createTestApp({ LOGIN_FAILURE_WINDOW_SECONDS: '15' });
    const user = await createUser(t, 'agent');
    for (let i = 0; i < 10; i++) await login(t, user.email, 'wrong-password').expect(401);
    const limited = await login(t, user.email, 'wrong-password').expect(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(15);
    expect(limited.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/Too many failed logins/),
    });
    await login(t, user.email, user.password).expect(429);
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 200));
    await login(t, user.email, user.password).expect(200);
  });

  it('an unknown email is answered exactly the same', async () => {
    t = await createTestApp();
    const email = uniqueEmail('nobody');
    for (let i = 0; i < 10; i++) await login(t, email, 'wrong-password').expect(401);
    const limited = await login(t, email, 'wrong-password').expect(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.body.message).toMatch(/Too many failed logins/);
  });

  it('a success resets the email count; API keys are not affected', async () => {
    t = await createTestApp();
    const user = await createUser(t, 'agent');
    for (let i = 0; i < 9; i++) await login(t, user.email, 'wrong-password').expect(401);
    await login(t, user.email, user.password).expect(200);
    for (let i = 0; i < 9; i++) await login(t, user.email, 'wrong-password').expect(401);
    await login(t, user.email, user.password).expect(200);
    for (let i = 0; i < 10; i++) await login(t, user.email, 'wrong-password').expect(401);
    await login(t, user.email, user.password).expect(429);
    const { key } = await t.get(ApiKeysService).create(user.id, `key-${randomUUID()}`);
    await t.http.get('/api/auth/me').set(bearer(key)).expect(200);
  });

  it('a different email from the same IP is limited by the IP rule', async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_IP: '12' });
    const a = await createUser(t, 'agent');
    const b = await createUser(t, 'agent');
    for (let i = 0; i < 10; i++) await login(t, a.email, 'wrong-password').expect(401);
    await login(t, a.email, 'wrong-password').expect(429);
    await login(t, b.email, 'wrong-password').expect(401);
    await login(t, b.email, 'wrong-password').expect(401);
    const limited = await login(t, b.email, b.password).expect(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('every spelling the database takes for one email shares its limit (SQLite: letter case; MariaDB: accents and width too)', async () => {
    t = await createTestApp({ LOGIN_FAILURE_WINDOW_SECONDS: '600' });
    const user = await createUser(t, 'agent');
    const [local, domain] = user.email.split('@');
    const spellings = [user.email, user.email.toUpperCase()];
    if (t.dataSource.options.type === 'mysql')
      spellings.push(
        `${local.replace('a', 'á')}@${domain}`,
        `${local}@${domain.replace('a', 'á')}`,
        // A full-width first letter (U+FF41 for `a`).
        `${String.fromCharCode(local.charCodeAt(0) + 0xfee0)}${local.slice(1)}@${domain}`,
      );
    // Each spelling signs in to the one account (the database takes them for one email)...
    for (const spelling of spellings) await login(t, spelling, user.password).expect(200);
    // ...and its failures count against the one account, whichever spelling they come under.
    for (let i = 0; i < 10; i++)
      await login(t, spellings[i % spellings.length], 'wrong-password').expect(401);
    for (const spelling of spellings) {
      const res = await login(t, spelling, 'wrong-password');
      expect([spelling, res.status]).toEqual([spelling, 429]);
      await login(t, spelling, user.password).expect(429);
    }
  });

  it('each refused login is in the audit log with the email tried and the IP, never the password', async () => {
    t = await createTestApp();
    const admin = await createUser(t, 'admin');
    const email = uniqueEmail('refused');
    const wrong = `wrong-${randomUUID()}`;
    for (let i = 0; i < 10; i++) await login(t, email, wrong).expect(401);
    await login(t, email, wrong).expect(429);
    await login(t, email, `another-${randomUUID()}`).expect(429);
    const entries = async (action: string) => {
      const res = await t.http
        .get('/api/admin/audit-log')
        .query({ action, limit: '100' })
        .set(bearer(admin.token))
        .expect(200);
      return (res.body as { data: Record<string, unknown>[] }).data;
    };
    const refused = await entries('auth.login_refused');
    expect(refused).toHaveLength(2);
    for (const entry of refused)
      expect(entry).toEqual(
        expect.objectContaining({
          actor_type: 'anonymous',
          actor_email: email,
          actor_user_id: null,
          target_type: 'user',
          target_id: null,
          ip: expect.stringMatching(/127\.0\.0\.1/),
          details: null,
        }),
      );
    expect(await entries('auth.login_failed')).toHaveLength(10);
    const everything = JSON.stringify(await t.dataSource.query('SELECT * FROM audit_log'));
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain('another-');
  });
});

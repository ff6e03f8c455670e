import { createUser, bearer, uniqueEmail } from './factories/users';
import { GUIDE_TICKET } from './factories/tickets';
import { createTestApp, TestApp } from './helpers/test-app';

const XFF = 'X-Forwarded-For';

/**
 * Whose X-Forwarded-For names the client (TRUST_PROXY), as the per-IP limits and the audit log see
 * it. Every request here comes from 127.0.0.1; the header says what a proxy (or a liar) claims.
 */
describe('TRUST_PROXY (e2e)', () => {
  let t: TestApp;
  // createTestApp writes its settings into process.env: each test starts from the suite's own.
  const suiteEnv = { ...process.env };

  beforeEach(() => {
    process.env = { ...suiteEnv };
  });
  afterEach(() => t.close());

  const failLogin = (email: string, ip?: string) => {
    const req = t.http.post('/api/auth/login');
    if (ip) void req.set(XFF, ip);
    return req.send({ email, password: 'wrong-password' });
  };
  const auditIps = async (email: string): Promise<string[]> => {
    const rows: { ip: string }[] = await t.dataSource.query(
      "SELECT ip FROM audit_log WHERE action = 'auth.login_failed' AND actor_email = ? ORDER BY id",
      [email],
    );
    return rows.map((r) => r.ip);
  };

  it('by default ignores a spoofed X-Forwarded-For: the per-IP limits hold and the audit log has the peer', async () => {
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_IP: '4', CLIENT_RATE_LIMIT: '3' });
    const email = uniqueEmail('spoof');
    for (let i = 0; i < 4; i++) await failLogin(uniqueEmail('any'), `203.0.113.${i}`).expect(401);
    await failLogin(email, '198.51.100.7').expect(429);
    await failLogin(uniqueEmail('any'), '198.51.100.8').expect(429);

    for (let i = 0; i < 3; i++)
      await t.http
        .post('/api/client/tickets')
        .set(XFF, `203.0.113.${i}`)
        .send({ ...GUIDE_TICKET, client_email: uniqueEmail() })
        .expect(201);
    await t.http
      .post('/api/client/tickets')
      .set(XFF, '203.0.113.99')
      .send({ ...GUIDE_TICKET, client_email: uniqueEmail() })
      .expect(429);

    const rows: { ip: string }[] = await t.dataSource.query(
      "SELECT DISTINCT ip FROM audit_log WHERE action IN ('auth.login_failed', 'auth.login_refused')",
    );
    expect(rows.map((r) => r.ip)).toEqual([expect.stringMatching(/127\.0\.0\.1/)]);
    const refused: { ip: string }[] = await t.dataSource.query(
      "SELECT ip FROM audit_log WHERE action = 'auth.login_refused' AND actor_email = ?",
      [email],
    );
    expect(refused).toEqual([{ ip: expect.stringMatching(/127\.0\.0\.1/) }]);
  });

  it('with TRUST_PROXY=loopback believes the local proxy: each client IP has its own limits and is audited', async () => {
    t = await createTestApp({
      TRUST_PROXY: 'loopback',
      LOGIN_MAX_FAILURES_PER_IP: '4',
      CLIENT_RATE_LIMIT: '2',
    });
    const email = uniqueEmail('proxied');
    for (let i = 0; i < 4; i++) await failLogin(email, '203.0.113.10').expect(401);
    await failLogin(uniqueEmail('any'), '203.0.113.10').expect(429);
    await failLogin(email, '203.0.113.11').expect(401);
    expect(await auditIps(email)).toEqual([...Array(4).fill('203.0.113.10'), '203.0.113.11']);

    const ticket = (ip: string) =>
      t.http
        .post('/api/client/tickets')
        .set(XFF, ip)
        .send({ ...GUIDE_TICKET, client_email: uniqueEmail() });
    await ticket('203.0.113.20').expect(201);
    await ticket('203.0.113.20').expect(201);
    await ticket('203.0.113.20').expect(429);
    await ticket('203.0.113.21').expect(201);
  });

  it('trusts only the proxies listed: a CIDR that leaves out the peer leaves X-Forwarded-For unread', async () => {
    t = await createTestApp({
      TRUST_PROXY: '10.0.0.0/8, fd00::/8',
      LOGIN_MAX_FAILURES_PER_IP: '2',
    });
    const email = uniqueEmail('cidr');
    await failLogin(email, '203.0.113.30').expect(401);
    await failLogin(email, '203.0.113.31').expect(401);
    await failLogin(email, '203.0.113.32').expect(429);
    expect(await auditIps(email)).toEqual([
      expect.stringMatching(/127\.0\.0\.1/),
      expect.stringMatching(/127\.0\.0\.1/),
    ]);
  });

  it('with a hop count takes the address that many proxies back, whatever the client prepends', async () => {
    t = await createTestApp({ TRUST_PROXY: '1' });
    const email = uniqueEmail('hops');
    await failLogin(email, '1.2.3.4, 203.0.113.40').expect(401);
    expect(await auditIps(email)).toEqual(['203.0.113.40']);
  });

  it('a stranger cannot lock an account out: the per-IP+account limit comes first, the per-account one is higher', async () => {
    t = await createTestApp({
      TRUST_PROXY: 'loopback',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '7',
      LOGIN_FAILURE_WINDOW_SECONDS: '600',
    });
    const owner = await createUser(t, 'agent');
    const signIn = (ip: string) =>
      t.http
        .post('/api/auth/login')
        .set(XFF, ip)
        .send({ email: owner.email, password: owner.password });
    for (let i = 0; i < 3; i++) await failLogin(owner.email, '203.0.113.50').expect(401);
    await failLogin(owner.email, '203.0.113.50').expect(429);
    await signIn('203.0.113.50').expect(429);
    // The owner, elsewhere, is not locked out by the stranger's failures...
    const ok = await signIn('198.51.100.1').expect(200);
    await t.http
      .get('/api/auth/me')
      .set(bearer(ok.body.access_token as string))
      .expect(200);
    // ...until guesses from many IPs add up to the per-account limit.
    for (let i = 0; i < 7; i++) await failLogin(owner.email, `203.0.113.${60 + i}`).expect(401);
    await signIn('198.51.100.1').expect(429);
  });
});

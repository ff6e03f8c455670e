import { createClient } from './redis-client';
import { GUIDE_TICKET } from '../factories/tickets';
import { uniqueEmail } from '../factories/users';
import { runCli } from '../helpers/cli';
import {
  postJson,
  ProcessGroup,
  ServerProcess,
  startProcessGroup,
} from '../helpers/server-process';

/**
 * Two API replicas behind one (imaginary) load balancer, sharing MariaDB and Redis: the client API's
 * and the login's limits hold in total, not per process. Runs in CI's Redis step.
 */
const REDIS_URL = process.env.REDIS_URL ?? '';
if (!REDIS_URL || !process.env.DATABASE_URL)
  throw new Error('the replica limits suite needs DATABASE_URL and REDIS_URL');

describe('rate limits across two API replicas (MariaDB + Redis)', () => {
  let group: ProcessGroup;
  const replicas: ServerProcess[] = [];
  let env: Record<string, string>;
  let prefix: string;

  beforeAll(async () => {
    group = await startProcessGroup('limits', {
      REDIS_URL,
      JWT_SECRET: 'replica-limits-test-secret-0123456789-abc',
      CLIENT_RATE_LIMIT: '10',
      CLIENT_RATE_TTL_SECONDS: '60',
      LOGIN_MAX_FAILURES: '6',
    });
    env = group.env;
    prefix = env.REDIS_QUEUE_PREFIX;
    // The first applies the migrations; the second starts on the migrated database.
    replicas.push(await group.start('serve'));
    replicas.push(await group.start('serve'));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await group?.close();
  });

  it('the client API allows CLIENT_RATE_LIMIT requests in total across both', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const replica = replicas[i % 2];
      const res = await postJson(`${replica.url}/api/client/tickets`, {
        ...GUIDE_TICKET,
        client_email: uniqueEmail('replica'),
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual(Array(10).fill(429));
    // Each replica served some of the ten: the budget is shared, not per process.
    expect(statuses.filter((s, i) => s === 201 && i % 2 === 0)).toHaveLength(5);
  });

  it('failed logins count across both replicas; a success on one resets the email on both', async () => {
    const email = uniqueEmail('replica-admin');
    const created = await runCli(
      ['user:create', '--email', email, '--password', 'replica-pass-1', '--admin'],
      env,
    );
    expect(created.code).toBe(0);
    const login = (i: number, password: string) =>
      postJson(`${replicas[i % 2].url}/api/auth/login`, { email, password });
    for (let i = 0; i < 5; i++) expect((await login(i, 'wrong-password')).status).toBe(401);
    expect((await login(0, 'replica-pass-1')).status).toBe(200);
    for (let i = 0; i < 6; i++) expect((await login(i, 'wrong-password')).status).toBe(401);
    const limited = await login(1, 'replica-pass-1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(0, 'replica-pass-1')).status).toBe(429);
    const redis = createClient(REDIS_URL);
    const keys = await redis.keys(`${prefix}:login:*`);
    await redis.quit();
    // Emails are hashed in Redis.
    expect(keys.join(' ')).not.toContain(email);
    expect(keys.length).toBeGreaterThan(0);
  });
});

import { postJson, startProcessGroup } from './helpers/server-process';

describe('structured logs (e2e)', () => {
  it('writes one JSON line per request with its request id, and never the credentials', async () => {
    const group = await startProcessGroup('logs', {
      JWT_SECRET: 'logging-test-secret-0123456789-abcdefgh',
      LOG_LEVEL: 'log',
    });
    const server = await group.start();
    try {
      const token = 'homa_' + 'ab'.repeat(32);
      const res = await fetch(`${server.url}/api/auth/me`, {
        headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'req-test-42' },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-request-id')).toBe('req-test-42');
      const login = await postJson(`${server.url}/api/auth/login`, {
        email: 'nobody@example.com',
        password: 'hunter2-secret-password',
      });
      expect(login.status).toBe(401);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await group.close();
    }
    const lines = server
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const entries = lines.map(
      (l) => JSON.parse(l) as { req?: { id: string; url: string }; res?: { statusCode: number } },
    );
    const request = entries.find((e) => e.req?.url === '/api/auth/me');
    expect(request).toEqual(
      expect.objectContaining({
        req: expect.objectContaining({ id: 'req-test-42' }),
        res: expect.objectContaining({ statusCode: 401 }),
      }),
    );
    expect(server.output()).not.toContain('ab'.repeat(32));
    expect(server.output()).not.toContain('hunter2-secret-password');
  });

  it('LOG_FORMAT=pretty writes human-readable lines, still without credentials', async () => {
    const group = await startProcessGroup('logs', {
      JWT_SECRET: 'logging-test-secret-0123456789-abcdefgh',
      LOG_LEVEL: 'log',
      LOG_FORMAT: 'pretty',
    });
    const server = await group.start();
    try {
      const res = await fetch(`${server.url}/api/auth/me`, {
        headers: {
          Authorization: `Bearer homa_${'cd'.repeat(32)}`,
          'X-Request-Id': 'req-pretty-7',
        },
      });
      expect(res.status).toBe(401);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await group.close();
    }
    const lines = server
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const request = lines.find((l) => l.includes('req-pretty-7'));
    expect(request).toBeDefined();
    expect(() => JSON.parse(request!)).toThrow();
    expect(request).toMatch(/INFO/);
    expect(request).toContain('/api/auth/me');
    expect(lines.some((l) => l.includes('Homa listening on'))).toBe(true);
    expect(server.output()).not.toContain('cd'.repeat(32));
  });
});

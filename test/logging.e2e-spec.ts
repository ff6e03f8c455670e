import { createServer, AddressInfo } from 'node:net';
import { join } from 'node:path';
import { migrations } from '../migrations';
import { runCli } from './helpers/cli';
import { isolatedDatabase, mysqlUrl } from './helpers/database';
import { postJson, startProcessGroup, startServerProcess } from './helpers/server-process';

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

describe('start-up logs (e2e)', () => {
  /** The escape that starts a colour. */
  const ANSI = '\u001b[';
  const lines = (output: string) => output.split('\n').filter((l) => l.trim() !== '');
  const entries = (output: string) =>
    lines(output).map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string });

  it('a bad setting stops the server with one JSON line naming the variable: no ANSI, no stack', async () => {
    const db = await isolatedDatabase('logs');
    try {
      const res = await runCli(['serve'], { ...db.env, PORT: 'eighty', LOG_FORMAT: 'json' });
      expect(res.code).toBe(1);
      const output = res.stdout + res.stderr;
      expect(output).not.toContain(ANSI);
      expect(output).not.toMatch(/\n\s+at /);
      const errors = entries(output).filter((e) => e.level === 50);
      expect(errors).toEqual([
        expect.objectContaining({
          context: 'Config',
          variables: ['PORT'],
          msg: 'Invalid configuration: "PORT" must be a number',
        }),
      ]);
      expect(errors[0]).not.toHaveProperty('err');

      // Pretty without a terminal: readable, still without colours.
      const pretty = await runCli(['serve'], { ...db.env, PORT: 'eighty', LOG_FORMAT: 'pretty' });
      expect(pretty.code).toBe(1);
      expect(pretty.stdout).not.toContain(ANSI);
      expect(pretty.stdout).toMatch(/ERROR: Invalid configuration: "PORT" must be a number/);
    } finally {
      await db.drop();
    }
  });

  it('a database it cannot open is one line at once, naming the setting and the cause', async () => {
    const db = await isolatedDatabase('logs');
    const url = mysqlUrl();
    // MySQL/MariaDB: an unknown database (no retries: waiting would not create it). SQLite: a data
    // directory that cannot be made.
    const env = url
      ? { ...db.env, DATABASE_URL: `${url}_no_such_db`, JWT_SECRET: 'x'.repeat(40) }
      : { ...db.env, DATA_DIR: join(__filename, 'data') };
    try {
      const started = Date.now();
      const res = await runCli(['serve'], { ...env, LOG_FORMAT: 'json' });
      expect(res.code).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
      const errors = entries(res.stdout).filter((e) => e.level === 50);
      expect(errors).toEqual([
        expect.objectContaining(
          url
            ? {
                context: 'Database',
                variables: ['DATABASE_URL'],
                cause: 'ER_BAD_DB_ERROR',
                msg: expect.stringMatching(/^Cannot open the database at mysql:.*Unknown database/),
              }
            : { context: 'Config', variables: ['DATA_DIR'], cause: 'ENOTDIR' },
        ),
      ]);
      expect(res.stdout).not.toMatch(/Retrying|\n\s+at /);
    } finally {
      await db.drop();
    }
  });

  it('logs each migration it applies by name, and the address it really listens on', async () => {
    const db = await isolatedDatabase('logs');
    const server = await startServerProcess({ ...db.env, LOG_LEVEL: 'log', LOG_FORMAT: 'json' });
    await server.stop();
    await db.drop();
    const messages = entries(server.output()).map((e) => e.msg);
    for (const migration of migrations)
      expect(messages).toContain(`Applied migration ${migration.name}`);
    const listen = messages.find((m) => m.startsWith('Homa listening on'));
    // Bound to every address (no host given), as the line now says: not "localhost".
    expect(listen).toMatch(
      new RegExp(
        `^Homa listening on http://(\\[::\\]|0\\.0\\.0\\.0):${server.port} \\(every address of this host\\)`,
      ),
    );
  });

  it('a port already taken stops the server with a line naming PORT', async () => {
    const db = await isolatedDatabase('logs');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const res = await runCli(['serve'], { ...db.env, PORT: String(port), LOG_FORMAT: 'json' });
      expect(res.code).toBe(1);
      expect(entries(res.stdout).filter((e) => e.level === 50)).toEqual([
        expect.objectContaining({
          variables: ['PORT'],
          cause: 'EADDRINUSE',
          msg: `Port ${port} is already in use (PORT): another process listens on it`,
        }),
      ]);
    } finally {
      taken.close();
      await db.drop();
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyPassword } from '../src/auth/password-hasher';
import { migrations } from '../migrations';
import { COMMAND_MODULES } from '../src/cli/command-modules';
import { uniqueEmail } from './factories/users';
import { runCli } from './helpers/cli';
import { isolatedDatabase, openDatabase } from './helpers/database';

/** The escape that starts a colour. */
const ANSI = '\u001b[';

describe('homa CLI (e2e)', () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await isolatedDatabase('cli');
    env = { ...db.env, JWT_SECRET: 'cli-test-secret-that-is-long-enough-0123456789' };
    drop = db.drop;
  });
  afterAll(() => drop());

  it('migrates with the guide form --migration-do, reports status, reverts and migrates again', async () => {
    const first = await runCli(['--migration-do'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied CreateAuth/);

    const status = await runCli(['migrate:status'], env);
    expect(status.stdout).toMatch(/\[x\] CreateAuth/);
    expect(status.stdout).toMatch(/All migrations applied/);

    const again = await runCli(['migrate'], env);
    expect(again.stdout).toMatch(/up to date/);

    const revert = await runCli(['migrate:revert'], env);
    expect(revert.code).toBe(0);
    expect(revert.stdout).toMatch(/Reverted/);
    const after = await runCli(['migrate:status'], env);
    expect(after.stdout).toMatch(/1 pending migration/);

    expect((await runCli(['migrate'], env)).code).toBe(0);
  });

  it('creates an admin with --create-admin and an agent with user:create, then an API key', async () => {
    await runCli(['migrate'], env);
    const adminEmail = uniqueEmail('cli-admin');
    const admin = await runCli(
      ['--create-admin', '--email', adminEmail, '--password', 'secret-pass-1', '--name', 'Root'],
      env,
    );
    expect(admin.code).toBe(0);
    expect(admin.stdout).toMatch(/Created admin/);

    const agentEmail = uniqueEmail('cli-agent');
    const agent = await runCli(
      ['user:create', '--email', agentEmail, '--password', 'secret-pass-2', '--name', 'Agent'],
      env,
    );
    expect(agent.code).toBe(0);
    expect(agent.stdout).toMatch(/Created agent/);

    const key = await runCli(['api-key:create', '--email', adminEmail], env);
    expect(key.code).toBe(0);
    expect(key.stdout.trim()).toMatch(/^homa_[0-9a-f]{64}$/);

    const dataSource = await openDatabase(env);
    try {
      const rows: { email: string; role: string; password_hash: string }[] = await dataSource.query(
        'SELECT email, role, password_hash FROM users WHERE email IN (?, ?) ORDER BY role',
        [adminEmail, agentEmail],
      );
      expect(rows.map((r) => [r.email, r.role])).toEqual([
        [adminEmail, 'admin'],
        [agentEmail, 'agent'],
      ]);
      expect(rows[0].password_hash).toMatch(/^scrypt\$/);
      const keys: { key_hash: string }[] = await dataSource.query('SELECT key_hash FROM api_keys');
      expect(keys.map((k) => k.key_hash)).not.toContain(key.stdout.trim());
    } finally {
      await dataSource.destroy();
    }
  });

  it('records the events a command publishes in the outbox before it exits', async () => {
    await runCli(['migrate'], env);
    const dataSource = await openDatabase(env);
    try {
      await dataSource.query(
        "INSERT INTO webhooks (name, url, secret, enabled, event_user_created) VALUES ('cli hook', 'https://example.com/hook', 'cli-hook-secret', 1, 1)",
      );
      const email = uniqueEmail('cli-event');
      const created = await runCli(
        ['user:create', '--email', email, '--password', 'secret-pass-3'],
        env,
      );
      expect(created.stderr).toBe('');
      // The CLI does not deliver: the event waits in the outbox for a server to fan it out.
      const rows: { name: string; fanned_out: number | boolean; body: string }[] =
        await dataSource.query(
          "SELECT name, fanned_out, body FROM webhook_events WHERE name = 'user.created'",
        );
      const mine = rows.filter((r) => r.body.includes(email));
      expect(mine).toHaveLength(1);
      expect(Number(mine[0].fanned_out)).toBe(0);
    } finally {
      await dataSource.destroy();
    }
  });

  it('generate-webhook --ordered creates an ordered webhook and says so', async () => {
    await runCli(['migrate'], env);
    const res = await runCli(
      ['--generate-webhook', '--ordered', '--url', 'http://127.0.0.1:9/ordered-hook'],
      { ...env, WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^ {3}Ordered: true/m);
    const id = Number(/ID: (\d+)/.exec(res.stdout)?.[1]);
    const dataSource = await openDatabase(env);
    try {
      const rows: { ordered: number | boolean }[] = await dataSource.query(
        'SELECT ordered FROM webhooks WHERE id = ?',
        [id],
      );
      expect(rows.map((r) => Number(r.ordered))).toEqual([1]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('migrate:revert names what it drops, and drops data only with --yes', async () => {
    const db = await isolatedDatabase('revert');
    const own = { ...env, ...db.env };
    try {
      expect((await runCli(['migrate'], own)).code).toBe(0);
      const hook = await runCli(
        ['generate-webhook', '--ordered', '--url', 'http://127.0.0.1:9/revert'],
        { ...own, WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' },
      );
      expect(hook.code).toBe(0);
      // Down to OrderedDelivery first: the migrations after it hold no data here.
      const later =
        migrations.length - 1 - migrations.findIndex((m) => m.name.startsWith('Ordered'));
      for (let i = 0; i < later; i++) expect((await runCli(['migrate:revert'], own)).code).toBe(0);
      const refused = await runCli(['migrate:revert'], own);
      expect(refused.code).not.toBe(0);
      expect(refused.stdout).toMatch(/^Reverting OrderedDelivery\d+ drops:$/m);
      expect(refused.stdout).toContain('  - column webhooks.ordered (data in 1 row)');
      expect(refused.stdout).toContain('  - table delivery_sequences (no data)');
      expect(refused.stderr).toMatch(/Not reverted: column webhooks\.ordered holds data/);
      expect(refused.stderr).toMatch(/homa migrate:revert --yes/);
      expect((await runCli(['migrate:status'], own)).stdout).toMatch(/\[x\] OrderedDelivery/);

      const reverted = await runCli(['migrate:revert', '--yes'], own);
      expect(reverted.code).toBe(0);
      expect(reverted.stdout).toMatch(/✅ Reverted OrderedDelivery/);
      expect((await runCli(['migrate:status'], own)).stdout).toMatch(/\[ \] OrderedDelivery/);
    } finally {
      await db.drop();
    }
  });

  it('warnings follow LOG_FORMAT on stderr; the command’s own output stays on stdout', async () => {
    await runCli(['migrate'], env);
    const send = (format: string) =>
      runCli(['generate-webhook', '--url', 'http://127.0.0.1:9/refused', '--send'], {
        ...env,
        WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
        LOG_FORMAT: format,
      });
    const json = await send('json');
    expect(json.code).not.toBe(0);
    expect(json.stdout).toMatch(/❌ Test webhook failed: connection/);
    expect(json.stderr).not.toContain(ANSI);
    const warnings = json.stderr
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(warnings).toEqual([
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/failed on attempt 1/) }),
    ]);
    const pretty = await send('pretty');
    expect(pretty.stderr).toMatch(/^\[[\d:.]+\] WARN: Delivery .* failed on attempt 1/);
    expect(pretty.stderr).not.toContain(ANSI);
  });

  it('user:create reads the password from stdin when --password is not given', async () => {
    await runCli(['migrate'], env);
    const email = uniqueEmail('cli-stdin');
    const created = await runCli(['user:create', '--email', email], env, 30000, 'piped-pass-4\n');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created agent/);
    expect(created.stdout).not.toContain('piped-pass-4');
    const dataSource = await openDatabase(env);
    try {
      const [row]: { password_hash: string }[] = await dataSource.query(
        'SELECT password_hash FROM users WHERE email = ?',
        [email],
      );
      expect(await verifyPassword('piped-pass-4', row.password_hash)).toBe(true);
    } finally {
      await dataSource.destroy();
    }
    const short = await runCli(['user:create', '--email', uniqueEmail()], env, 30000, 'short\n');
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/at least 8 characters/);
  });

  it('fails with a message and a non-zero status on bad input', async () => {
    const missing = await runCli(['user:create', '--email', uniqueEmail()], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--password/);
    const unknownUser = await runCli(['api-key:create', '--email', uniqueEmail('ghost')], env);
    expect(unknownUser.code).not.toBe(0);
    expect(unknownUser.stderr).toMatch(/No user/);
  });

  it('refuses to start on MySQL without JWT_SECRET, naming the variable', async () => {
    const res = await runCli(['migrate:status'], {
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/none',
      JWT_SECRET: '',
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/JWT_SECRET/);
  });

  it('every command --help lists has a module of its own that shows its usage', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: homa \[options\] \[command\]/);
    const listed = [...help.stdout.matchAll(/^ {2}([a-z][a-z:-]*)\b/gm)]
      .map((m) => m[1])
      .filter((name) => name !== 'help');
    expect(listed.sort()).toEqual([...COMMAND_MODULES.keys()].sort());
    // One line each (commander wraps a longer summary onto a second, indented line).
    const commandLines = help.stdout.slice(help.stdout.indexOf('Commands:')).split('\n').slice(1);
    expect(commandLines.filter((l) => l.trim() !== '' && !/^ {2}\S/.test(l))).toEqual([]);
    // Every command the CLI reference documents, serve and worker included.
    const documented = [
      ...readFileSync(join(__dirname, '../docs/operations.md'), 'utf8').matchAll(
        /^\| `([a-z][a-z:-]*)/gm,
      ),
    ].map((m) => m[1]);
    expect(documented).toEqual(expect.arrayContaining(['serve', 'worker', 'migrate:revert']));
    expect(listed).toEqual(expect.arrayContaining(documented));
    // One run per command, each booting its module and connecting: seconds each on a busy machine.
    for (const name of listed) {
      const own = await runCli([name, '--help'], env);
      expect({ name, code: own.code, stderr: own.stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(own.stdout).toMatch(new RegExp(`^Usage: homa ${name}\\b`));
    }
  }, 180_000);

  it('a command loads only what it runs: no Nest for migrate, no HTTP app for user:create', async () => {
    const loaded = async (args: string[]) => {
      const res = await runCli(args, {
        ...env,
        NODE_OPTIONS: `--require ${join(__dirname, 'fixtures/report-loaded-packages.js')}`,
      });
      expect(res.code).toBe(0);
      const line = /^loaded packages: (.*)$/m.exec(res.stderr);
      return (line?.[1] ?? '').split(' ');
    };
    const migrate = await loaded(['migrate:status']);
    expect(migrate).toEqual(expect.arrayContaining(['typeorm']));
    expect(migrate.filter((p) => p.startsWith('@nestjs/') || p === 'nest-commander')).toEqual([]);
    const user = await loaded([
      'user:create',
      '--email',
      uniqueEmail('light'),
      '--password',
      'secret-pass-4',
    ]);
    expect(user).toEqual(expect.arrayContaining(['@nestjs/core', 'nest-commander']));
    const heavy = ['@nestjs/swagger', 'class-validator', 'axios', 'bullmq', 'ioredis', 'pino'];
    expect(user.filter((p) => heavy.includes(p))).toEqual([]);
  });
});

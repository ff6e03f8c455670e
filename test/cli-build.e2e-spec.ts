import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedDatabase } from './helpers/database';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { staleReason } = require('../scripts/build-state.js') as {
  staleReason: (root: string) => string | null;
};

const ROOT = join(__dirname, '..');

function npmRunCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'cli', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run cli without recompiling (e2e)', () => {
  it('a build is needed only when a source is newer than dist', () => {
    const root = mkdtempSync(join(tmpdir(), 'homa-build-'));
    mkdirSync(join(root, 'src'), { recursive: true });
    mkdirSync(join(root, 'migrations'));
    mkdirSync(join(root, 'dist/src/cli'), { recursive: true });
    writeFileSync(join(root, 'src/a.ts'), 'export const a = 1;');
    expect(staleReason(root)).toMatch(/missing/);
    writeFileSync(join(root, 'dist/src/cli/main.js'), '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'src/a.ts'), past, past);
    expect(staleReason(root)).toBeNull();
    mkdirSync(join(root, 'src/deep/er'), { recursive: true });
    writeFileSync(join(root, 'src/deep/er/b.ts'), 'export const b = 2;');
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src/deep/er/b.ts'), future, future);
    expect(staleReason(root)).toBe('src changed since the last build');
    cpSync(join(root, 'src/deep/er/b.ts'), join(root, 'dist/src/cli/main.js'));
    utimesSync(join(root, 'dist/src/cli/main.js'), future, future);
    expect(staleReason(root)).toBeNull();
  });

  it('a second `npm run cli -- migrate:status` on unchanged code runs no compile step', async () => {
    const db = await isolatedDatabase('clibuild');
    const env = { ...db.env, JWT_SECRET: 'cli-build-test-secret-0123456789-abcdefgh' };
    try {
      // `npm test` built already; the first call may still compile if a source was touched since.
      const first = await npmRunCli(['migrate:status'], env);
      expect(first.code).toBe(0);
      const built = statSync(join(ROOT, 'dist/src/cli/main.js')).mtimeMs;
      expect(staleReason(ROOT)).toBeNull();

      const second = await npmRunCli(['migrate:status'], env);
      expect(second.code).toBe(0);
      expect(second.stderr).not.toMatch(/compiling/);
      expect(second.stdout).toMatch(/pending migration\(s\)|CreateAuth/);
      expect(statSync(join(ROOT, 'dist/src/cli/main.js')).mtimeMs).toBe(built);
    } finally {
      await db.drop();
    }
  });
});

import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { isolatedDatabase } from './helpers/database';
import { freePort } from './helpers/server-process';

/**
 * A supervisor (systemd, Kubernetes, Docker) stops the process it started with SIGTERM and expects
 * nothing of it to outlive it. Both starts the docs give are tested: `npm start` (the quick start;
 * npm forwards the signal to the server it `exec`s, instead of a shell that would leave it running)
 * and `node dist/src/cli/main.js serve` (production, built once). The build is current here (`npm
 * test` builds first), so `npm start` builds nothing.
 */
const ROOT = join(__dirname, '..');
const GRACE_SECONDS = 3;

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number>;
}

async function start(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<Started> {
  const port = await freePort();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited early:\n${output}`);
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error(`not healthy within a minute:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, output: () => output, exited };
}

/** Whether nothing listens on the port any more (this process can take it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

describe('a production start a supervisor can stop (e2e, real processes)', () => {
  it.each([
    ['npm start', 'npm', ['start']],
    ['node dist/src/cli/main.js serve', process.execPath, ['dist/src/cli/main.js', 'serve']],
  ])(
    'SIGTERM to `%s` frees the port within the grace',
    async (_name, command, args) => {
      const db = await isolatedDatabase('supervised');
      try {
        const started = await start(command, args, db.env);
        expect(started.output()).not.toMatch(/homa: building/);
        const stopped = Date.now();
        started.child.kill('SIGTERM');
        const exitedAt = await started.exited;
        expect(exitedAt - stopped).toBeLessThan(GRACE_SECONDS * 1000 + 5_000);
        // Nothing it started still serves: the port is free at once.
        expect(await portIsFree(started.port)).toBe(true);
        await expect(fetch(`http://127.0.0.1:${started.port}/health`)).rejects.toThrow();
      } finally {
        await db.drop();
      }
    },
    120_000,
  );
});

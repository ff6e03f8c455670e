import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { runCli } from './cli';
import { isolatedDatabase, openDatabase } from './database';

const CLI = join(__dirname, '../../dist/src/cli/main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  /** Settles when the process has exited, with when. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** SIGKILL: no shutdown hooks, no chance to finish anything. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `homa serve` or `homa worker` from the build as its own process and waits for its /health. */
export async function startServerProcess(
  env: Record<string, string>,
  role: 'serve' | 'worker' = 'serve',
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, role], {
    env: { ...process.env, ...env, PORT: String(port), WORKER_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output: () => output,
    exited,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** POSTs JSON to a process, with a bearer token when given. */
export function postJson(
  url: string,
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** Signs in through a process's API and returns the access token. */
export async function login(serverUrl: string, email: string, password: string): Promise<string> {
  const res = await postJson(`${serverUrl}/api/auth/login`, { email, password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * Processes of the built app on a database of their own, for the tests that kill, stop and restart
 * them: `env` is the database's (DATA_DIR, DATABASE_URL, HOMA_ENCRYPTION_KEY), a Redis prefix of its
 * own, LOG_LEVEL=error, then `extra`.
 */
export interface ProcessGroup {
  env: Record<string, string>;
  /** The processes started and not yet killed or stopped. */
  processes: ServerProcess[];
  start(role?: 'serve' | 'worker'): Promise<ServerProcess>;
  /** `homa serve`, plus a `homa worker` with REDIS_URL (then the worker delivers); answers the server. */
  startDelivering(): Promise<ServerProcess>;
  /** Creates an admin with the CLI (`--create-admin`), signs in through `server` and answers the token. */
  createAdmin(server: ServerProcess, email: string, password: string): Promise<string>;
  /** The group's database, opened as the app opens it on first use and closed by `close()`. */
  database(): Promise<DataSource>;
  /** kill -9 of every process, all at once. */
  killAll(): Promise<void>;
  /** SIGTERM to every process, one after another, waiting for each to exit. */
  stopAll(): Promise<void>;
  /** Stops every process, closes the database and drops it, and deletes the group's Redis keys. */
  close(): Promise<void>;
}

let groups = 0;

export async function startProcessGroup(
  label: string,
  extra: Record<string, string> = {},
): Promise<ProcessGroup> {
  const db = await isolatedDatabase(label);
  const prefix = `homa-test-${label}-${process.pid}-${++groups}`;
  const env: Record<string, string> = {
    ...db.env,
    REDIS_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'error',
    ...extra,
  };
  const processes: ServerProcess[] = [];
  let dataSource: DataSource | undefined;
  const start = async (role: 'serve' | 'worker' = 'serve') => {
    const started = await startServerProcess(env, role);
    processes.push(started);
    return started;
  };
  const stopAll = async () => {
    for (const p of processes.splice(0)) await p.stop();
  };
  return {
    env,
    processes,
    start,
    startDelivering: async () => {
      const server = await start('serve');
      if (env.REDIS_URL ?? process.env.REDIS_URL) await start('worker');
      return server;
    },
    createAdmin: async (server, email, password) => {
      const created = await runCli(
        ['--create-admin', '--email', email, '--password', password],
        env,
      );
      if (created.code !== 0) throw new Error(`--create-admin: ${created.code} ${created.stderr}`);
      return login(server.url, email, password);
    },
    database: async () => (dataSource ??= await openDatabase(env)),
    killAll: async () => {
      await Promise.all(processes.splice(0).map((p) => p.kill9()));
    },
    stopAll,
    close: async () => {
      await stopAll();
      if (dataSource?.isInitialized) await dataSource.destroy();
      await db.drop();
      const redisUrl = env.REDIS_URL ?? process.env.REDIS_URL;
      if (redisUrl) await deleteRedisKeys(redisUrl, `${prefix}:*`);
    },
  };
}

/** Deletes the keys matching `pattern` (a group's queues and rate limits); answers how many. */
export async function deleteRedisKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

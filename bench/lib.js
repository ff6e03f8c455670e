'use strict';
// Pieces the benchmark is made of: a receiver, Homa processes, an API client and statistics.
const { spawn } = require('node:child_process');
const { createHmac } = require('node:crypto');
const { readdirSync, readFileSync, statSync } = require('node:fs');
const http = require('node:http');
const { basename, join } = require('node:path');

const CLI = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
// Whatever happens, no Homa process outlives the benchmark.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median and spread (min–max) of repeated runs. */
function summarise(runs) {
  return { median: quantile(runs, 0.5), min: Math.min(...runs), max: Math.max(...runs), runs };
}

async function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * A webhook endpoint on 127.0.0.1 that counts distinct deliveries per path (a webhook-id received again
 * counts as a duplicate instead) and notes when each ticket's arrived.
 */
async function startReceiver(port = 0, mode = 'ok') {
  const state = {
    count: 0,
    byPath: new Map(),
    ticketSeen: new Map(),
    seen: new Set(),
    duplicates: 0,
    mode,
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (state.mode === 'hang') return;
      state.count += 1;
      // A delivery sent again (at least once) counts once: duplicates must not pass for throughput.
      const id = req.headers['webhook-id'];
      if (id !== undefined && state.seen.has(id)) {
        state.duplicates += 1;
        return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      }
      if (id !== undefined) state.seen.add(id);
      state.byPath.set(req.url, (state.byPath.get(req.url) ?? 0) + 1);
      if (req.headers['x-webhook-event'] === 'ticket.created') {
        // A templated body need not carry the ticket's id.
        const ticketId = JSON.parse(Buffer.concat(chunks).toString()).data?.ticket_id;
        if (ticketId !== undefined && !state.ticketSeen.has(ticketId))
          state.ticketSeen.set(ticketId, performance.now());
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const bound = server.address().port;
  return {
    state,
    port: bound,
    url: (path) => `http://127.0.0.1:${bound}${path}`,
    /** Distinct deliveries received at `path` (by webhook-id; the ceiling's bare POSTs each count). */
    pathCount: (path) => state.byPath.get(path) ?? 0,
    duplicates: () => state.duplicates,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The signed envelope the ceilings post. */
const CEILING_BODY = Buffer.from(
  JSON.stringify({
    event: 'ticket.created',
    timestamp: '2024-01-15T10:30:00Z',
    data: {
      ticket_id: 123,
      title: 'Test Ticket',
      client_id: 'c4ae2903-1127-4229-9e20-3225990af447',
      department_id: null,
      channel_id: 'web',
      status: 'new',
      priority: 'medium',
    },
  }),
);

/**
 * Homa's WebhookSender as built in `dist` (the newest build of each file: an older layout's leftovers
 * may still sit there), allowed 127.0.0.1: today's (HttpService, guard, config), or the older
 * (guard, config) of the hand-written client, so that an older build can be measured the same way.
 */
function builtSender(dist = join(__dirname, '..', 'dist'), maxResponseBytes = 1024) {
  const root = join(dist, 'src');
  const built = (name) =>
    readdirSync(root, { recursive: true })
      .filter((file) => basename(file) === name)
      .map((file) => join(root, file))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  const { WebhookSender } = require(built('webhook-sender.js'));
  const { TargetGuard } = require(built('target-guard.js'));
  const values = {
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
    WEBHOOK_RESPONSE_MAX_BYTES: maxResponseBytes,
  };
  const config = { get: (key) => values[key] };
  const guard = new TargetGuard(config);
  if (WebhookSender.length <= 2) return new WebhookSender(guard, config);
  const { HttpService } = require(require.resolve('@nestjs/axios', { paths: [dist] }));
  const axios = require(require.resolve('axios', { paths: [dist] }));
  return new WebhookSender(new HttpService(axios.create()), guard, config);
}

/**
 * The raw ceiling: a keep-alive client posting signed envelopes to the same receiver, no database.
 * `client: 'node'` (the goal's) uses `node:http`; `client: 'sender'` uses Homa's WebhookSender as
 * built (axios over its own agents, the target guard, the response read and cut), to show how high
 * the ceiling goes with the sender's HTTP stack: what is left between it and `node:http` is axios's.
 */
async function ceiling(receiver, { count, concurrency, client = 'node' }) {
  const body = CEILING_BODY;
  const signed = () => createHmac('sha256', 'bench-secret-value').update(body).digest('hex');
  let post;
  let close;
  if (client === 'sender') {
    const sender = builtSender();
    const url = receiver.url('/ceiling');
    post = async () => {
      const headers = { 'Content-Type': 'application/json', 'X-Webhook-Signature': signed() };
      const outcome = await sender.send({ url, body, headers, timeoutMs: 10_000 });
      if (!outcome.success) throw new Error(`ceiling through the sender: ${outcome.error}`);
    };
    close = () => sender.onApplicationShutdown();
  } else {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    post = () =>
      new Promise((resolve, reject) => {
        const req = http.request(receiver.url('/ceiling'), {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': body.length,
            'X-Webhook-Signature': signed(),
          },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(body);
      });
    close = () => agent.destroy();
  }
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await post();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  close();
  return count / seconds;
}

/**
 * Latency at a fixed request rate, open loop: request i is sent at t0 + i / rate whatever the answers
 * before it, and its latency counts from that scheduled time to the end of its response (so a client that
 * falls behind is charged to the server, not hidden). `rate` × `seconds` POSTs of `body` to `url`.
 */
async function pacedLatency(url, body, { rate, seconds }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const payload = Buffer.from(JSON.stringify(body));
  const post = (scheduled) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode < 300
            ? resolve(performance.now() - scheduled)
            : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.end(payload);
    });
  const t0 = performance.now();
  const pending = [];
  for (let i = 0; i < rate * seconds; i++) {
    const scheduled = t0 + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(post(scheduled));
  }
  const latencies = await Promise.all(pending);
  agent.destroy();
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/** A Homa process (`serve` or `worker`) from the build; waits for /health. */
async function startHoma(env, role = 'serve', nodeArgs = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, CLI, role], {
    env: { ...process.env, ...env, PORT: String(port), WORKER_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  // The last 64 KiB: an outage logs a line per refused attempt.
  child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-65536)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`homa ${role} exited: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // starting
    }
    if (i > 300) throw new Error(`homa ${role} did not start: ${stderr}`);
    await sleep(100);
  }
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status())[1]);
  return {
    url,
    pid: child.pid,
    rssMb: () => kib('VmRSS') / 1024,
    peakRssMb: () => kib('VmHWM') / 1024,
    cpuSeconds: () => cpuSeconds(child.pid),
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** User and system CPU seconds of a process, from /proc. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat; the split starts at field 3. Ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of the first process named `name` (e.g. mariadbd), or null when none runs. */
function cpuSecondsOf(name) {
  for (const pid of readdirSync('/proc').filter((f) => /^\d+$/.test(f))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name) return cpuSeconds(pid);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`homa ${args[0]}: ${err || out}`)),
    );
  });
}

/**
 * One HTTP exchange on a keep-alive agent: the same client as the ceiling's. (fetch cost ~4× the CPU of
 * `node:http` per call here, and the benchmark's client shares the machine's two cores with Homa.)
 */
function httpCall(agent, url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(url, {
      method,
      agent,
      headers: payload ? { ...headers, 'Content-Length': payload.length } : headers,
    });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A small client for Homa's API with an admin API key. */
function apiClient(baseUrl, key) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const call = async (method, path, body) => {
    const { status, text } = await httpCall(
      agent,
      `${baseUrl}${path}`,
      method,
      { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body === undefined ? undefined : JSON.stringify(body),
    );
    if (status >= 400) throw new Error(`${method} ${path}: ${status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    call,
    createWebhook: (url, flags, extra = {}) =>
      call('POST', '/api/admin/webhooks', { name: 'bench', url, ...flags, ...extra }),
    disable: (id) => call('PUT', `/api/admin/webhooks/${id}`, { enabled: false }),
    succeeded: async () =>
      (await call('GET', '/api/admin/webhook_deliveries?status=succeeded&limit=1')).meta.total,
    pending: async () =>
      (await call('GET', '/api/admin/webhook_deliveries?status=pending&limit=1')).meta.total,
    /** A ticket (ticket.created and message.created); `fields` override the request's. */
    ticket: async (i, fields = {}) => {
      const started = performance.now();
      const res = await call('POST', '/api/client/tickets', {
        title: `Bench ${i}`,
        client_name: 'Bench Client',
        client_email: `bench-${i % 50}@example.com`,
        status: 'new',
        priority: 'medium',
        message: 'This is a benchmark ticket',
        ...fields,
      });
      return { id: res.id, started };
    },
    /** A ticket (ticket.created and message.created) and `replies` client replies: 2 + replies events. */
    ticketWithReplies: async (i, replies) => {
      const ticket = await call('POST', '/api/client/tickets', {
        title: `Ordered ${i}`,
        client_name: 'Bench Client',
        client_email: `bench-ordered-${i % 50}@example.com`,
        message: 'First message',
      });
      for (let r = 1; r <= replies; r++) {
        const res = await httpCall(
          agent,
          `${baseUrl}/api/client/tickets/${ticket.id}/messages`,
          'POST',
          { 'Content-Type': 'application/json', 'X-Ticket-Secret': ticket.secret },
          JSON.stringify({ body: `Reply ${r}` }),
        );
        if (res.status !== 201) throw new Error(`reply: ${res.status} ${res.text}`);
      }
      return ticket.id;
    },
  };
}

/** Fires `count` tickets with `concurrency` in flight. */
async function fireTickets(api, count, concurrency, offset = 0, fields = {}) {
  let next = 0;
  const sent = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        sent.push(await api.ticket(offset + i, fields));
      }
    }),
  );
  return sent;
}

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

module.exports = {
  builtSender,
  cpuSeconds,
  cpuSecondsOf,
  sleep,
  quantile,
  summarise,
  freePort,
  startReceiver,
  ceiling,
  pacedLatency,
  startHoma,
  runCli,
  apiClient,
  fireTickets,
  until,
};

#!/usr/bin/env node
'use strict';
// npm run bench:profile: CPU profiles (one per thread) of the embedded server while it delivers 600 tickets × 10
// webhooks (PROFILE_TICKETS, in PROFILE_BURSTS bursts), summarised as the functions with the most self time (a .cpuprofile is kept for DevTools),
// with each thread's CPU time. PROFILE_CPU=0 measures CPU time without the profiler's own cost;
// PROFILE_DATABASE_URL=mysql://… profiles against MySQL/MariaDB (mariadbd's CPU time is shown too).
const { mkdtempSync, readdirSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const L = require('./lib');

const BURST = Number(process.env.PROFILE_TICKETS ?? 600);
/** Bursts of PROFILE_TICKETS tickets, each delivered before the next (the bench's are of 150). */
const BURSTS = Number(process.env.PROFILE_BURSTS ?? 1);
const TICKETS = BURST * BURSTS;
const WEBHOOKS = 10;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'homa-profile-'));
  const profDir = mkdtempSync(join(tmpdir(), 'homa-cpuprof-'));
  const env = {
    JWT_SECRET: 'profile-only-secret-0123456789-abcdefghij',
    // A fixed key for the throwaway database (required with MySQL).
    HOMA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    CLIENT_RATE_LIMIT: '100000000',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.PROFILE_DATABASE_URL ?? '',
    REDIS_URL: '',
  };
  await L.runCli(['migrate'], env);
  await L.runCli(
    ['user:create', '--email', 'prof@example.com', '--password', 'prof-password', '--admin'],
    env,
  );
  const key = await L.runCli(['api-key:create', '--email', 'prof@example.com'], env);
  const receiver = await L.startReceiver();
  const profiling = process.env.PROFILE_CPU !== '0';
  const homa = await L.startHoma(env, 'serve', [
    ...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    ...(process.env.PROFILE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ]);
  const api = L.apiClient(homa.url, key);
  for (let i = 0; i < WEBHOOKS; i++)
    await api.createWebhook(receiver.url('/p'), { event_ticket_created: true });
  const cpu0 = cpuMs(homa.pid);
  const threads0 = threadCpuMs(homa.pid);
  const db0 = mysqldCpuMs();
  const t0 = performance.now();
  for (let b = 1; b <= BURSTS; b++) {
    await L.fireTickets(api, BURST, 8);
    await L.until(() => receiver.pathCount('/p') >= b * BURST * WEBHOOKS, 120_000, 'deliveries');
  }
  const seconds = (performance.now() - t0) / 1000;
  await L.until(async () => (await api.pending()) === 0, 60_000, 'records');
  const cpu = cpuMs(homa.pid) - cpu0;
  const threads = threadCpuMs(homa.pid);
  const db = mysqldCpuMs();
  await homa.stop();
  await receiver.close();
  if (process.env.PROFILE_NODE_ARGS) console.log(homa.stderr());
  console.log(
    `${TICKETS * WEBHOOKS} deliveries in ${seconds.toFixed(2)} s: ${((TICKETS * WEBHOOKS) / seconds).toFixed(0)}/s; ` +
      `Homa's CPU time ${(cpu / 1000).toFixed(2)} s, ${((cpu * 1000) / (TICKETS * WEBHOOKS)).toFixed(0)} µs per delivery (its ticket's share included)`,
  );
  const share = threadShares(homa.pid, threads0, threads);
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `CPU: main thread ${s(share.main)}, delivery thread ${s(share.delivery)}, V8 helper threads ${s(share.helpers)}` +
      (env.DATABASE_URL && db0 !== null && db !== null ? `; mariadbd ${s(db - db0)}` : ''),
  );
  // One profile per thread: the server's main thread (HTTP, events) and its delivery thread.
  for (const file of readdirSync(profDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()) {
    console.log(`\n== ${file}`);
    summarise(JSON.parse(readFileSync(join(profDir, file), 'utf8')));
    console.log(`profile: ${join(profDir, file)}`);
  }
}

/** User + system CPU time in ms of a /proc `stat` text (clock ticks are 10 ms here). */
function statCpuMs(stat) {
  const fields = stat.split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** User + system CPU time of a process so far, in ms. */
function cpuMs(pid) {
  return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** CPU time of each thread of a process so far, in ms, by thread id. */
function threadCpuMs(pid) {
  const byTid = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      byTid.set(tid, statCpuMs(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return byTid;
}

/**
 * The main thread, the delivery thread (the busiest other one: all threads are named `node`), and
 * the rest together (V8's helpers: concurrent marking, sweeping, parallel scavenges, compilation).
 */
function threadShares(pid, before, after) {
  const used = [...after].map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)]);
  if (process.env.PROFILE_THREADS === '1')
    for (const [tid, ms] of used) if (ms > 0) console.log(`  thread ${tid}: ${ms} ms`);
  const main = used.find(([tid]) => tid === String(pid))?.[1] ?? 0;
  const others = used.filter(([tid]) => tid !== String(pid)).sort((a, b) => b[1] - a[1]);
  const delivery = others[0]?.[1] ?? 0;
  const helpers = others.slice(1).reduce((sum, [, ms]) => sum + ms, 0);
  return { main, delivery, helpers };
}

/** CPU time of the local MariaDB/MySQL server so far, in ms, or null if none runs here. */
function mysqldCpuMs() {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\((mariadbd|mysqld)\)/.test(stat)) return statCpuMs(stat);
    } catch {
      // Not ours to read, or gone.
    }
  }
  return null;
}

/** Self time per function, and per package, from a V8 .cpuprofile. */
function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
    total += dt[i] ?? 0;
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [k, v] of top) console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
  const pkg = new Map();
  for (const [k, v] of self) {
    const m = / (?:(@[^/]+\/[^/]+)|([^/ ]+))\//.exec(k);
    const name = k.includes(' dist/') ? 'homa' : m ? (m[1] ?? m[2]) : k.split(' ')[0];
    pkg.set(name, (pkg.get(name) ?? 0) + v);
  }
  console.log('\nby package:');
  for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

'use strict';
// The drain section (BENCH_SECTIONS=drain; also what BENCH_MEMORY runs): a mode's burst throughput,
// then BENCH_DRAIN_N deliveries (100,000 by default) to 100 webhooks whose receiver is down, each
// attempted and refused at least once, then the receiver back: how fast they drain, its ratio to the
// burst, the peak RSS of every process, the deliveries received twice and, per process, its CPU
// seconds during the drain. With BullMQ it runs with 1 and with 2 workers. The circuit breaker is off
// unless BENCH_DRAIN_BREAKER_FAILURES says otherwise (see BREAKER_FAILURES).
const { join } = require('node:path');
const mysql = require('mysql2/promise');
const L = require('../lib');

const N = Number(process.env.BENCH_DRAIN_N ?? 100_000);
const WEBHOOKS = 100;
/** How long the outage may last at most: until every delivery was refused once, or this. */
const OUTAGE_MAX_MS = Number(process.env.BENCH_DRAIN_OUTAGE_MS ?? 240_000);
/**
 * The circuit breaker's failures in a row (WEBHOOK_BREAKER_FAILURES): 0, off, by default, so that every
 * delivery is refused and waits for a retry as the issue measures it. With the breaker on (e.g. 20,
 * Homa's default) an open circuit defers deliveries without attempting them and each endpoint's
 * backlog starts at its first successful probe, up to WEBHOOK_BREAKER_PROBE_INTERVAL_MS after the
 * receiver is back; `firstSeconds` shows that wait.
 */
const BREAKER_FAILURES = process.env.BENCH_DRAIN_BREAKER_FAILURES ?? '0';

/** Deliveries not attempted yet, read from the database itself (the API has no such filter). */
async function unattempted(deployment) {
  const sql =
    "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE attempts = 0 AND status = 'pending'";
  if (deployment.databaseUrl) {
    const conn = await mysql.createConnection(deployment.databaseUrl);
    try {
      const [rows] = await conn.query(sql);
      return Number(rows[0].n);
    } finally {
      await conn.end();
    }
  }
  const Database = require('better-sqlite3');
  const db = new Database(join(deployment.dataDir, 'homa.sqlite'), { readonly: true });
  try {
    return Number(db.prepare(sql).get().n);
  } finally {
    db.close();
  }
}

/** CPU seconds of the mode's database and Redis servers (shared with anything else on the machine). */
function serverCpu(mode) {
  const cpu = {};
  if (mode.mysql) cpu.mariadbd = L.cpuSecondsOf('mariadbd');
  if (mode.redis) cpu['redis-server'] = L.cpuSecondsOf('redis-server');
  return cpu;
}

/** One deployment: burst throughput, then the outage and the drain. */
async function drainOnce(mode, bench, workers) {
  const port = await L.freePort();
  const h = await bench.deploy(
    mode,
    {
      WEBHOOK_RETRY_SCHEDULE: Array(30).fill('2s').join(','),
      WEBHOOK_BREAKER_FAILURES: BREAKER_FAILURES,
    },
    workers,
  );
  const receiver = await L.startReceiver();
  try {
    const burstHooks = [];
    for (let i = 0; i < 10; i++)
      burstHooks.push(
        await h.api.createWebhook(receiver.url('/throughput'), { event_ticket_created: true }),
      );
    for (let i = 0; i < bench.warmUpBursts; i++)
      await bench.deliveryThroughput(h, receiver, '/throughput', 10, 150);
    const bursts = [];
    for (let i = 0; i < bench.runs; i++)
      bursts.push(await bench.deliveryThroughput(h, receiver, '/throughput', 10, 150));
    for (const hook of burstHooks) await h.api.disable(hook.id);
    await bench.settle(h, receiver);

    for (let i = 0; i < WEBHOOKS; i++)
      await h.api.createWebhook(`http://127.0.0.1:${port}/down`, { event_ticket_created: true });
    const outageStart = performance.now();
    await L.fireTickets(h.api, Math.ceil(N / WEBHOOKS), 8, 1_000_000);
    const total = Math.ceil(N / WEBHOOKS) * WEBHOOKS;
    await L.until(async () => (await h.api.pending()) >= total, 120_000, `${total} pending`);
    let left = total;
    const deadline = performance.now() + OUTAGE_MAX_MS;
    while ((left = await unattempted(h)) > 0 && performance.now() < deadline) await L.sleep(500);
    const outageSeconds = (performance.now() - outageStart) / 1000;

    const processes = h.processes();
    const cpuBefore = processes.map((p) => p.cpuSeconds());
    const serversBefore = serverCpu(mode);
    const back = await L.startReceiver(port);
    const t0 = performance.now();
    // Deliveries received by each 5 s of the drain: where it is slow, if anywhere.
    const curve = [];
    const sampler = setInterval(() => curve.push(back.pathCount('/down')), 5000);
    let firstSeconds = NaN;
    const first = setInterval(() => {
      if (back.pathCount('/down') === 0) return;
      firstSeconds = (performance.now() - t0) / 1000;
      clearInterval(first);
    }, 10);
    let drainSeconds = NaN;
    try {
      await L.until(
        async () => back.pathCount('/down') >= total && (await h.api.pending()) === 0,
        Math.max(30_000, bench.timeLeft() - 30_000),
        'drain',
      );
      drainSeconds = (performance.now() - t0) / 1000;
    } catch {
      console.log('drain: did not finish in the time left');
    }
    clearInterval(sampler);
    clearInterval(first);
    const serversAfter = serverCpu(mode);
    const cpu = Object.fromEntries(
      processes.map((p, i) => [p.name, +(p.cpuSeconds() - cpuBefore[i]).toFixed(1)]),
    );
    for (const name of Object.keys(serversAfter))
      if (serversAfter[name] !== null)
        cpu[name] = +(serversAfter[name] - serversBefore[name]).toFixed(1);
    const burst = L.summarise(bursts);
    const drainRate = total / drainSeconds;
    const result = {
      workers,
      deliveries: total,
      outageSeconds: +outageSeconds.toFixed(1),
      unattemptedAtReturn: left,
      burst,
      breakerFailures: Number(BREAKER_FAILURES),
      firstSeconds: +firstSeconds.toFixed(2),
      drainSeconds,
      drainRate,
      drainRatio: drainRate / burst.median,
      peakRssMb: Object.fromEntries(processes.map((p) => [p.name, Math.round(p.peakRssMb())])),
      cpuSeconds: cpu,
      duplicates: receiver.duplicates() + back.duplicates(),
      receivedEvery5s: curve,
    };
    await back.close();
    return result;
  } finally {
    await receiver.close();
    await h.stop();
  }
}

/** The section: one drain per mode, and with BullMQ a second one with two workers. */
async function benchDrain(mode, bench) {
  const one = await drainOnce(mode, bench, 1);
  console.log(JSON.stringify(one));
  if (!mode.redis || bench.timeLeft() < 120_000) return { one };
  const two = await drainOnce(mode, bench, 2);
  console.log(JSON.stringify(two));
  return { one, two };
}

/** The section's rows in the bench's table. */
function drainRows(fmt) {
  const d = (r, which = 'one') => r.drain?.[which];
  const peak = (x) =>
    x
      ? Object.entries(x.peakRssMb)
          .map(([name, mb]) => `${name} ${mb}`)
          .join(', ')
      : 'skipped';
  const cpu = (x) =>
    x
      ? Object.entries(x.cpuSeconds)
          .map(([name, s]) => `${name} ${s}`)
          .join(', ')
      : 'skipped';
  return [
    ['Drain: burst before it, deliveries/s (10 webhooks)', (r) => fmt(d(r)?.burst)],
    [
      `  ${N.toLocaleString('en')} waiting for a retry (100 webhooks), drained in s`,
      (r) => fmt(d(r)?.drainSeconds, 1),
    ],
    ['  first delivery after the return, s', (r) => fmt(d(r)?.firstSeconds, 2)],
    ['  drain rate, deliveries/s', (r) => fmt(d(r)?.drainRate)],
    ['  ratio drain / burst (goal ≥ 0.8)', (r) => fmt(d(r)?.drainRatio, 2)],
    ['  peak RSS MB per process (goal < 250)', (r) => peak(d(r))],
    ['  CPU s per process during the drain', (r) => cpu(d(r))],
    ['  with 2 workers: burst, deliveries/s', (r) => (d(r, 'two') ? fmt(d(r, 'two').burst) : '–')],
    [
      '  with 2 workers: drain rate, deliveries/s',
      (r) => (d(r, 'two') ? fmt(d(r, 'two').drainRate) : '–'),
    ],
    ['  with 2 workers: CPU s per process', (r) => (d(r, 'two') ? cpu(d(r, 'two')) : '–')],
    [
      '  deliveries received twice',
      (r) => (d(r) ? fmt(d(r).duplicates + (d(r, 'two')?.duplicates ?? 0)) : 'skipped'),
    ],
  ];
}

module.exports = { benchDrain, drainRows };

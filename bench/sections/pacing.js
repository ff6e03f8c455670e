'use strict';
// BENCH_SECTIONS=pacing: a webhook limited to 50 deliveries/s with a backlog of 5,000 — the rate it
// achieves per second (p50, max, and the most in any sliding second) and the delivering process's RSS
// while it drains — and an unlimited webhook beside it, whose throughput is compared with its own alone.
// The limited webhook's filter keeps only the backlog's messages, so the tickets fired beside it make
// the same deliveries as those fired alone: the ratio shows what pacing the backlog costs them.
const http = require('node:http');

const RATE = 50;
const BACKLOG = 5000;
const BACKLOG_MESSAGE = 'Paced backlog';

/** A receiver that notes when each distinct delivery reached `/limited`, and counts `/unlimited`. */
async function pacingReceiver() {
  const limited = [];
  const seen = new Set();
  let unlimited = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      if (!seen.has(id)) {
        seen.add(id);
        if (req.url === '/limited') limited.push(Date.now());
        else if (req.url === '/unlimited') unlimited += 1;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    limited,
    unlimited: () => unlimited,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** The most times in any window of `ms` (sorted). */
function maxInWindow(times, ms = 1000) {
  let best = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= ms) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Deliveries/s to `/unlimited` for `tickets` tickets (one ticket.created each). */
async function unlimitedThroughput(h, r, L, tickets, offset) {
  const before = r.unlimited();
  const t0 = performance.now();
  await L.fireTickets(h.api, tickets, 8, offset);
  await L.until(() => r.unlimited() - before >= tickets, 120_000, 'unlimited deliveries');
  return tickets / ((performance.now() - t0) / 1000);
}

module.exports = async function pacing(h, L) {
  const r = await pacingReceiver();
  const hooks = [];
  try {
    hooks.push(await h.api.createWebhook(r.url('/unlimited'), { event_ticket_created: true }));
    await unlimitedThroughput(h, r, L, 200, 500_000); // warm-up, not counted
    const alone = await unlimitedThroughput(h, r, L, 600, 510_000);
    // The backlog: one message.created per ticket to the limited webhook (the unlimited one gets
    // the tickets' ticket.created meanwhile).
    hooks.push(
      await h.api.createWebhook(
        r.url('/limited'),
        { event_message_created: true },
        { rate_limit_per_second: RATE, filter: { data: { body: BACKLOG_MESSAGE } } },
      ),
    );
    const rss = [];
    const sampler = setInterval(() => rss.push(h.deliverer.rssMb()), 1000);
    const t0 = Date.now();
    const caughtUp = r.unlimited() + BACKLOG;
    await L.fireTickets(h.api, BACKLOG, 8, 520_000, { message: BACKLOG_MESSAGE });
    const pendingAfterFiring = await h.api.pending();
    // The backlog's tickets reached the unlimited webhook too: measure beside it once they are in.
    await L.until(() => r.unlimited() >= caughtUp, 120_000, "the backlog tickets' ticket.created");
    const beside = await unlimitedThroughput(h, r, L, 600, 530_000);
    await L.until(() => r.limited.length >= BACKLOG, 200_000, 'the limited backlog');
    clearInterval(sampler);
    // Whole seconds from the first delivery to the last: deliveries received in each.
    const times = [...r.limited].sort((a, b) => a - b);
    const perSecond = [];
    for (let s = times[0]; s + 1000 <= times[times.length - 1]; s += 1000)
      perSecond.push(times.filter((t) => t >= s && t < s + 1000).length);
    return {
      rate: RATE,
      backlog: BACKLOG,
      pendingAfterFiring,
      perSecondP50: L.quantile(perSecond, 0.5),
      perSecondMax: Math.max(...perSecond),
      maxInAnySecond: maxInWindow(times),
      drainSeconds: (times[times.length - 1] - t0) / 1000,
      rssMbMax: Math.max(...rss),
      rssMbP50: L.quantile(rss, 0.5),
      unlimitedAlone: alone,
      unlimitedBeside: beside,
      unlimitedRatio: beside / alone,
    };
  } finally {
    for (const hook of hooks) await h.api.disable(hook.id).catch(() => undefined);
    await r.close();
  }
};

'use strict';
const { cpuPerDelivery } = require('./_cpu');
// Many webhooks: 10,000 registered, 10 of them subscribed to ticket.created, against a deployment where
// only those 10 are registered. Both deployments stay up and are measured alternately, back to back, the
// ratio taken per run: matching should cost what the subscribed webhooks cost, not the registered ones.
// Also times the list and health pages and a search at 10,000.

const REGISTERED = Number(process.env.BENCH_MANY_WEBHOOKS ?? 10_000);
/** Events a new ticket does not emit: the others are registered for them. */
const OTHER_FLAGS = [
  'event_ticket_updated',
  'event_ticket_status_change',
  'event_ticket_closed',
  'event_ticket_assigned',
  'event_client_updated',
  'event_user_created',
  'event_user_updated',
];

async function register(h, receiver, count) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const body = {
          name: `Other ${i}`,
          url: receiver.url(`/other/${i}`),
          [OTHER_FLAGS[i % OTHER_FLAGS.length]]: true,
        };
        // A keep-alive socket the server closed as it was reused: once more (an extra webhook
        // registered for another event changes nothing measured).
        await h.api.call('POST', '/api/admin/webhooks', body).catch((error) => {
          if (error.code !== 'ECONNRESET') throw error;
          return h.api.call('POST', '/api/admin/webhooks', body);
        });
      }
    }),
  );
}

/** How long one call takes; NaN for a build that does not answer it (no search, no paged health). */
async function timed(fn) {
  const t0 = performance.now();
  try {
    const result = await fn();
    return { ms: performance.now() - t0, result };
  } catch {
    return { ms: NaN, result: {} };
  }
}

async function run(ctx, mode) {
  const { L, deploy, deliveryThroughput, RUNS } = ctx;
  const receiver = await L.startReceiver();
  const few = await deploy(mode);
  // A database of its own (the bench names MariaDB databases by mode).
  const many = await deploy({ ...mode, key: `${mode.key}_many` });
  try {
    for (const h of [few, many])
      for (let i = 0; i < 10; i++)
        await h.api.createWebhook(receiver.url('/many'), { event_ticket_created: true });
    const t0 = performance.now();
    await register(many, receiver, REGISTERED - 10);
    const registerSeconds = (performance.now() - t0) / 1000;
    const burst = (h) =>
      cpuPerDelivery(h.deliverer.pid, async () => ({
        rate: await deliveryThroughput(h, receiver, '/many', 10, 150),
        deliveries: 1500,
      }));
    for (let i = 0; i < 3; i++) (await burst(few), await burst(many)); // warm-up, not counted
    const fewRuns = [];
    const manyRuns = [];
    const ratios = [];
    const cpu = { few: [], many: [], ratio: [] };
    for (let i = 0; i < RUNS; i++) {
      const a = await burst(few);
      const b = await burst(many);
      fewRuns.push(a.rate);
      manyRuns.push(b.rate);
      ratios.push(b.rate / a.rate);
      cpu.few.push(a.cpuUs);
      cpu.many.push(b.cpuUs);
      cpu.ratio.push(b.cpuUs / a.cpuUs);
    }
    const list = await timed(() => many.api.call('GET', '/api/admin/webhooks?page=300&limit=20'));
    const search = await timed(() =>
      many.api.call('GET', '/api/admin/webhooks?q=other%2F4242&limit=20'),
    );
    const health = await timed(() => many.api.call('GET', '/api/admin/webhook-health?limit=20'));
    return {
      registered: REGISTERED,
      registerSeconds,
      few: L.summarise(fewRuns),
      many: L.summarise(manyRuns),
      ratio: L.summarise(ratios),
      cpuFew: L.summarise(cpu.few),
      cpuMany: L.summarise(cpu.many),
      cpuRatio: L.summarise(cpu.ratio),
      listMs: list.ms,
      searchMs: search.ms,
      searchTotal: search.result.meta?.total,
      healthMs: health.ms,
      healthBytes: JSON.stringify(health.result).length,
    };
  } finally {
    await few.stop();
    await many.stop();
    await receiver.close();
  }
}

const rows = (fmt) => [
  ['Many: 10 registered, 10 subscribed, deliveries/s', (r) => fmt(r.few)],
  ['  10,000 registered, the same 10 subscribed', (r) => fmt(r.many)],
  ['  ratio (goal ≥ 0.9)', (r) => fmt(r.ratio, 2)],
  [
    "  Homa's CPU µs per delivery, 10 / 10,000 registered",
    (r) => (r.cpuFew ? `${fmt(r.cpuFew)} / ${fmt(r.cpuMany)}` : 'skipped'),
  ],
  ['  CPU ratio 10,000 / 10 (≤ 1.11 meets the goal)', (r) => fmt(r.cpuRatio, 2)],
  [
    '  at 10,000: list page / search / health page, ms',
    (r) => `${fmt(r.listMs)} / ${fmt(r.searchMs)} / ${fmt(r.healthMs)}`,
  ],
];

module.exports = { name: 'many', run, rows };

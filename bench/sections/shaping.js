'use strict';
const { cpuPerDelivery } = require('./_cpu');
// Filters and templates: 10 webhooks each holding a 3-condition filter that keeps every event, then 10
// each holding a template (the Slack preset), against 10 with neither; one group enabled at a time, the
// three measured back to back in each run (in a different order each run, after a warm-up burst of
// each) and the ratios taken per run.

/** Three conditions every benchmark ticket meets: its event, its status and its priority. */
const KEEP_ALL = {
  event: 'ticket.created',
  data: { status: 'new', priority: { $in: ['low', 'medium', 'high', 'urgent'] } },
};

async function run(ctx, mode) {
  const { L, deploy, deliveryThroughput, RUNS } = ctx;
  const receiver = await L.startReceiver();
  const h = await deploy(mode);
  try {
    const presets = await h.api.call('GET', '/api/admin/webhook-templates');
    const slack = presets.data.find((p) => p.name === 'slack').template;
    const groups = { plain: {}, filtered: { filter: KEEP_ALL }, templated: { template: slack } };
    const ids = {};
    for (const [name, extra] of Object.entries(groups)) {
      ids[name] = [];
      for (let i = 0; i < 10; i++) {
        const hook = await h.api.createWebhook(
          receiver.url(`/${name}`),
          { event_ticket_created: true },
          { enabled: false, ...extra },
        );
        ids[name].push(hook.id);
      }
    }
    const measure = async (name) => {
      for (const id of ids[name])
        await h.api.call('PUT', `/api/admin/webhooks/${id}`, { enabled: true });
      // A worker of its own (BullMQ) sees a change within its webhook cache's second; until then it
      // would stop the new deliveries of a webhook it still holds as disabled.
      await L.sleep(1500);
      const result = await cpuPerDelivery(h.deliverer.pid, async () => ({
        rate: await deliveryThroughput(h, receiver, `/${name}`, 10, 150),
        deliveries: 1500,
      }));
      for (const id of ids[name]) await h.api.disable(id);
      return result;
    };
    // Warm-up, not counted: a fresh server's first bursts run slower, and each group's path (the
    // filter's matcher, the template's evaluation) is optimised on its own first use.
    for (const name of ['plain', 'plain', 'filtered', 'templated']) await measure(name);
    const runs = { plain: [], filtered: [], templated: [], filterRatio: [], templateRatio: [] };
    const cpu = { plain: [], filtered: [], templated: [], filterRatio: [], templateRatio: [] };
    const orders = [
      ['plain', 'filtered', 'templated'],
      ['filtered', 'templated', 'plain'],
      ['templated', 'plain', 'filtered'],
    ];
    for (let i = 0; i < RUNS; i++) {
      const m = {};
      for (const name of orders[i % orders.length]) m[name] = await measure(name);
      const { plain, filtered, templated } = m;
      for (const [k, m] of Object.entries({ plain, filtered, templated })) {
        runs[k].push(m.rate);
        cpu[k].push(m.cpuUs);
      }
      runs.filterRatio.push(filtered.rate / plain.rate);
      runs.templateRatio.push(templated.rate / plain.rate);
      cpu.filterRatio.push(filtered.cpuUs / plain.cpuUs);
      cpu.templateRatio.push(templated.cpuUs / plain.cpuUs);
    }
    for (const [k, v] of Object.entries(cpu)) runs[`cpu_${k}`] = v;
    return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, L.summarise(v)]));
  } finally {
    await h.stop();
    await receiver.close();
  }
}

const rows = (fmt) => [
  ['Shaping: 10 webhooks, no filter or template, deliveries/s', (r) => fmt(r.plain)],
  ['  10 with a 3-condition filter keeping every event', (r) => fmt(r.filtered)],
  ['  ratio filtered / plain (goal ≥ 0.9)', (r) => fmt(r.filterRatio, 2)],
  ['  10 with a template (Slack preset), deliveries/s', (r) => fmt(r.templated)],
  ['  ratio templated / plain', (r) => fmt(r.templateRatio, 2)],
  [
    "  Homa's CPU µs per delivery: plain / filtered / templated",
    (r) =>
      r.cpu_plain
        ? `${fmt(r.cpu_plain)} / ${fmt(r.cpu_filtered)} / ${fmt(r.cpu_templated)}`
        : 'skipped',
  ],
  [
    '  CPU ratio filtered / plain (≤ 1.11 meets the goal), templated / plain',
    (r) =>
      r.cpu_plain ? `${fmt(r.cpu_filterRatio, 2)} / ${fmt(r.cpu_templateRatio, 2)}` : 'skipped',
  ],
];

module.exports = { name: 'shaping', run, rows };

'use strict';
// Fan-out with 1,000 webhooks subscribed to ticket.created, half of them holding a filter that drops
// every benchmark ticket and half one that keeps it: each event is tested against 1,000 filters and
// makes 500 deliveries. Reports the fan-out's cost per event (tickets in until their delivery rows all
// exist) and the deliveries per second end to end.

const HOOKS = 1000;
const TICKETS = 10;
const KEEP = { data: { priority: { $in: ['medium', 'high'] } } };
const DROP = { data: { priority: 'urgent' } };

async function run(ctx, mode) {
  const { L, deploy, RUNS } = ctx;
  const receiver = await L.startReceiver();
  const h = await deploy(mode);
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < HOOKS) {
          const i = next++;
          await h.api.createWebhook(
            receiver.url('/fan'),
            { event_ticket_created: true },
            { filter: i % 2 === 0 ? KEEP : DROP },
          );
        }
      }),
    );
    const rowsNow = async () =>
      (await h.api.call('GET', '/api/admin/webhook_deliveries?limit=1')).meta.total;
    const burst = async () => {
      const rowsBefore = await rowsNow();
      const receivedBefore = receiver.pathCount('/fan');
      const expected = (HOOKS / 2) * TICKETS;
      const t0 = performance.now();
      await L.fireTickets(h.api, TICKETS, 4);
      await L.until(async () => (await rowsNow()) - rowsBefore >= expected, 120_000, 'fan-out');
      const fannedMs = performance.now() - t0;
      await L.until(() => receiver.pathCount('/fan') - receivedBefore >= expected, 120_000, 'fan');
      const seconds = (performance.now() - t0) / 1000;
      return { perEventMs: fannedMs / TICKETS, perSecond: expected / seconds };
    };
    await burst(); // warm-up, not counted
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await burst());
    return {
      perEventMs: L.summarise(runs.map((r) => r.perEventMs)),
      perSecond: L.summarise(runs.map((r) => r.perSecond)),
    };
  } finally {
    await h.stop();
    await receiver.close();
  }
}

const rows = (fmt) => [
  [
    'Filtered fan-out, 1,000 webhooks, 500 filtered out: ms per event until its rows exist',
    (r) => fmt(r.perEventMs, 1),
  ],
  ['  the 500 deliveries per event, end to end, deliveries/s', (r) => fmt(r.perSecond)],
];

module.exports = { name: 'filtered-fanout', run, rows };

import { Gauge } from 'prom-client';
import { TransactionService } from '../../database/transaction.service';
import { MetricsService } from '../../metrics/metrics.service';
import { stateName } from './endpoint-breaker';
import { selectStates } from './pacing-rows';

export const ENDPOINT_STATES = ['closed', 'paused', 'slowed', 'open', 'half_open'] as const;

/**
 * `homa_webhook_endpoint_state{state}`: how many enabled webhooks' endpoints are in each state,
 * read from the database at scrape time (so any process's /metrics shows every worker's view).
 */
export function registerEndpointGauge(metrics: MetricsService, tx: TransactionService): void {
  new Gauge({
    name: 'homa_webhook_endpoint_state',
    help: "Enabled webhooks by their endpoint's pacing state: closed (normal), paused (Retry-After or slow-down pause), slowed, open (circuit breaker), half_open (a probe is due or under way)",
    labelNames: ['state'],
    registers: [metrics.registry],
    async collect() {
      const [enabled, states] = await tx.read(async (m) => {
        const rows: { id: number | string }[] = await m.query(
          'SELECT id FROM webhooks WHERE enabled = ?',
          [1],
        );
        return [new Set(rows.map((r) => Number(r.id))), await selectStates(m)] as const;
      });
      const counts = new Map<string, number>(ENDPOINT_STATES.map((s) => [s, 0]));
      const now = Date.now();
      let troubled = 0;
      for (const s of states) {
        if (!enabled.has(s.webhookId)) continue;
        const name = stateName(s, now);
        counts.set(name, (counts.get(name) ?? 0) + 1);
        if (name !== 'closed') troubled += 1;
      }
      counts.set('closed', enabled.size - troubled);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
}

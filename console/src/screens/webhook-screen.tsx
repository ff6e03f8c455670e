import { api } from '../api/client';
import { Link } from '../components/link';
import { MinuteChart } from '../components/minute-chart';
import { StatusBadge } from '../components/status-badge';
import { ago, dateTime, percent } from '../format';
import { usePolled } from '../hooks';
import { WebhookActions } from './webhook-actions';
import { EndpointPacing } from './webhook-pacing';

/** One webhook: its health, the last hour per minute, and what an operator can do with it. */
export function WebhookScreen(props: { id: number }) {
  const webhook = usePolled(() => api.webhook(props.id), [props.id], 5000);
  const health = usePolled(() => api.webhookHealth(props.id), [props.id], 3000);
  const chart = usePolled(() => api.perMinute(props.id), [props.id], 3000);
  const w = webhook.data;
  const h = health.data;

  if (webhook.error) return <p class="error">{webhook.error}</p>;
  if (!w) return <p>Loading…</p>;
  return (
    <section aria-labelledby="webhook-title">
      <p class="crumbs">
        <Link to="/">Webhooks</Link> /
      </p>
      <div class="heading">
        <h1 id="webhook-title">{w.name}</h1>
        <Link to={`/webhooks/${w.id}/edit`} class="button secondary">
          Edit
        </Link>
      </div>
      <p class="url">{w.url}</p>
      {w.description && <p>{w.description}</p>}
      <dl class="summary" aria-label="Health">
        <div>
          <dt>State</dt>
          <dd>
            {w.enabled ? 'Enabled' : 'Disabled'}
            {!w.enabled && w.disabled_reason ? `: ${w.disabled_reason}` : ''}
          </dd>
        </div>
        <div>
          <dt>Last delivery</dt>
          <dd>
            {h?.last_delivery ? (
              <>
                <StatusBadge status={h.last_delivery.status} code={h.last_delivery.status_code} />{' '}
                <span title={dateTime(h.last_delivery.created_at)}>
                  {ago(h.last_delivery.created_at)}
                </span>
              </>
            ) : (
              'None yet'
            )}
          </dd>
        </div>
        <div>
          <dt>Deliveries (24 h)</dt>
          <dd>{h ? h.deliveries_24h : '—'}</dd>
        </div>
        <div>
          <dt>Success rate (24 h)</dt>
          <dd>{h ? percent(h.success_rate_24h) : '—'}</dd>
        </div>
        <div>
          <dt>Failed (24 h)</dt>
          <dd>{h ? h.failed_24h : '—'}</dd>
        </div>
        <div>
          <dt>Failing since</dt>
          <dd>{h?.failing_since ? dateTime(h.failing_since) : '—'}</dd>
        </div>
        <div>
          <dt>Endpoint pacing</dt>
          <dd>
            <EndpointPacing endpoint={h?.endpoint} rate={w.rate_limit_per_second} />
          </dd>
        </div>
      </dl>
      <h2>Last hour</h2>
      {chart.data ? <MinuteChart buckets={chart.data.data} /> : <p>Loading…</p>}
      <p>
        <Link to={`/deliveries?webhook_id=${w.id}`}>See this webhook's deliveries</Link>
      </p>
      <WebhookActions webhook={w} onChanged={() => void webhook.reload()} />
    </section>
  );
}

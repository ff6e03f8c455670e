import { api, Webhook, WebhookHealth } from '../api/client';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status-badge';
import { ago, dateTime, percent } from '../format';
import { usePolled } from '../hooks';
import { EndpointPacing } from './webhook-pacing';

/** Every webhook with its health at a glance; refreshed every few seconds. */
export function WebhooksScreen() {
  const list = usePolled(
    async () => {
      const [webhooks, health] = await Promise.all([api.webhooks(), api.health()]);
      return {
        webhooks: webhooks.data,
        health: new Map(health.data.map((h) => [h.webhook_id, h])),
      };
    },
    [],
    3000,
  );

  return (
    <section aria-labelledby="webhooks-title">
      <div class="heading">
        <h1 id="webhooks-title">Webhooks</h1>
        <Link to="/webhooks/new" class="button">
          New webhook
        </Link>
      </div>
      {list.error && <p class="error">{list.error}</p>}
      {!list.data && !list.error && <p>Loading…</p>}
      {list.data && list.data.webhooks.length === 0 && (
        <p>No webhooks yet. Create one to start receiving events.</p>
      )}
      {list.data && list.data.webhooks.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <caption class="visually-hidden">Webhooks and their health</caption>
            <thead>
              <tr>
                <th scope="col">Webhook</th>
                <th scope="col">State</th>
                <th scope="col">Last delivery</th>
                <th scope="col">Last 24 h</th>
                <th scope="col">Failing since</th>
              </tr>
            </thead>
            <tbody>
              {list.data.webhooks.map((w) => (
                <WebhookRow key={w.id} webhook={w} health={list.data?.health.get(w.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function WebhookRow(props: { webhook: Webhook; health?: WebhookHealth }) {
  const { webhook: w, health: h } = props;
  return (
    <tr>
      <td data-label="Webhook">
        <Link to={`/webhooks/${w.id}`}>{w.name}</Link>
        <div class="muted url">{w.url}</div>
      </td>
      <td data-label="State">
        {w.enabled ? (
          <>
            <span class="badge badge-succeeded">Enabled</span>
            <div class="muted">
              <EndpointPacing endpoint={h?.endpoint} rate={w.rate_limit_per_second} />
            </div>
          </>
        ) : (
          <>
            <span class="badge badge-failed">Disabled</span>
            {w.disabled_reason && <div class="muted">{w.disabled_reason}</div>}
          </>
        )}
      </td>
      <td data-label="Last delivery">
        {h?.last_delivery ? (
          <>
            <StatusBadge status={h.last_delivery.status} code={h.last_delivery.status_code} />
            <div class="muted" title={dateTime(h.last_delivery.created_at)}>
              {h.last_delivery.event}, {ago(h.last_delivery.created_at)}
            </div>
          </>
        ) : (
          <span class="muted">None yet</span>
        )}
      </td>
      <td data-label="Last 24 h">
        {h ? (
          <>
            {h.deliveries_24h} {h.deliveries_24h === 1 ? 'delivery' : 'deliveries'}
            <div class="muted">
              {percent(h.success_rate_24h)} succeeded
              {h.failed_24h > 0 ? `, ${h.failed_24h} failed` : ''}
            </div>
          </>
        ) : (
          '—'
        )}
      </td>
      <td data-label="Failing since">
        {h?.failing_since ? <span class="warn">{dateTime(h.failing_since)}</span> : '—'}
      </td>
    </tr>
  );
}

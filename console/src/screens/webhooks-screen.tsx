import { useEffect, useState } from 'preact/hooks';
import { api, Webhook, WebhookHealth } from '../api/client';
import { Link } from '../components/link';
import { Pager } from '../components/pager';
import { StatusBadge } from '../components/status-badge';
import { ago, dateTime, percent } from '../format';
import { usePolled } from '../hooks';
import { navigate } from '../router';
import { EndpointPacing } from './webhook-pacing';

const PAGE_SIZE = 25;
/** The search runs once typing pauses this long. */
const SEARCH_DELAY_MS = 300;

/** `/?q=…&page=…`: the page and search live in the address bar, so they survive a reload. */
function listPath(q: string, page: number): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const s = params.toString();
  return s ? `/?${s}` : '/';
}

/** Webhooks with their health at a glance, a page at a time, searchable by name or URL; refreshed every few seconds. */
export function WebhooksScreen(props: { params: URLSearchParams }) {
  const q = props.params.get('q') ?? '';
  const page = Number(props.params.get('page') ?? '1') || 1;
  const [typed, setTyped] = useState(q);
  useEffect(() => setTyped(q), [q]);
  useEffect(() => {
    if (typed === q) return;
    const timer = setTimeout(() => navigate(listPath(typed, 1), true), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed, q]);
  const list = usePolled(
    async () => {
      const query = { q: q.trim() || undefined, page, limit: PAGE_SIZE };
      const [webhooks, health] = await Promise.all([api.webhooks(query), api.health(query)]);
      return {
        webhooks: webhooks.data,
        meta: webhooks.meta,
        health: new Map(health.data.map((h) => [h.webhook_id, h])),
      };
    },
    [q, page],
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
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="webhook-search">Search by name or URL</label>
          <input
            id="webhook-search"
            type="search"
            value={typed}
            maxLength={200}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
        </div>
      </form>
      {list.error && <p class="error">{list.error}</p>}
      {!list.data && !list.error && <p>Loading…</p>}
      {list.data && list.data.webhooks.length === 0 && (
        <p>
          {q ? 'No webhook matches.' : 'No webhooks yet. Create one to start receiving events.'}
        </p>
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
      {list.data && (
        <Pager meta={list.data.meta} noun="webhooks" go={(p) => navigate(listPath(q, p))} />
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

import { api, DeliveryQuery } from '../api/client';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status-badge';
import { ago, dateTime } from '../format';
import { usePolled } from '../hooks';
import { navigate } from '../router';

const STATUSES = ['pending', 'succeeded', 'failed'] as const;
const PAGE_SIZE = 25;
/** New deliveries show up within this long without a reload. */
const POLL_MS = 1000;

function queryFrom(params: URLSearchParams): DeliveryQuery {
  const status = params.get('status');
  return {
    page: Number(params.get('page') ?? '1') || 1,
    limit: PAGE_SIZE,
    webhook_id: params.get('webhook_id') ? Number(params.get('webhook_id')) : undefined,
    event: params.get('event') || undefined,
    status: STATUSES.find((s) => s === status),
  };
}

/** The delivery log, newest first, filtered through the address bar and refreshed every second. */
export function DeliveriesScreen(props: { params: URLSearchParams }) {
  const q = queryFrom(props.params);
  const key = props.params.toString();
  const page = usePolled(() => api.deliveries(q), [key], POLL_MS);
  const webhooks = usePolled(() => api.webhooks(), []);
  const catalog = usePolled(() => api.catalog(), []);
  const names = new Map((webhooks.data?.data ?? []).map((w) => [w.id, w.name]));

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(props.params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'page') next.delete('page');
    const s = next.toString();
    navigate(`/deliveries${s ? `?${s}` : ''}`);
  };

  const meta = page.data?.meta;
  return (
    <section aria-labelledby="deliveries-title">
      <h1 id="deliveries-title">Deliveries</h1>
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="filter-webhook">Webhook</label>
          <select
            id="filter-webhook"
            value={q.webhook_id ? String(q.webhook_id) : ''}
            onChange={(e) => setFilter('webhook_id', e.currentTarget.value)}
          >
            <option value="">All webhooks</option>
            {/* The list holds the first 100 webhooks; one chosen elsewhere (its own screen) still shows. */}
            {q.webhook_id && !names.has(q.webhook_id) && (
              <option value={String(q.webhook_id)}>Webhook #{q.webhook_id}</option>
            )}
            {(webhooks.data?.data ?? []).map((w) => (
              <option key={w.id} value={String(w.id)}>
                {w.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="filter-event">Event</label>
          <select
            id="filter-event"
            value={q.event ?? ''}
            onChange={(e) => setFilter('event', e.currentTarget.value)}
          >
            <option value="">All events</option>
            {(catalog.data?.data ?? []).map((c) => (
              <option key={c.event} value={c.event}>
                {c.event}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="filter-status">Status</label>
          <select
            id="filter-status"
            value={q.status ?? ''}
            onChange={(e) => setFilter('status', e.currentTarget.value)}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </form>
      {page.error && <p class="error">{page.error}</p>}
      {!page.data && !page.error && <p>Loading…</p>}
      {page.data && page.data.data.length === 0 && <p>No deliveries match.</p>}
      {page.data && page.data.data.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <caption class="visually-hidden">Deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Webhook</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Duration</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.data.map((d) => (
                <tr key={d.id}>
                  <td data-label="Event">
                    <Link to={`/deliveries/${d.id}`}>{d.event}</Link>
                  </td>
                  <td data-label="Webhook">{names.get(d.webhook_id) ?? `#${d.webhook_id}`}</td>
                  <td data-label="Status">
                    <StatusBadge status={d.status} code={d.status_code} />
                  </td>
                  <td data-label="Attempts">{d.attempts}</td>
                  <td data-label="Duration">
                    {d.duration_ms === null ? '—' : `${d.duration_ms} ms`}
                  </td>
                  <td data-label="Created" title={dateTime(d.created_at)}>
                    {ago(d.created_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {meta && meta.total_pages > 1 && (
        <nav class="pager" aria-label="Pages">
          <button
            type="button"
            class="secondary"
            disabled={meta.page <= 1}
            onClick={() => setFilter('page', String(meta.page - 1))}
          >
            Previous page
          </button>
          <span>
            Page {meta.page} of {meta.total_pages} ({meta.total} deliveries)
          </span>
          <button
            type="button"
            class="secondary"
            disabled={meta.page >= meta.total_pages}
            onClick={() => setFilter('page', String(meta.page + 1))}
          >
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}

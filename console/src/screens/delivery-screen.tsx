import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status-badge';
import { dateTime, prettyJson } from '../format';
import { errorMessage, usePolled } from '../hooks';

/** One delivery: what was sent, every attempt and what came back; Redeliver. */
export function DeliveryScreen(props: { id: string }) {
  const delivery = usePolled(() => api.delivery(props.id), [props.id], 2000);
  const headers = usePolled(() => api.deliveryHeaders(props.id), [props.id], 2000);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const d = delivery.data;

  const redeliver = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const r = await api.redeliver(props.id);
      setMessage(
        `Attempt ${r.attempt}: ${r.success ? 'delivered' : 'failed'}${r.status_code !== null ? ` with HTTP ${r.status_code}` : ''} in ${r.duration_ms} ms.`,
      );
      await Promise.all([delivery.reload(), headers.reload()]);
    } catch (e) {
      setMessage(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (delivery.error) return <p class="error">{delivery.error}</p>;
  if (!d) return <p>Loading…</p>;
  return (
    <section aria-labelledby="delivery-title">
      <p class="crumbs">
        <Link to="/deliveries">Deliveries</Link> /
      </p>
      <div class="heading">
        <h1 id="delivery-title">
          <code>{d.event}</code> delivery
        </h1>
        <button type="button" onClick={() => void redeliver()} disabled={busy}>
          {busy ? 'Redelivering…' : 'Redeliver'}
        </button>
      </div>
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      <dl class="summary">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={d.status} code={d.status_code} />
          </dd>
        </div>
        <div>
          <dt>Webhook</dt>
          <dd>
            <Link to={`/webhooks/${d.webhook_id}`}>#{d.webhook_id}</Link>
          </dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>{d.attempts}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{dateTime(d.created_at)}</dd>
        </div>
        <div>
          <dt>Next attempt</dt>
          <dd>{dateTime(d.next_attempt_at)}</dd>
        </div>
        <div>
          <dt>Delivery id</dt>
          <dd>
            <code>{d.id}</code>
          </dd>
        </div>
      </dl>

      <h2 id="body-title">Body</h2>
      <pre aria-labelledby="body-title" class="body">
        {prettyJson(d.payload)}
      </pre>
      <details>
        <summary>Exact bytes as sent</summary>
        <pre class="body">{d.payload}</pre>
      </details>

      <h2>Headers</h2>
      {headers.data && (
        <>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">
                Request headers of attempt {headers.data.attempt}
              </caption>
              <tbody>
                {Object.entries(headers.data.headers).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>
                      <code>{v}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">
            Of attempt {headers.data.attempt}; signatures left out (
            {headers.data.omitted.join(', ')}).
          </p>
        </>
      )}

      <h2 id="attempts-title">Attempts</h2>
      {d.attempt_log.length === 0 ? (
        <p>No attempt yet.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="attempts-title">
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Time</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status code</th>
                <th scope="col">Duration</th>
                <th scope="col">Error</th>
                <th scope="col">Response</th>
              </tr>
            </thead>
            <tbody>
              {d.attempt_log.map((a) => (
                <tr key={a.id}>
                  <td>#{a.attempt}</td>
                  <td>{dateTime(a.created_at)}</td>
                  <td>{a.trigger}</td>
                  <td>{a.status_code ?? '—'}</td>
                  <td>{a.duration_ms} ms</td>
                  <td>{a.error_code ? `${a.error_code}${a.error ? `: ${a.error}` : ''}` : '—'}</td>
                  <td>{a.response ? <pre class="excerpt">{a.response}</pre> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import { useState } from 'preact/hooks';
import { api, Webhook, WebhookCredentials } from '../api/client';
import { errorMessage } from '../hooks';

/**
 * The URL and custom headers as stored, credentials included: masked until asked for, and each
 * reveal is recorded in the audit log (as the signing secret's is).
 */
export function CredentialsPanel(props: { webhook: Webhook }) {
  const [shown, setShown] = useState<WebhookCredentials>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const w = shown ?? props.webhook;
  const headers = Object.entries(w.headers ?? {});
  const toggle = () => {
    if (shown) return setShown(undefined);
    setBusy(true);
    setError(undefined);
    api
      .credentials(props.webhook.id)
      .then(setShown, (e: unknown) => setError(errorMessage(e)))
      .finally(() => setBusy(false));
  };
  return (
    <section class="panel" aria-labelledby="credentials-title">
      <h2 id="credentials-title">URL and headers</h2>
      <p>
        <code class="secret" aria-label="Webhook URL">
          {w.url}
        </code>
      </p>
      {headers.length > 0 && (
        <dl class="headers" aria-label="Custom headers">
          {headers.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>
                <code>{value}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <button type="button" class="secondary" disabled={busy} onClick={toggle}>
        {shown ? 'Hide credentials' : 'Reveal credentials'}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

import { useState } from 'preact/hooks';
import { api, AttemptResult, Webhook } from '../api/client';
import { usePolled } from '../hooks';
import { navigate } from '../router';
import { CredentialsPanel } from './webhook-credentials';
import { PublicKeyPanel } from './webhook-public-key';
import { RotateForm } from '../components/rotate-form';
import { useAction } from '../components/use-action';

/** Enable/disable, secret, credentials, rotation, test send, recovery and deletion of one webhook. */
export function WebhookActions(props: { webhook: Webhook; onChanged: () => void }) {
  const w = props.webhook;
  return (
    <div class="panels">
      <EnablePanel webhook={w} onChanged={props.onChanged} />
      <TestPanel webhook={w} />
      {w.signature_scheme === 'ed25519' ? (
        <PublicKeyPanel webhook={w} onChanged={props.onChanged} />
      ) : (
        <SecretPanel webhook={w} />
      )}
      <CredentialsPanel webhook={w} />
      <RecoverPanel webhook={w} />
      <DeletePanel webhook={w} />
    </div>
  );
}

function EnablePanel(props: { webhook: Webhook; onChanged: () => void }) {
  const { busy, run, output } = useAction();
  const w = props.webhook;
  return (
    <section class="panel" aria-labelledby="state-title">
      <h2 id="state-title">State</h2>
      <p>
        {w.enabled
          ? 'Receiving events.'
          : `Disabled${w.disabled_reason ? `: ${w.disabled_reason}` : ''}.`}
      </p>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          run(async () => {
            await api.updateWebhook(w.id, { enabled: !w.enabled });
            props.onChanged();
            return w.enabled ? 'Webhook disabled.' : 'Webhook enabled.';
          })
        }
      >
        {w.enabled ? 'Disable webhook' : 'Enable webhook'}
      </button>
      {output}
    </section>
  );
}

function TestPanel(props: { webhook: Webhook }) {
  const catalog = usePolled(() => api.catalog(), []);
  const [event, setEvent] = useState('webhook.test');
  const [result, setResult] = useState<AttemptResult>();
  const { busy, run, output } = useAction();
  return (
    <section class="panel" aria-labelledby="test-title">
      <h2 id="test-title">Send a test</h2>
      <label for="test-event">Event</label>
      <select id="test-event" value={event} onChange={(e) => setEvent(e.currentTarget.value)}>
        {(catalog.data?.data ?? [{ event: 'webhook.test' }]).map((c) => (
          <option key={c.event} value={c.event}>
            {c.event}
          </option>
        ))}
      </select>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          run(async () => {
            setResult(undefined);
            setResult(await api.testWebhook(props.webhook.id, event));
            return undefined;
          })
        }
      >
        {busy ? 'Sending…' : 'Send test'}
      </button>
      {output}
      {result && (
        <div class={result.success ? 'outcome ok' : 'outcome bad'} role="status">
          <p>
            <strong>{result.success ? 'Delivered' : 'Failed'}</strong>
            {result.status_code !== null ? ` with HTTP ${result.status_code}` : ''} in{' '}
            {result.duration_ms} ms
            {result.error_code
              ? ` (${result.error_code}${result.error ? `: ${result.error}` : ''})`
              : ''}
          </p>
          {result.response && (
            <>
              <p class="muted">Response</p>
              <pre>{result.response}</pre>
            </>
          )}
        </div>
      )}
    </section>
  );
}

function SecretPanel(props: { webhook: Webhook }) {
  const [secret, setSecret] = useState<string>();
  const { busy, run, output } = useAction();
  return (
    <section class="panel" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p>
        <code class="secret">{secret ?? props.webhook.secret}</code>
      </p>
      <button
        type="button"
        class="secondary"
        onClick={() =>
          secret
            ? setSecret(undefined)
            : run(async () => {
                setSecret((await api.secret(props.webhook.id)).secret);
                return undefined;
              })
        }
      >
        {secret ? 'Hide secret' : 'Reveal secret'}
      </button>
      <RotateForm
        webhookId={props.webhook.id}
        inputId="grace-hours"
        label="Old secret stays valid for (hours)"
        what="Secret"
        old="The old one"
        busy={busy}
        run={run}
        onRotated={(res) => setSecret(res.secret)}
      />
      {output}
    </section>
  );
}

function RecoverPanel(props: { webhook: Webhook }) {
  const [since, setSince] = useState(() =>
    new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 16),
  );
  const { busy, run, output } = useAction();
  return (
    <section class="panel" aria-labelledby="recover-title">
      <h2 id="recover-title">Recover failed deliveries</h2>
      <label for="recover-since">Recover failed since (UTC)</label>
      <input
        id="recover-since"
        type="datetime-local"
        value={since}
        onInput={(e) => setSince(e.currentTarget.value)}
      />
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          run(async () => {
            const res = await api.recover(props.webhook.id, `${since}:00Z`);
            return `${res.requeued} failed ${res.requeued === 1 ? 'delivery' : 'deliveries'} queued again.`;
          })
        }
      >
        Recover
      </button>
      {output}
    </section>
  );
}

function DeletePanel(props: { webhook: Webhook }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, run, output } = useAction();
  return (
    <section class="panel danger" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      {!confirming ? (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Delete webhook
        </button>
      ) : (
        <div role="alertdialog" aria-labelledby="delete-question">
          <p id="delete-question">
            Delete “{props.webhook.name}” and its whole delivery log? This cannot be undone.
          </p>
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={() =>
              run(async () => {
                await api.deleteWebhook(props.webhook.id);
                navigate('/');
                return undefined;
              })
            }
          >
            Yes, delete it
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      {output}
    </section>
  );
}

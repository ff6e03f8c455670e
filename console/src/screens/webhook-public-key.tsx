import { useState } from 'preact/hooks';
import { api, Webhook } from '../api/client';
import { useAction } from '../components/use-action';
import { dateTime } from '../format';

/**
 * An ed25519 webhook's public key, to copy into the receiver's verifier, and the rotation of its key
 * pair (the old private key keeps signing beside the new one for the grace period).
 */
export function PublicKeyPanel(props: { webhook: Webhook; onChanged: () => void }) {
  const [grace, setGrace] = useState('24');
  const [copied, setCopied] = useState(false);
  const { busy, run, output } = useAction();
  const key = props.webhook.public_key ?? '';
  return (
    <section class="panel" aria-labelledby="public-key-title">
      <h2 id="public-key-title">Public key (ed25519)</h2>
      <p>
        <code class="secret" aria-label="Public key">
          {key}
        </code>
      </p>
      <button
        type="button"
        class="secondary"
        onClick={() =>
          run(async () => {
            await navigator.clipboard.writeText(key);
            setCopied(true);
            return 'Public key copied.';
          })
        }
      >
        {copied ? 'Copied' : 'Copy public key'}
      </button>
      <p class="muted">
        Receivers verify webhook-signature (v1a) with it; the private key never leaves Homa.
      </p>
      <div class="inline-form">
        <label for="key-grace-hours">Old key keeps signing for (hours)</label>
        <input
          id="key-grace-hours"
          inputMode="numeric"
          value={grace}
          onInput={(e) => setGrace(e.currentTarget.value)}
        />
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const hours = Number(grace);
              if (!Number.isFinite(hours) || hours < 0)
                throw new Error('Grace period must be a number of hours');
              const res = await api.rotateSecret(props.webhook.id, Math.round(hours * 3600));
              setCopied(false);
              props.onChanged();
              return res.previous_secret_expires_at
                ? `Key pair rotated. The old key also signs until ${dateTime(res.previous_secret_expires_at)}.`
                : 'Key pair rotated. The old key no longer signs.';
            })
          }
        >
          Rotate key pair
        </button>
      </div>
      {output}
    </section>
  );
}

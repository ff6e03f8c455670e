import { useState } from 'preact/hooks';
import { Webhook } from '../api/client';
import { RotateForm } from '../components/rotate-form';
import { useAction } from '../components/use-action';

/**
 * An ed25519 webhook's public key, to copy into the receiver's verifier, and the rotation of its key
 * pair (the old private key keeps signing beside the new one for the grace period).
 */
export function PublicKeyPanel(props: { webhook: Webhook; onChanged: () => void }) {
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
      <RotateForm
        webhookId={props.webhook.id}
        inputId="key-grace-hours"
        label="Old key keeps signing for (hours)"
        what="Key pair"
        old="The old key"
        busy={busy}
        run={run}
        onRotated={() => {
          setCopied(false);
          props.onChanged();
        }}
      />
      {output}
    </section>
  );
}

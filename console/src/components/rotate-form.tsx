import { useState } from 'preact/hooks';
import { api, RotatedSecret } from '../api/client';
import { dateTime } from '../format';

/**
 * The rotation of a webhook's signing secret or ed25519 key pair: a grace period in hours (how long the
 * old one keeps signing beside the new one) and the button. `what` and `old` name it in the button
 * and the answer; `onRotated` hears the rotation's answer.
 */
export function RotateForm(props: {
  webhookId: number;
  inputId: string;
  label: string;
  what: string;
  /** How the answer names the old secret or key ("The old one"). */
  old: string;
  busy: boolean;
  run: (fn: () => Promise<string | undefined>) => void;
  onRotated: (res: RotatedSecret) => void;
}) {
  const [grace, setGrace] = useState('24');
  return (
    <div class="inline-form">
      <label for={props.inputId}>{props.label}</label>
      <input
        id={props.inputId}
        inputMode="numeric"
        value={grace}
        onInput={(e) => setGrace(e.currentTarget.value)}
      />
      <button
        type="button"
        disabled={props.busy}
        onClick={() =>
          props.run(async () => {
            const hours = Number(grace);
            if (!Number.isFinite(hours) || hours < 0)
              throw new Error('Grace period must be a number of hours');
            const res = await api.rotateSecret(props.webhookId, Math.round(hours * 3600));
            props.onRotated(res);
            return res.previous_secret_expires_at
              ? `${props.what} rotated. ${props.old} also signs until ${dateTime(res.previous_secret_expires_at)}.`
              : `${props.what} rotated. ${props.old} no longer signs.`;
          })
        }
      >
        Rotate {props.what.toLowerCase()}
      </button>
    </div>
  );
}

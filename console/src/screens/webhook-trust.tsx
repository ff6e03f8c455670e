import { Field } from '../components/field';
import type { Webhook, WebhookInput } from '../api/client';

/** How a webhook proves itself, as the form edits it. */
export interface TrustState {
  signature_scheme: 'hmac' | 'ed25519';
  client_certificate: string;
  /** Typed by the operator; the stored key is never shown back. */
  client_key: string;
  /** Whether the webhook already holds a client key (shown masked by the API). */
  has_client_key: boolean;
}

export const EMPTY_TRUST: TrustState = {
  signature_scheme: 'hmac',
  client_certificate: '',
  client_key: '',
  has_client_key: false,
};

export function trustFromWebhook(w: Webhook): TrustState {
  return {
    signature_scheme: w.signature_scheme,
    client_certificate: w.client_certificate ?? '',
    client_key: '',
    has_client_key: w.client_key !== null,
  };
}

/**
 * The body's part: an empty certificate removes the pair; a key left empty keeps the stored one.
 */
export function trustBody(t: TrustState): Partial<WebhookInput> {
  const certificate = t.client_certificate.trim() ? t.client_certificate : null;
  const key = t.client_key.trim() ? t.client_key : null;
  const pair =
    certificate === null && key === null
      ? { client_certificate: null, client_key: null }
      : key === null && t.has_client_key
        ? { client_certificate: certificate }
        : { client_certificate: certificate, client_key: key };
  return { signature_scheme: t.signature_scheme, ...pair };
}

export const TRUST_FIELDS = ['signature_scheme', 'client_certificate', 'client_key'];

/** The signature scheme selector and the client certificate and key for mutual TLS. */
export function WebhookTrustFields(props: {
  value: TrustState;
  onChange: (next: TrustState) => void;
  errorFor: (field: string) => string | undefined;
}) {
  const t = props.value;
  const set = (patch: Partial<TrustState>) => props.onChange({ ...t, ...patch });
  return (
    <fieldset>
      <legend>Signatures and mutual TLS</legend>
      <Field
        id="signature_scheme"
        label="Signature scheme"
        hint={
          t.signature_scheme === 'ed25519'
            ? 'Homa keeps the private key; receivers verify webhook-signature (v1a) with the public key shown on the webhook'
            : 'HMAC-SHA256 with the secret: X-Webhook-Signature and webhook-signature (v1)'
        }
        error={props.errorFor('signature_scheme')}
      >
        {(aria) => (
          <select
            {...aria}
            value={t.signature_scheme}
            onChange={(e) =>
              set({ signature_scheme: e.currentTarget.value as TrustState['signature_scheme'] })
            }
          >
            <option value="hmac">HMAC-SHA256 (shared secret)</option>
            <option value="ed25519">ed25519 (public key)</option>
          </select>
        )}
      </Field>
      <Field
        id="client_certificate"
        label="Client certificate (PEM)"
        hint="Presented to HTTPS receivers that ask for one; leave empty for none"
        error={props.errorFor('client_certificate')}
      >
        {(aria) => (
          <textarea
            {...aria}
            rows={4}
            spellcheck={false}
            placeholder="-----BEGIN CERTIFICATE-----"
            value={t.client_certificate}
            onInput={(e) => set({ client_certificate: e.currentTarget.value })}
          />
        )}
      </Field>
      <Field
        id="client_key"
        label="Client key (PEM)"
        hint={
          t.has_client_key
            ? 'A key is stored (encrypted; never shown). Leave empty to keep it, or paste a new one'
            : 'The unencrypted private key of the certificate; stored encrypted, never shown again'
        }
        error={props.errorFor('client_key')}
      >
        {(aria) => (
          <textarea
            {...aria}
            rows={4}
            spellcheck={false}
            autocomplete="off"
            placeholder={t.has_client_key ? '******** (stored)' : '-----BEGIN PRIVATE KEY-----'}
            value={t.client_key}
            onInput={(e) => set({ client_key: e.currentTarget.value })}
          />
        )}
      </Field>
    </fieldset>
  );
}

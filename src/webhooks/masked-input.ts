import { fieldError } from '../common/validation';
import { MASKED, maskUrl } from './webhook-credentials';

/**
 * An update's `url`, `headers` and `client_key` with masked values put back: what a client read from the API
 * (masked) and sends back unchanged keeps the stored credential. A masked value anywhere else is a
 * 400 naming the field, never a credential quietly replaced by the mask.
 */
export function restoreMasked<
  T extends { url?: string; headers?: Record<string, string>; client_key?: string | null },
>(
  input: T,
  current: { url: string; headers: Record<string, string> | null; client_key?: string | null },
): T {
  const out = { ...input };
  if (out.client_key === MASKED) {
    if (!current.client_key)
      throw fieldError('client_key', `is masked (${MASKED}) but the webhook has no client key`);
    out.client_key = current.client_key;
  }
  if (out.url !== undefined && out.url.includes(MASKED)) {
    if (out.url !== maskUrl(current.url))
      throw fieldError(
        'url',
        `holds masked values (${MASKED}): send the whole URL, or reveal it with GET /api/admin/webhooks/:id/credentials`,
      );
    out.url = current.url;
  }
  if (out.headers) {
    const stored = current.headers ?? {};
    out.headers = Object.fromEntries(
      Object.entries(out.headers).map(([name, value]) => {
        if (value !== MASKED) return [name, value];
        if (!(name in stored))
          throw fieldError(
            'headers',
            `${name} is masked (${MASKED}) but the webhook has no such header`,
          );
        return [name, stored[name]];
      }),
    );
  }
  return out;
}

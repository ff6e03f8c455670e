/**
 * What stands in for a credential in every answer, log and view: a URL's user and password, the
 * values of its key-looking query parameters, and every custom header value. The real values are
 * stored encrypted (see secret-transformers.ts) and shown only by the audited
 * `GET /api/admin/webhooks/:id/credentials`.
 */
export const MASKED = '********';

/** Query parameters whose names say they carry a credential (`api_key`, `access_token`, `sig`, …). */
const SECRET_NAME =
  /(key|token|secret|pass|pwd|sig|auth|credential|session|code|jwt|bearer|hash|hmac|private)/i;

/** A value that looks like a key whatever its name: long, of key characters, letters and digits. */
function looksLikeKey(value: string): boolean {
  return (
    value.length >= 20 && /^[\w+/=.~-]+$/.test(value) && /\d/.test(value) && /[a-z]/i.test(value)
  );
}

function isSecretParam(name: string, value: string): boolean {
  return SECRET_NAME.test(name) || looksLikeKey(value);
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether a URL carries anything worth encrypting at rest: user info, a query string or a fragment
 * (any query value may be a key whatever its name, so every URL with one is stored encrypted).
 */
export function urlHasCredentials(url: string): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  return [parsed.username, parsed.password, parsed.search, parsed.hash].some((part) => part !== '');
}

/** The URL as views show it: user info, key-looking query values and any fragment masked. */
export function maskUrl(url: string): string {
  const parsed = parse(url);
  if (!parsed) return MASKED;
  if (parsed.username) parsed.username = MASKED;
  if (parsed.password) parsed.password = MASKED;
  if (parsed.hash) parsed.hash = MASKED;
  if (parsed.search) {
    // Part by part, so the rest of the query keeps its exact spelling.
    const parts = parsed.search.slice(1).split('&');
    parsed.search = parts.map(maskQueryPart).join('&');
  }
  return parsed.href;
}

function maskQueryPart(part: string): string {
  const [entry] = new URLSearchParams(part);
  if (!entry || !isSecretParam(entry[0], entry[1])) return part;
  const name = part.split('=')[0];
  return `${name}=${MASKED}`;
}

/**
 * What a search by URL matches: the URL as views show it (maskUrl), in lower case. Stored beside the
 * URL (`url_search`), so a URL kept encrypted is found by its host and path, never by a credential.
 */
export function urlSearchForm(url: string): string {
  return maskUrl(url).toLowerCase().slice(0, 2048);
}

/** The URL with no credential in it at all (no user info, no query, no fragment): for alerts. */
export function urlWithoutCredentials(url: string): string {
  const parsed = parse(url);
  return parsed ? `${parsed.origin}${parsed.pathname}` : MASKED;
}

/** Custom headers as views show them: every value masked. */
export function maskHeaders(headers: Record<string, string> | null): Record<string, string> | null {
  return headers ? Object.fromEntries(Object.keys(headers).map((name) => [name, MASKED])) : null;
}

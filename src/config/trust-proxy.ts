import { parseCidrList } from './cidr-list';

/** What Express's `trust proxy` takes: nothing trusted, a hop count, or the proxies' addresses. */
export type TrustProxy = false | number | string[];

/** Express's names for address ranges, usable in TRUST_PROXY beside CIDRs. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Parses TRUST_PROXY: `false` (the default: `X-Forwarded-For` is ignored and a client's IP is the
 * peer's), a hop count (`1`: the one proxy in front, whatever its address), or a comma-separated list
 * of `loopback`, `linklocal`, `uniquelocal`, IP addresses and CIDRs (the proxies whose
 * `X-Forwarded-For` is believed). `true` is refused: it would let every client name its own IP.
 */
export function parseTrustProxy(value: string): TrustProxy {
  const spec = value.trim().toLowerCase();
  if (spec === '' || spec === 'false' || spec === '0') return false;
  if (spec === 'true')
    throw new Error(
      'true would trust any client to name its own IP: give the proxies (loopback, CIDRs) or a hop count',
    );
  if (/^\d+$/.test(spec)) {
    const hops = Number(spec);
    if (hops > 32) throw new Error(`${hops} hops is more than any real proxy chain`);
    return hops;
  }
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  parseCidrList(entries.filter((entry) => !NAMED_RANGES.has(entry)).join(','));
  return entries;
}

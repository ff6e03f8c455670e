import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { parseCidrList } from '../config/cidr-list';
import { Env } from '../config/env.validation';

/** Address ranges a webhook may not reach unless an operator opts in. */
const BLOCKED: { cidr: string; kind: string }[] = [
  { cidr: '0.0.0.0/8', kind: 'an unspecified' },
  { cidr: '10.0.0.0/8', kind: 'a private' },
  { cidr: '100.64.0.0/10', kind: 'a carrier-grade NAT' },
  { cidr: '127.0.0.0/8', kind: 'a loopback' },
  { cidr: '169.254.0.0/16', kind: 'a link-local (cloud metadata)' },
  { cidr: '172.16.0.0/12', kind: 'a private' },
  { cidr: '192.0.0.0/24', kind: 'a reserved' },
  { cidr: '192.0.2.0/24', kind: 'a documentation' },
  { cidr: '192.88.99.0/24', kind: 'a reserved' },
  { cidr: '192.168.0.0/16', kind: 'a private' },
  { cidr: '198.18.0.0/15', kind: 'a benchmarking' },
  { cidr: '198.51.100.0/24', kind: 'a documentation' },
  { cidr: '203.0.113.0/24', kind: 'a documentation' },
  { cidr: '224.0.0.0/4', kind: 'a multicast' },
  { cidr: '240.0.0.0/4', kind: 'a reserved' },
  { cidr: '::/128', kind: 'an unspecified' },
  { cidr: '::1/128', kind: 'a loopback' },
  { cidr: '64:ff9b:1::/48', kind: 'a local-use NAT64' },
  { cidr: '100::/64', kind: 'a discard' },
  { cidr: '2001::/23', kind: 'a reserved' },
  { cidr: '2001:db8::/32', kind: 'a documentation' },
  { cidr: '2002::/16', kind: 'a 6to4' },
  { cidr: 'fc00::/7', kind: 'a unique-local (private)' },
  { cidr: 'fe80::/10', kind: 'a link-local' },
  { cidr: 'fec0::/10', kind: 'a site-local' },
  { cidr: 'ff00::/8', kind: 'a multicast' },
];

export interface GuardRefusal {
  /** As an attempt records it (`error_code`). */
  code: 'blocked_target' | 'invalid_target';
  message: string;
}

type Family = 'ipv4' | 'ipv6';

function toBlockList(cidrs: { cidr: string }[]): BlockList {
  const list = new BlockList();
  for (const { cidr } of cidrs) {
    const [address, prefix] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix ?? (family === 'ipv6' ? 128 : 32)), family);
  }
  return list;
}

/** The 16 bytes of an IPv6 address (one `isIP` accepts: a zone, `::` and a dotted tail allowed). */
export function ipv6Bytes(address: string): Buffer {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const zeros = Array<string>(8 - left.length - right.length).fill('0');
  const bytes = Buffer.alloc(16);
  [...left, ...zeros, ...right].forEach((group, i) =>
    bytes.writeUInt16BE(parseInt(group, 16), i * 2),
  );
  return bytes;
}

const dottedAt = (bytes: Buffer, at: number, mask = 0): string =>
  [0, 1, 2, 3].map((i) => bytes[at + i] ^ mask).join('.');

/**
 * IPv6 ranges whose addresses carry an IPv4 address, and where. A packet to one of them can end at
 * that IPv4 address (a translator, a tunnel or the host's own stack takes it there), so the guard
 * checks the IPv4 address as well. A local-use NAT64 prefix may be /48 to /96 (RFC 6052 §2.2); the
 * layout read here is the /96 one, and the whole /48 is refused anyway unless an operator allows it.
 */
const EMBEDDINGS: { cidr: string; form: string; ipv4: (bytes: Buffer) => string[] }[] = [
  { cidr: '::ffff:0:0/96', form: 'IPv4-mapped', ipv4: (b) => [dottedAt(b, 12)] },
  { cidr: '::ffff:0:0:0/96', form: 'IPv4-translated', ipv4: (b) => [dottedAt(b, 12)] },
  // `::` and `::1` are IPv6's own unspecified and loopback addresses, refused as such.
  {
    cidr: '::/96',
    form: 'IPv4-compatible',
    ipv4: (b) => (b.readUInt32BE(12) > 1 ? [dottedAt(b, 12)] : []),
  },
  { cidr: '64:ff9b::/96', form: 'NAT64', ipv4: (b) => [dottedAt(b, 12)] },
  { cidr: '64:ff9b:1::/48', form: 'local-use NAT64', ipv4: (b) => [dottedAt(b, 12)] },
  // RFC 3056: 2002:AABB:CCDD::/48 is the site behind the 6to4 router at AA.BB.CC.DD.
  { cidr: '2002::/16', form: '6to4', ipv4: (b) => [dottedAt(b, 2)] },
  // RFC 4380: 2001:0:<server IPv4>:<flags>:<port ^ 0xffff>:<client IPv4 ^ 0xffffffff>.
  {
    cidr: '2001::/32',
    form: 'Teredo',
    ipv4: (b) => [dottedAt(b, 4), dottedAt(b, 12, 0xff)],
  },
];

const EMBEDDING_LISTS = EMBEDDINGS.map((e) => ({ ...e, list: toBlockList([e]) }));

/** The IPv4 addresses an IPv6 address carries, each with the form that carries it. */
export function embeddedIPv4(address: string): { form: string; ipv4: string }[] {
  const found: { form: string; ipv4: string }[] = [];
  for (const { list, form, ipv4 } of EMBEDDING_LISTS) {
    if (!list.check(address, 'ipv6')) continue;
    for (const v4 of ipv4(ipv6Bytes(address))) found.push({ form, ipv4: v4 });
  }
  return found;
}

/**
 * Keeps webhooks off internal networks (SSRF). URLs are checked when saved, and every connection is
 * checked again on the addresses its host name resolves to at connect time, so DNS rebinding is no way round.
 */
@Injectable()
export class TargetGuard {
  // By family: Node's BlockList matches an IPv4-mapped address against IPv4 rules by itself.
  private readonly blocked = BLOCKED.map((b) => ({
    kind: b.kind,
    family: isIP(b.cidr.split('/')[0]) === 6 ? 'ipv6' : 'ipv4',
    list: toBlockList([b]),
  }));
  private readonly allowed: BlockList;
  private readonly allowAll: boolean;

  constructor(config: ConfigService<Env, true>) {
    this.allowAll = config.get('WEBHOOK_ALLOW_PRIVATE_NETWORKS', { infer: true });
    this.allowed = toBlockList(
      parseCidrList(config.get('WEBHOOK_ALLOWED_NETWORKS', { infer: true })).map((cidr) => ({
        cidr,
      })),
    );
  }

  /**
   * Why an address may not be reached, or null when it may. An IPv6 address that carries an IPv4
   * one (EMBEDDINGS) is refused when that IPv4 address would be, whatever IPv6 range is allowed.
   */
  refuseAddress(address: string): string | null {
    if (this.allowAll) return null;
    const family = isIP(address);
    if (!family) return `${address} is not an IP address`;
    if (family === 6) {
      for (const { form, ipv4 } of embeddedIPv4(address)) {
        const kind = this.blockedKind(ipv4, 'ipv4');
        if (kind) return `${address} embeds ${ipv4} (${form}), ${kind} address; ${optIn(ipv4, 32)}`;
      }
    }
    const kind = this.blockedKind(address, family === 6 ? 'ipv6' : 'ipv4');
    if (!kind) return null;
    return `${address} is ${kind} address; ${optIn(address, family === 6 ? 128 : 32)}`;
  }

  /** The kind of blocked range an address is in, or null when it is in none or is allowed. */
  private blockedKind(address: string, family: Family): string | null {
    if (this.allowed.check(address, family)) return null;
    return (
      this.blocked.find((b) => b.family === family && b.list.check(address, family))?.kind ?? null
    );
  }

  /** Checks a URL without resolving it: scheme, and the address when the host is an IP literal. */
  checkUrl(raw: string): GuardRefusal | null {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { code: 'invalid_target', message: `${raw} is not an absolute URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return {
        code: 'invalid_target',
        message: `Only http and https URLs are allowed, not ${url.protocol}`,
      };
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!host) return { code: 'invalid_target', message: 'The URL has no host' };
    if (isIP(host)) {
      const reason = this.refuseAddress(host);
      if (reason) return { code: 'blocked_target', message: reason };
    }
    return null;
  }

  /** Checks a URL and every address its host resolves to now (used when a webhook is saved). */
  async checkUrlAndResolve(raw: string): Promise<GuardRefusal | null> {
    const literal = this.checkUrl(raw);
    if (literal || this.allowAll) return literal;
    const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return null;
    const addresses = await new Promise<LookupAddress[]>((resolve) =>
      dnsLookup(host, { all: true }, (err, found) => resolve(err ? [] : found)),
    );
    for (const { address } of addresses) {
      const reason = this.refuseAddress(address);
      if (reason) return { code: 'blocked_target', message: `${host} resolves to ${reason}` };
    }
    return null;
  }

  /** A `dns.lookup` for the HTTP agents that refuses blocked addresses at connect time. */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      for (const { address } of addresses) {
        const reason = this.refuseAddress(address);
        if (reason) {
          const blocked: NodeJS.ErrnoException = new Error(
            `Blocked target: ${hostname} resolves to ${reason}`,
          );
          blocked.code = 'EBLOCKEDTARGET';
          return callback(blocked, '', 0);
        }
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function optIn(address: string, bits: number): string {
  return `to allow it set WEBHOOK_ALLOWED_NETWORKS (e.g. ${address}/${bits}) or WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`;
}

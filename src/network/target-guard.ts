import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { parseCidrList } from '../config/cidr-list';
import { Env } from '../config/env.validation';
import type { AttemptErrorCode } from '../deliveries/entities/webhook-delivery-attempt.entity';

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
  code: AttemptErrorCode;
  message: string;
}

function toBlockList(cidrs: { cidr: string }[]): BlockList {
  const list = new BlockList();
  for (const { cidr } of cidrs) {
    const [address, prefix] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix ?? (family === 'ipv6' ? 128 : 32)), family);
  }
  return list;
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 IPv6 address. */
export function embeddedIPv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/**
 * Keeps webhooks off internal networks (SSRF). URLs are checked when saved, and every connection is
 * checked again on the addresses its host name resolves to at connect time, so DNS rebinding is no way round.
 */
@Injectable()
export class TargetGuard {
  private readonly blocked = BLOCKED.map((b) => ({ kind: b.kind, list: toBlockList([b]) }));
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

  /** Why an address may not be reached, or null when it may. */
  refuseAddress(address: string): string | null {
    if (this.allowAll) return null;
    const family = isIP(address);
    if (!family) return `${address} is not an IP address`;
    const v4 = family === 6 ? embeddedIPv4(address) : null;
    const [addr, type] = v4
      ? [v4, 'ipv4' as const]
      : [address, family === 6 ? ('ipv6' as const) : ('ipv4' as const)];
    if (this.allowed.check(addr, type) || (v4 !== null && this.allowed.check(address, 'ipv6')))
      return null;
    const hit = this.blocked.find((b) => b.list.check(addr, type));
    if (!hit) return null;
    return `${address} is ${hit.kind} address; to allow it set WEBHOOK_ALLOWED_NETWORKS (e.g. ${addr}/${type === 'ipv6' ? 128 : 32}) or WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`;
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

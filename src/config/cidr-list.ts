import { isIP } from 'node:net';

/** Validates a CIDR list such as `10.0.0.0/8, 127.0.0.1/32`; the message names what is wrong. */
export function parseCidrList(spec: string): string[] {
  const cidrs = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const cidr of cidrs) {
    const [address, prefix, extra] = cidr.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : Number(prefix);
    if (!family || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max) {
      throw new Error(`"${cidr}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
    }
  }
  return cidrs;
}

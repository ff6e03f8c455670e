import { validateEnv } from './env.validation';
import { parseTrustProxy } from './trust-proxy';

describe('TRUST_PROXY', () => {
  it('defaults to trusting no proxy', () => {
    expect(parseTrustProxy(validateEnv({}).TRUST_PROXY)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('')).toBe(false);
  });

  it('takes a hop count, or named ranges and CIDRs', () => {
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(parseTrustProxy(' Loopback, 10.0.0.0/8 ,fd00::/8,192.0.2.1')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
    ]);
  });

  it.each([
    ['true', /would trust any client/],
    ['everyone', /"everyone" is not a CIDR/],
    ['10.0.0.0/33', /"10.0.0.0\/33" is not a CIDR/],
    ['99', /more than any real proxy chain/],
  ])('refuses %s at start, naming TRUST_PROXY', (value, reason) => {
    expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(/"TRUST_PROXY" must be/);
    expect(() => parseTrustProxy(value)).toThrow(reason);
  });
});

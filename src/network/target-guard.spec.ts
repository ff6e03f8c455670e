import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';
import { BLOCKED_URLS } from './blocked-urls.testing';
import { parseCidrList } from '../config/cidr-list';
import { embeddedIPv4, ipv6Bytes, TargetGuard } from './target-guard';

function guard(allowed = '', allowAll = false): TargetGuard {
  const values: Record<string, unknown> = {
    WEBHOOK_ALLOWED_NETWORKS: allowed,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: allowAll,
  };
  return new TargetGuard({ get: (key: string) => values[key] } as unknown as ConfigService<
    Env,
    true
  >);
}

describe('TargetGuard', () => {
  it.each(BLOCKED_URLS)('refuses %s, naming the address and the setting', (url) => {
    const refusal = guard().checkUrl(url);
    expect(refusal?.code).toBe('blocked_target');
    expect(refusal?.message).toMatch(/WEBHOOK_ALLOWED_NETWORKS/);
  });

  it.each([
    'https://example.com/hook',
    'http://93.184.216.34/',
    'https://[2606:4700::6810:84e5]/',
    'http://8.8.8.8:8080/x',
  ])('allows the public %s', (url) => expect(guard().checkUrl(url)).toBeNull());

  it.each([
    'ftp://example.com/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'gopher://127.0.0.1/',
    'not a url',
  ])('refuses %s as an invalid target', (url) =>
    expect(guard().checkUrl(url)?.code).toBe('invalid_target'),
  );

  it('opts in by network or for every private address', () => {
    const some = guard('127.0.0.0/8, 10.1.0.0/16');
    expect(some.checkUrl('http://127.0.0.1/')).toBeNull();
    expect(some.checkUrl('http://[::ffff:127.0.0.1]/')).toBeNull();
    expect(some.checkUrl('http://10.1.2.3/')).toBeNull();
    expect(some.checkUrl('http://10.2.0.1/')?.code).toBe('blocked_target');
    expect(some.checkUrl('http://169.254.169.254/')?.code).toBe('blocked_target');
    const all = guard('', true);
    for (const url of BLOCKED_URLS) expect(all.checkUrl(url)).toBeNull();
  });

  it('refuses at connect time a host name that resolves to a blocked address', async () => {
    const lookup = guard().lookup;
    const result = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (err) => resolve(err)),
    );
    expect(result?.code).toBe('EBLOCKEDTARGET');
    expect(result?.message).toMatch(/localhost resolves to/);
    await expect(guard().checkUrlAndResolve('http://localhost:9/')).resolves.toEqual(
      expect.objectContaining({ code: 'blocked_target' }),
    );
    const allowed = await new Promise<unknown>((resolve) =>
      guard('127.0.0.0/8,::1/128').lookup('localhost', {}, (err, address) =>
        resolve(err ?? address),
      ),
    );
    expect(allowed).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  /**
   * Each IPv6 form that carries an IPv4 address (`range`): one spelling carrying a refused address,
   * which the refusal names, and one carrying a public address, allowed by default, or once `range`
   * is allowed where the range itself is refused (local-use NAT64, 6to4, Teredo).
   */
  // [form, refused, carries, allowed, range, the range itself refused]
  // prettier-ignore
  const EMBEDDED: [string, string, string, string, string, boolean][] = [
    ['IPv4-mapped', '::ffff:127.0.0.1', '127.0.0.1', '::ffff:8.8.8.8', '::ffff:0:0/96', false],
    ['IPv4-mapped', '::ffff:a9fe:a9fe', '169.254.169.254', '::ffff:808:808', '::ffff:0:0/96', false],
    ['IPv4-translated', '::ffff:0:127.0.0.1', '127.0.0.1', '::ffff:0:8.8.8.8', '::ffff:0:0:0/96', false],
    ['IPv4-translated', '0:0:0:0:ffff:0:a00:1', '10.0.0.1', '::ffff:0:808:808', '::ffff:0:0:0/96', false],
    ['IPv4-compatible', '::127.0.0.1', '127.0.0.1', '::8.8.8.8', '::/96', false],
    ['IPv4-compatible', '::c0a8:101', '192.168.1.1', '::808:808', '::/96', false],
    ['NAT64', '64:ff9b::169.254.169.254', '169.254.169.254', '64:ff9b::808:808', '64:ff9b::/96', false],
    ['NAT64', '64:ff9b::7f00:1', '127.0.0.1', '64:ff9b::8.8.4.4', '64:ff9b::/96', false],
    ['local-use NAT64', '64:ff9b:1::7f00:1', '127.0.0.1', '64:ff9b:1::808:808', '64:ff9b:1::/48', true],
    ['6to4', '2002:7f00:1::1', '127.0.0.1', '2002:808:808::1', '2002::/16', true],
    ['6to4', '2002:a9fe:a9fe:1::5', '169.254.169.254', '2002:5db8:d822::1', '2002::/16', true],
    // Teredo: 2001:0:<server>:<flags>:<port ^ 0xffff>:<client ^ 0xffffffff>; server, then client.
    ['Teredo', '2001:0:7f00:1::f7f7:f7f7', '127.0.0.1', '2001:0:808:808::f7f7:f7f7', '2001::/32', true],
    ['Teredo', '2001:0:808:808:8000:ffff:f5ff:fffe', '10.0.0.1', '2001:0:808:808:8000:ffff:a247:2bcb', '2001::/32', true],
  ];

  describe.each(EMBEDDED)(
    '%s %s (carrying %s)',
    (form, refused, carries, allowed, range, rangeRefused) => {
      const escaped = carries.replace(/\./g, '\\.');
      const naming = new RegExp(
        `embeds ${escaped} \\(${form}\\), an? [^;]+ address; to allow it set WEBHOOK_ALLOWED_NETWORKS \\(e\\.g\\. ${escaped}/32\\)`,
      );
      const optIn = rangeRefused ? range : '';

      it('is refused as a URL literal, naming the IPv4 address it carries', () => {
        expect(guard().checkUrl(`http://[${refused}]:8080/hook`)).toEqual({
          code: 'blocked_target',
          message: expect.stringMatching(naming),
        });
      });

      it('is refused when a host name resolves to it at connect time', async () => {
        // getaddrinfo answers a numeric host with itself: the guard sees what a resolver would give.
        const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
          guard().lookup(refused, {}, (err) => resolve(err)),
        );
        expect(error).toMatchObject({
          code: 'EBLOCKEDTARGET',
          message: expect.stringMatching(naming),
        });
      });

      it(`stays refused when ${range} is allowed, and is allowed once ${carries} is too`, () => {
        // To Node's BlockList an IPv4 address is its IPv4-mapped one: allowing ::ffff:0:0/96 allows
        // every IPv4 address, so that range says nothing here.
        if (form !== 'IPv4-mapped')
          expect(guard(range).checkUrl(`http://[${refused}]/`)?.message).toMatch(naming);
        expect(guard(`${carries}/32,${optIn}`).checkUrl(`http://[${refused}]/`)).toBeNull();
      });

      it(`allows ${allowed}, which carries a public address${optIn ? ` (once ${optIn} is allowed)` : ''}`, async () => {
        const url = `https://[${allowed}]/hook`;
        if (optIn)
          expect(guard().checkUrl(url)?.message).toMatch(/is an? [^;]+ address; to allow it/);
        expect(guard(optIn).checkUrl(url)).toBeNull();
        const resolved = await new Promise<unknown>((resolve) =>
          guard(optIn).lookup(allowed, {}, (err, address) => resolve(err ?? address)),
        );
        expect(resolved).toEqual(expect.any(String));
      });
    },
  );

  it('reads the IPv4 addresses inside IPv6 forms, and validates CIDR lists', () => {
    expect(embeddedIPv4('::ffff:7f00:1')).toEqual([{ form: 'IPv4-mapped', ipv4: '127.0.0.1' }]);
    expect(embeddedIPv4('::ffff:10.0.0.1')).toEqual([{ form: 'IPv4-mapped', ipv4: '10.0.0.1' }]);
    expect(embeddedIPv4('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toEqual([
      { form: 'Teredo', ipv4: '65.54.227.120' },
      { form: 'Teredo', ipv4: '192.0.2.45' },
    ]);
    expect(embeddedIPv4('::1')).toEqual([]);
    expect(embeddedIPv4('2001:db8::1')).toEqual([]);
    expect(ipv6Bytes('1:2::7:8').toString('hex')).toBe('00010002000000000000000000070008');
    expect(ipv6Bytes('::ffff:1.2.3.4').toString('hex')).toBe('00000000000000000000ffff01020304');
    expect(ipv6Bytes('fe80::1%eth0').toString('hex')).toBe('fe800000000000000000000000000001');
    expect(parseCidrList(' 10.0.0.0/8 ,fd00::/8')).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(() => parseCidrList('10.0.0.0/33')).toThrow(/not a CIDR/);
    expect(() => parseCidrList('example.com')).toThrow(/not a CIDR/);
  });
});

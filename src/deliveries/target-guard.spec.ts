import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.validation';
import { BLOCKED_URLS } from './blocked-urls.fixture';
import { parseCidrList } from '../config/cidr-list';
import { embeddedIPv4, TargetGuard } from './target-guard';

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

  it('reads IPv4 inside IPv6 forms, and validates CIDR lists', () => {
    expect(embeddedIPv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIPv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIPv4('2001:db8::1')).toBeNull();
    expect(parseCidrList(' 10.0.0.0/8 ,fd00::/8')).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(() => parseCidrList('10.0.0.0/33')).toThrow(/not a CIDR/);
    expect(() => parseCidrList('example.com')).toThrow(/not a CIDR/);
  });
});

import { AlertRateLimit } from './alert-rate-limit';

describe('AlertRateLimit', () => {
  it('allows `limit` alerts per webhook in a window, then refuses', () => {
    const limit = new AlertRateLimit(3, 60_000);
    expect([1, 2, 3, 4].map(() => limit.tryAcquire(7, 1_000))).toEqual([true, true, true, false]);
    expect(limit.remaining(7, 1_000)).toBe(0);
  });

  it('counts each webhook separately', () => {
    const limit = new AlertRateLimit(1, 60_000);
    expect(limit.tryAcquire(1, 0)).toBe(true);
    expect(limit.tryAcquire(2, 0)).toBe(true);
    expect(limit.tryAcquire(1, 0)).toBe(false);
  });

  it('slides: an alert leaves the count once the window has passed since it', () => {
    const limit = new AlertRateLimit(2, 10_000);
    expect(limit.tryAcquire(5, 0)).toBe(true);
    expect(limit.tryAcquire(5, 4_000)).toBe(true);
    expect(limit.tryAcquire(5, 9_999)).toBe(false);
    expect(limit.retryInMs(5, 9_999)).toBe(1);
    expect(limit.tryAcquire(5, 10_000)).toBe(true);
    expect(limit.tryAcquire(5, 10_001)).toBe(false);
    expect(limit.retryInMs(5, 10_001)).toBe(3_999);
  });

  it('a refused alert is not counted', () => {
    const limit = new AlertRateLimit(1, 1_000);
    limit.tryAcquire(3, 0);
    for (let i = 0; i < 5; i++) expect(limit.tryAcquire(3, 500)).toBe(false);
    expect(limit.tryAcquire(3, 1_000)).toBe(true);
  });

  it('refuses nonsense settings', () => {
    expect(() => new AlertRateLimit(0, 1_000)).toThrow(/limit/);
    expect(() => new AlertRateLimit(1, 0)).toThrow(/windowMs/);
  });
});

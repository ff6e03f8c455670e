import {
  afterAttempts,
  AttemptSummary,
  gateOf,
  healthyState,
  inFlightAllowed,
  isHealthy,
  PacingSettings,
  slowdownPauseMs,
  stateName,
} from './endpoint-breaker';

const settings: PacingSettings = {
  retryAfterMaxMs: 60_000,
  breakerFailures: 3,
  probeIntervalMs: 10_000,
  slowdownBaseMs: 1000,
  slowdownMaxMs: 8000,
};
const fail = (at: number, statusCode: number | null = 500, retryAfterMs: number | null = null) =>
  ({ success: false, statusCode, retryAfterMs, at }) satisfies AttemptSummary;
const ok = (at: number) => ({ success: true, statusCode: 200, retryAfterMs: null, at });

describe('endpoint breaker', () => {
  it('pauses the endpoint on a 429 or 503 with Retry-After, capped by the setting', () => {
    const t = afterAttempts(healthyState(1), [fail(1000, 429, 30_000)], settings);
    expect(t.paused).toBe(true);
    expect(t.state.pausedUntil).toBe(31_000);
    expect(stateName(t.state, 2000)).toBe('paused');
    expect(gateOf(t.state, 2000)).toEqual({ waitUntil: 31_000 });
    const capped = afterAttempts(healthyState(1), [fail(0, 503, 3_600_000)], settings);
    expect(capped.state.pausedUntil).toBe(60_000);
    // A 500 with Retry-After pauses nothing: only 429 and 503 ask for it.
    expect(afterAttempts(healthyState(1), [fail(0, 500, 30_000)], settings).paused).toBe(false);
  });

  it('slows down on 429/502/503/504 without Retry-After with a growing pause, and recovers with successes', () => {
    let s = healthyState(1);
    const pauses: number[] = [];
    for (const [i, code] of [502, 504, 429].entries()) {
      s = afterAttempts(s, [fail(i * 100_000, code)], { ...settings, breakerFailures: 0 }).state;
      pauses.push(s.pausedUntil! - i * 100_000);
    }
    expect(pauses).toEqual([1000, 2000, 4000]);
    expect(s.slowLevel).toBe(3);
    expect(slowdownPauseMs(10, settings)).toBe(8000);
    expect(inFlightAllowed(8, s.slowLevel)).toBe(1);
    expect(inFlightAllowed(8, 1)).toBe(4);
    s = afterAttempts(s, [ok(400_000), ok(400_001)], settings).state;
    expect(s.slowLevel).toBe(1);
    expect(stateName(s, 500_000)).toBe('slowed');
    s = afterAttempts(s, [ok(500_000)], settings).state;
    expect(isHealthy(s, 500_000)).toBe(true);
  });

  it('opens after N consecutive failures (once), probes half-open once per interval, closes on success', () => {
    const two = afterAttempts(healthyState(1), [fail(1), fail(2)], settings);
    expect(two.opened).toBe(false);
    expect(two.state.circuit).toBe('closed');
    // A success between failures starts the count again.
    const reset = afterAttempts(two.state, [ok(3), fail(4)], settings);
    expect(reset.state.consecutiveFailures).toBe(1);
    const open = afterAttempts(two.state, [fail(5), fail(6)], settings);
    expect(open.opened).toBe(true);
    expect(open.state).toMatchObject({ circuit: 'open', openedAt: 5, nextProbeAt: 10_005 });
    expect(gateOf(open.state, 6000)).toEqual({ waitUntil: 10_005 });
    expect(gateOf(open.state, 10_005)).toEqual({ probe: true });
    expect(stateName(open.state, 10_005)).toBe('half_open');
    // More failures while open raise no second alert.
    expect(afterAttempts(open.state, [fail(7)], settings).opened).toBe(false);
    // The probe (taken: half-open) fails: open again until the next interval.
    const probing = { ...open.state, circuit: 'half_open' as const, nextProbeAt: 20_005 };
    const failed = afterAttempts(probing, [fail(10_100)], settings);
    expect(failed).toMatchObject({ opened: false, closed: false });
    expect(failed.state).toMatchObject({ circuit: 'open', nextProbeAt: 20_100 });
    const closed = afterAttempts(failed.state, [ok(20_200)], settings);
    expect(closed.closed).toBe(true);
    expect(closed.state).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
    expect(gateOf(closed.state, 20_300)).toEqual({ go: true });
  });

  it('has no breaker with WEBHOOK_BREAKER_FAILURES=0', () => {
    const many = Array.from({ length: 50 }, (_, i) => fail(i));
    const t = afterAttempts(healthyState(1), many, { ...settings, breakerFailures: 0 });
    expect(t.state.circuit).toBe('closed');
    expect(t.state.consecutiveFailures).toBe(50);
  });
});

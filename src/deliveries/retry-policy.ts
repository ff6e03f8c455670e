const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `5s,5m,30m,2h` into milliseconds. The format is validated with the rest of the config. */
export function parseSchedule(spec: string): number[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^(\d+)(ms|s|m|h|d)$/.exec(part);
      if (!match) throw new Error(`Invalid duration "${part}" in WEBHOOK_RETRY_SCHEDULE`);
      return Number(match[1]) * UNIT_MS[match[2]];
    });
}

export const JITTER = 0.2;

/**
 * The delays between attempts: the first attempt is immediate, then one retry per entry of the
 * schedule, each delay spread by ±20 % so that retries of one outage do not arrive in lockstep.
 */
export class RetrySchedule {
  constructor(
    readonly delaysMs: readonly number[],
    private readonly random: () => number = Math.random,
  ) {}

  get maxAttempts(): number {
    return this.delaysMs.length + 1;
  }

  /** The delay before the next attempt after `attemptsMade` attempts failed, or null when none is left. */
  nextDelayMs(attemptsMade: number): number | null {
    const base = this.delaysMs[attemptsMade - 1];
    if (base === undefined) return null;
    return Math.round(base * (1 - JITTER + 2 * JITTER * this.random()));
  }

  /** `Retry-After` is honoured but kept between the scheduled delay and twice it. */
  boundRetryAfter(scheduledMs: number, retryAfterMs: number | null): number {
    if (retryAfterMs === null) return scheduledMs;
    return Math.min(Math.max(retryAfterMs, scheduledMs), 2 * scheduledMs);
  }
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

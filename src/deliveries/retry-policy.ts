import type { DeliveryStatus } from './entities/webhook-delivery.entity';

/**
 * The retry policy in one place: the schedule (WEBHOOK_RETRY_SCHEDULE, with jitter), how `Retry-After`
 * bends it, and the state a delivery takes after each attempt's outcome.
 */

/** What the policy needs of a delivery, of an attempt's outcome and of how the attempt was asked for. */
export interface PolicyDelivery {
  status: DeliveryStatus;
  nextAttemptAt: number | null;
}
export interface PolicyOutcome {
  success: boolean;
  error_code: string | null;
  status_code: number | null;
  retry_after_ms: number | null;
  /** No retry can change it (a template that fails): the delivery fails now. */
  final?: boolean;
}
export interface PolicyTrigger {
  trigger: 'auto' | 'manual';
  /** False: this attempt is the only one (a test send); it never schedules another. */
  retry: boolean;
}

export interface NextState {
  status: DeliveryStatus;
  next_attempt_at: Date | null;
}

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

  /**
   * The delivery's state after attempt number `attempt`: succeeded; failed (no retry asked, 410 Gone,
   * or the schedule is spent); pending until the next scheduled time; or, for an attempt cut short by
   * a stopping process, pending now. A manual attempt never cuts
   * short or restarts the automatic schedule.
   */
  nextState(
    delivery: PolicyDelivery,
    attempt: number,
    outcome: PolicyOutcome,
    asked: PolicyTrigger,
    now: Date,
  ): NextState {
    if (outcome.success) return { status: 'succeeded', next_attempt_at: null };
    // Not the receiver's failure: the same attempt is made again as soon as a process takes it up
    // (the recorder leaves the delivery's attempt count as it was).
    if (outcome.error_code === 'interrupted' && asked.trigger === 'auto')
      return { status: 'pending', next_attempt_at: now };
    if (asked.trigger === 'manual') {
      return delivery.status === 'pending' && asked.retry
        ? {
            status: 'pending',
            next_attempt_at:
              delivery.nextAttemptAt === null ? null : new Date(delivery.nextAttemptAt),
          }
        : {
            status: delivery.status === 'succeeded' ? 'succeeded' : 'failed',
            next_attempt_at: null,
          };
    }
    if (!asked.retry || outcome.status_code === 410 || outcome.final)
      return { status: 'failed', next_attempt_at: null };
    const scheduled = this.nextDelayMs(attempt);
    if (scheduled === null) return { status: 'failed', next_attempt_at: null };
    const delay = this.boundRetryAfter(scheduled, outcome.retry_after_ms);
    return { status: 'pending', next_attempt_at: new Date(now.getTime() + delay) };
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

import type { EndpointHealthDto } from './endpoint-health.dto';
import { EndpointState, stateName } from './endpoint-breaker';

/**
 * An endpoint's pacing state as webhook health shows it. Kept apart from the DTO class, which loads
 * Swagger: the delivery thread loads this module's readers and no Swagger (module-footprint test).
 */
export function endpointHealth(s: EndpointState | undefined, now = Date.now()): EndpointHealthDto {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const paused = s && s.pausedUntil !== null && s.pausedUntil > now;
  return {
    state: s ? stateName(s, now) : 'closed',
    consecutive_failures: s?.consecutiveFailures ?? 0,
    slow_level: s?.slowLevel ?? 0,
    paused_until: paused ? iso(s.pausedUntil) : null,
    pause_reason: paused ? s.pauseReason : null,
    opened_at: s && s.circuit !== 'closed' ? iso(s.openedAt) : null,
    next_probe_at: s && s.circuit !== 'closed' ? iso(s.nextProbeAt) : null,
  };
}

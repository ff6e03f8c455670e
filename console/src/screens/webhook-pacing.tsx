import type { WebhookHealth } from '../api/client';
import { Field } from '../components/field';
import { dateTime } from '../format';

type Endpoint = WebhookHealth['endpoint'];

/** The webhook's `rate_limit_per_second` in its form: empty is unlimited. */
export function RateLimitField(props: {
  value: string;
  error?: string;
  onInput: (value: string) => void;
}) {
  return (
    <Field
      id="rate_limit_per_second"
      label="Rate limit (deliveries per second)"
      hint="Leave empty for no limit; retries, redeliveries and test sends count too"
      error={props.error}
    >
      {(aria) => (
        <input
          {...aria}
          inputMode="numeric"
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

const LABELS: Record<Endpoint['state'], string> = {
  closed: 'Normal',
  paused: 'Paused',
  slowed: 'Slowed down',
  open: 'Circuit open',
  half_open: 'Circuit half-open (probing)',
};

/** What the endpoint's pacing is doing: normal, paused until…, slowed, circuit open or probing. */
export function EndpointPacing(props: { endpoint?: Endpoint; rate: number | null }) {
  const e = props.endpoint;
  const rate = props.rate === null ? 'no rate limit' : `at most ${props.rate}/s`;
  if (!e || e.state === 'closed') return <span>Normal, {rate}</span>;
  const until =
    e.state === 'paused' && e.paused_until
      ? ` until ${dateTime(e.paused_until)}`
      : e.next_probe_at && (e.state === 'open' || e.state === 'half_open')
        ? `, next probe ${dateTime(e.next_probe_at)}`
        : '';
  return (
    <span class="warn">
      {LABELS[e.state]}
      {until}
      {e.pause_reason && e.state === 'paused' ? ` (${e.pause_reason})` : ''}
      {e.consecutive_failures > 0 ? `; ${e.consecutive_failures} failures in a row` : ''}, {rate}
    </span>
  );
}

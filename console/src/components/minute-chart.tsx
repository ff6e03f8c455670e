import type { MinuteBucket } from '../api/client';

const WIDTH = 600;
const HEIGHT = 140;
const PAD_BOTTOM = 18;

/** Stacked bars, one per minute: succeeded (green) under failed (red) under pending (grey). */
export function MinuteChart(props: { buckets: MinuteBucket[] }) {
  const { buckets } = props;
  const totals = buckets.reduce(
    (t, b) => ({
      succeeded: t.succeeded + b.succeeded,
      failed: t.failed + b.failed,
      pending: t.pending + b.pending,
    }),
    { succeeded: 0, failed: 0, pending: 0 },
  );
  const max = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed + b.pending));
  const slot = WIDTH / Math.max(1, buckets.length);
  const barWidth = Math.max(1, slot - 2);
  const plot = HEIGHT - PAD_BOTTOM;
  const scale = (n: number) => (n / max) * (plot - 4);
  const label = `Deliveries per minute over the last hour: ${totals.succeeded} succeeded, ${totals.failed} failed, ${totals.pending} pending`;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={label}
        preserveAspectRatio="none"
      >
        <title>{label}</title>
        <line x1="0" y1={plot} x2={WIDTH} y2={plot} class="axis" />
        {buckets.map((b, i) => {
          const x = i * slot + 1;
          const s = scale(b.succeeded);
          const f = scale(b.failed);
          const p = scale(b.pending);
          return (
            <g key={b.minute}>
              <title>{`${b.minute.slice(11, 16)} UTC: ${b.succeeded} succeeded, ${b.failed} failed, ${b.pending} pending`}</title>
              {s > 0 && (
                <rect x={x} y={plot - s} width={barWidth} height={s} class="bar-succeeded" />
              )}
              {f > 0 && (
                <rect x={x} y={plot - s - f} width={barWidth} height={f} class="bar-failed" />
              )}
              {p > 0 && (
                <rect x={x} y={plot - s - f - p} width={barWidth} height={p} class="bar-pending" />
              )}
            </g>
          );
        })}
        <text x="0" y={HEIGHT - 4} class="tick">
          {buckets[0]?.minute.slice(11, 16)} UTC
        </text>
        <text x={WIDTH} y={HEIGHT - 4} class="tick end">
          now
        </text>
        <text x="2" y="12" class="tick">
          {max}/min
        </text>
      </svg>
      <figcaption>
        <span class="key key-succeeded">{totals.succeeded} succeeded</span>
        <span class="key key-failed">{totals.failed} failed</span>
        <span class="key key-pending">{totals.pending} pending</span>
      </figcaption>
    </figure>
  );
}

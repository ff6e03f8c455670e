const LABELS: Record<string, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  pending: 'Pending',
};

export function StatusBadge(props: { status: string; code?: number | null }) {
  return (
    <span class={`badge badge-${props.status}`}>
      {LABELS[props.status] ?? props.status}
      {props.code ? ` · ${props.code}` : ''}
    </span>
  );
}

/** Previous / next page buttons and where the list stands, for a `{page, total_pages, total}` meta. */
export function Pager(props: {
  meta: { page: number; total_pages: number; total: number };
  noun: string;
  go: (page: number) => void;
}) {
  const { meta, noun, go } = props;
  if (meta.total_pages <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button
        type="button"
        class="secondary"
        disabled={meta.page <= 1}
        onClick={() => go(meta.page - 1)}
      >
        Previous page
      </button>
      <span>
        Page {meta.page} of {meta.total_pages} ({meta.total} {noun})
      </span>
      <button
        type="button"
        class="secondary"
        disabled={meta.page >= meta.total_pages}
        onClick={() => go(meta.page + 1)}
      >
        Next page
      </button>
    </nav>
  );
}

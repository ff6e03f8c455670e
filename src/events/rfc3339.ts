/** RFC 3339 UTC with whole seconds, as in the usage guide: `2024-01-15T10:30:00Z`. */
export function toRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

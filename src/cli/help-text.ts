/**
 * A command's description: its summary, the one line `homa --help` lists, then paragraphs for its own
 * `--help` (commander wraps them to the terminal).
 */
export function helpText(summary: string, ...paragraphs: string[]): string {
  return [summary, ...paragraphs].join('\n\n');
}

/** The summary line of a description made by helpText. */
export function summaryOf(description: string): string {
  return description.split('\n')[0];
}

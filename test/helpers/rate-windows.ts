/** The most requests received in any window of `ms` (times sorted), for the rate limit's tests. */
export function maxInWindow(times: number[], ms = 1000): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= ms) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Messages between the server's main thread and its delivery thread. */
export type ThreadMessage =
  | { type: 'wake' }
  | { type: 'stop' }
  | { type: 'ready' }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

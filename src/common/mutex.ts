import { AsyncResource } from 'node:async_hooks';

export type Priority = 'foreground' | 'background';

/**
 * Runs tasks one at a time. Foreground tasks (a request waiting on them) go before background ones
 * (delivery bookkeeping), so a burst of deliveries never queues ahead of an API request. Each task
 * runs in its caller's async context (AsyncLocalStorage, e.g. who is acting for the audit log), not in
 * that of the task before it, which is what starts it.
 */
export class Mutex {
  private readonly queues: Record<Priority, (() => void)[]> = { foreground: [], background: [] };
  private busy = false;

  run<T>(task: () => Promise<T>, priority: Priority = 'foreground'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        task()
          .then(resolve, reject)
          .finally(() => this.next());
      };
      if (this.busy) {
        // Binding costs a few microseconds (Node builds a deprecation getter per bound function): only
        // a task that has to wait needs it.
        this.queues[priority].push(AsyncResource.bind(start));
        return;
      }
      this.busy = true;
      start();
    });
  }

  private next(): void {
    const start = this.queues.foreground.shift() ?? this.queues.background.shift();
    this.busy = start !== undefined;
    start?.();
  }
}

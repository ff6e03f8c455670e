import { AsyncResource } from 'node:async_hooks';

export type Priority = 'foreground' | 'background';

/** A task in the queue: the group runner calls it and settles it. */
export interface QueuedTask<A> {
  /** Runs the task in its caller's async context. */
  call: (arg: A) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs tasks one group at a time. Foreground tasks (a request waiting on them) go before background
 * ones (delivery bookkeeping), so a burst of deliveries never queues ahead of an API request; the
 * foreground tasks waiting when a group starts make up that group (at most `maxGroup`, in order), and a
 * background task is a group of its own. `runGroup` runs a group's tasks and settles each; if it
 * throws, every task of the group still unsettled fails with its error. Each task runs in its caller's
 * async context (AsyncLocalStorage, e.g. who is acting for the audit log), not in that of the task
 * before it, which is what starts it.
 */
export class WriteQueue<A> {
  private readonly queues: Record<Priority, QueuedTask<A>[]> = { foreground: [], background: [] };
  private busy = false;

  constructor(
    private readonly runGroup: (group: QueuedTask<A>[]) => Promise<void>,
    private readonly maxGroup: number,
  ) {}

  run<T>(task: (arg: A) => Promise<T>, priority: Priority = 'foreground'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Binding costs a few microseconds (Node builds a deprecation getter per bound function): only
      // a task that has to wait needs it.
      const call = this.busy ? AsyncResource.bind(task) : task;
      this.queues[priority].push({ call, resolve: resolve as (value: unknown) => void, reject });
      if (!this.busy) this.next();
    });
  }

  private next(): void {
    const group =
      this.queues.foreground.length > 0
        ? this.queues.foreground.splice(0, this.maxGroup)
        : this.queues.background.splice(0, 1);
    this.busy = group.length > 0;
    if (!this.busy) return;
    this.runGroup(group)
      .catch((error: unknown) => {
        for (const task of group) task.reject(error);
      })
      .finally(() => this.next());
  }
}

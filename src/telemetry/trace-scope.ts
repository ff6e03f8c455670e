import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceContext } from './trace-context';

const storage = new AsyncLocalStorage<TraceContext>();

/**
 * Runs `work` in a trace: the events it records (however deep in the services) carry that trace, so
 * no service passes it down by hand. The context is the span of the request or CLI run.
 */
export function inTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

/** The trace of the request or CLI run in progress, if any. */
export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

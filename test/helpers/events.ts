import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DomainEvent } from '../../src/events/domain-event';
import { DOMAIN_EVENT_NAMES } from '../../src/events/event-catalog';
import type { TestApp } from './test-app';

export interface RecordedEvent {
  name: string;
  data: Record<string, unknown>;
}

/** Records every domain event the app publishes, in order. */
export function recordEvents(t: TestApp) {
  const seen: RecordedEvent[] = [];
  const emitter = t.get(EventEmitter2);
  const domain = new Set<string>(DOMAIN_EVENT_NAMES);
  const listener = (name: string | string[], event: DomainEvent) => {
    // The emitter also carries in-process notices (the pipeline's, the webhook settings'): not domain events.
    if (!domain.has(String(name))) return;
    seen.push({ name: String(name), data: event.data as Record<string, unknown> });
  };
  emitter.onAny(listener);
  return {
    seen,
    /** Events since the last take(), once the emitter has had a tick to publish. */
    take: async (): Promise<RecordedEvent[]> => {
      await new Promise((r) => setImmediate(r));
      return seen.splice(0);
    },
    stop: () => emitter.offAny(listener),
  };
}

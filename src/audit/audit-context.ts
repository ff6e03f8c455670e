import { AsyncLocalStorage } from 'node:async_hooks';
import type { ActorType } from './entities/audit-log-entry.entity';

export interface Actor {
  type: ActorType;
  userId?: string | null;
  email?: string | null;
  apiKeyId?: string | null;
}

/** Who is acting and from where, for the request or CLI run in progress. */
export interface AuditContext {
  /** Read when an entry is written (a request's user is known only once its guards have run). */
  actor(): Actor;
  ip: string | null;
}

export const CLI_ACTOR: Actor = { type: 'cli' };
/** Code that acts outside any request or CLI run (e.g. a test calling a service directly). */
export const SYSTEM_ACTOR: Actor = { type: 'system' };

const storage = new AsyncLocalStorage<AuditContext>();

/**
 * Runs `work` as the given actor: every audit entry written while it runs (however deep in the
 * services) names that actor and IP, so no service needs them passed down by hand.
 */
export function actingAs<T>(context: AuditContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentAuditContext(): AuditContext | undefined {
  return storage.getStore();
}

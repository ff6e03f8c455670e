import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AuditInterceptor } from './audit.interceptor';

export const AUDITED = 'homa:audited';

export interface AuditedOptions {
  /** e.g. `webhook.update`; a function picks it from the request (e.g. enable vs. update). */
  action: string | ((request: { body?: unknown }) => string);
  targetType: string;
  /** Where the target's id is: a route parameter, or the `id` of the answer (for creates). */
  targetFrom: 'param' | 'result';
  /** Record the names of the body's fields (never their values). */
  fields?: boolean;
}

/** Records the action in the audit trail once the handler has succeeded. */
export function Audited(options: AuditedOptions) {
  return applyDecorators(SetMetadata(AUDITED, options), UseInterceptors(AuditInterceptor));
}

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, Observable, switchMap } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/guards/auth.guard';
import { Actor, AuditService } from './audit.service';
import { AUDITED, AuditedOptions } from './audited.decorator';

export function actorOf(request: Partial<AuthenticatedRequest>): Actor {
  if (!request.user) return { type: 'anonymous' };
  return {
    type: request.apiKeyId ? 'api_key' : 'user',
    userId: request.user.id,
    email: request.user.email,
    apiKeyId: request.apiKeyId ?? null,
  };
}

function targetIdOf(
  options: AuditedOptions,
  request: AuthenticatedRequest,
  result: unknown,
): string | null {
  if (options.targetFrom === 'param') {
    const id: unknown = request.params?.id;
    return typeof id === 'string' ? id : null;
  }
  const id = (result as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

/** The names of the body's fields (never their values). */
function bodyFields(body: unknown): string[] {
  return typeof body === 'object' && body !== null ? Object.keys(body).sort() : [];
}

/** Writes one audit entry after a successful `@Audited` handler; failed requests change nothing and are not recorded. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<AuditedOptions | undefined>(AUDITED, context.getHandler());
    if (!options) return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return next.handle().pipe(
      switchMap((result: unknown) =>
        from(
          this.audit
            .record({
              actor: actorOf(request),
              action:
                typeof options.action === 'function' ? options.action(request) : options.action,
              targetType: options.targetType,
              targetId: targetIdOf(options, request, result),
              ip: request.ip ?? null,
              details: options.fields ? { fields: bodyFields(request.body) } : null,
            })
            .then(() => result),
        ),
      ),
    );
  }
}

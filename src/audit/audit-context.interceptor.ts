import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/guards/auth.guard';
import { Actor, actingAs } from './audit-context';

export function actorOf(request: Partial<AuthenticatedRequest>): Actor {
  if (!request.user) return { type: 'anonymous' };
  return {
    type: request.apiKeyId ? 'api_key' : 'user',
    userId: request.user.id,
    email: request.user.email,
    apiKeyId: request.apiKeyId ?? null,
  };
}

/**
 * Runs every HTTP handler as its request's actor (the signed-in user or API key) and IP, so the audit
 * entries its services write inside their transactions say who acted and from where.
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Nest binds the handler to the async context in which handle() is called.
    return actingAs({ actor: () => actorOf(request), ip: request.ip ?? null }, () => next.handle());
  }
}

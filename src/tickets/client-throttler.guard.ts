import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/** One budget per client IP across the whole client API, rather than one per route. */
@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    throttlerName: string,
  ): string {
    return `client-api:${throttlerName}:${tracker}`;
  }
}

import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { AuthGuard, AuthenticatedRequest } from './auth.guard';

/** A signed-in, active user with role `admin`. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly authGuard: AuthGuard) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authGuard.canActivate(context);
    const { user } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (user.role !== 'admin') throw new ForbiddenException('This route requires an admin');
    return true;
  }
}

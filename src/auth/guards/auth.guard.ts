import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { AuthService, JwtSession } from '../auth.service';
import type { User } from '../entities/user.entity';

export interface AuthenticatedRequest extends Request {
  user: User;
  /** The API key the request was made with; null with a JWT. */
  apiKeyId: string | null;
  /** The JWT the request was made with; null with an API key. */
  session: JwtSession | null;
}

export function bearerToken(request: Request): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Any signed-in, active user: `Authorization: Bearer <jwt | homa_ key>`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request);
    if (!token)
      throw new UnauthorizedException('Missing bearer token (Authorization: Bearer <token>)');
    const { user, apiKeyId, session } = await this.auth.authenticateBearer(token);
    request.user = user;
    request.apiKeyId = apiKeyId;
    request.session = session;
    return true;
  }
}

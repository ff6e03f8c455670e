import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { Env } from '../config/env.validation';
import { ApiKeysService, isApiKey } from './api-keys.service';
import { PublicUser, toPublicUser, User } from './entities/user.entity';
import { dummyPasswordHash, verifyPassword } from './password-hasher';
import { Sessions } from './sessions';
import { UsersService } from './users.service';

export interface LoginResult {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: PublicUser;
}

/** What Homa signs into a JWT: the user, the user's token version, the token's own id. */
interface JwtClaims {
  sub: string;
  ver: number;
  jti: string;
  exp?: number;
}

/** The JWT a request was signed in with (null for an API key): what sign-out revokes. */
export interface JwtSession {
  jti: string;
  expiresAt: Date;
}

export interface Authenticated {
  user: User;
  apiKeyId: string | null;
  session: JwtSession | null;
}

const INVALID_CREDENTIALS = 'Invalid email or password';

@Injectable()
export class AuthService {
  private readonly expiresIn: number;

  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly sessions: Sessions,
    private readonly jwt: JwtService,
    config: ConfigService<Env, true>,
  ) {
    this.expiresIn = config.get('JWT_EXPIRES_IN_SECONDS', { infer: true });
  }

  async login(email: string, password: string): Promise<LoginResult> {
    const user = await this.users.findWithPasswordHash(email);
    // Verify against a dummy hash for unknown emails so the answer takes as long either way.
    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
    if (!user || !ok) throw new UnauthorizedException(INVALID_CREDENTIALS);
    if (user.status !== 'active') throw new UnauthorizedException(INVALID_CREDENTIALS);
    const claims: JwtClaims = { sub: user.id, ver: user.token_version, jti: randomUUID() };
    const access_token = await this.jwt.signAsync(claims, { expiresIn: this.expiresIn });
    return {
      access_token,
      token_type: 'Bearer',
      expires_in: this.expiresIn,
      user: toPublicUser(user),
    };
  }

  /**
   * The active user behind a bearer token (JWT or `homa_` API key), the API key's id and the JWT's
   * session, or an UnauthorizedException.
   */
  async authenticateBearer(token: string): Promise<Authenticated> {
    const found = isApiKey(token)
      ? await this.apiKeys
          .authenticateKey(token)
          .then((k) =>
            k ? { user: k.user, apiKeyId: k.keyId, session: null, ended: false } : null,
          )
      : await this.fromJwt(token);
    if (!found) throw new UnauthorizedException('Invalid or expired credentials');
    if (found.user.status !== 'active') throw new UnauthorizedException('This account is blocked');
    if (found.ended) throw new UnauthorizedException('This session has ended: sign in again');
    return { user: found.user, apiKeyId: found.apiKeyId, session: found.session };
  }

  /** Ends the session a JWT belongs to: the token is refused from now on. */
  logout(user: User, session: JwtSession): Promise<void> {
    return this.sessions.revoke(user.id, session);
  }

  /**
   * A JWT is good while its signature holds, it has not expired (a token without `exp` never
   * would, so it is refused), and its session has not ended: it was signed at the user's current
   * token version, and has not been signed out.
   */
  private async fromJwt(token: string): Promise<(Authenticated & { ended: boolean }) | null> {
    let claims: JwtClaims;
    try {
      claims = await this.jwt.verifyAsync<JwtClaims>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    const { sub, ver, jti, exp } = claims;
    if (typeof sub !== 'string' || typeof ver !== 'number' || typeof jti !== 'string') return null;
    if (typeof exp !== 'number') return null;
    const [user, revoked] = await Promise.all([
      this.users.findById(sub),
      this.sessions.isRevoked(jti),
    ]);
    if (!user) return null;
    const session = { jti, expiresAt: new Date(exp * 1000) };
    return { user, apiKeyId: null, session, ended: revoked || user.token_version !== ver };
  }
}

import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { Env } from '../config/env.validation';
import { ApiKeysService, isApiKey } from './api-keys.service';
import { PublicUser, toPublicUser, User } from './entities/user.entity';
import { dummyPasswordHash, verifyPassword } from './password-hasher';
import { UsersService } from './users.service';

export interface LoginResult {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: PublicUser;
}

interface JwtClaims {
  sub: string;
}

const INVALID_CREDENTIALS = 'Invalid email or password';

@Injectable()
export class AuthService {
  private readonly expiresIn: number;

  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
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
    const access_token = await this.jwt.signAsync({ sub: user.id } satisfies JwtClaims, {
      expiresIn: this.expiresIn,
    });
    return {
      access_token,
      token_type: 'Bearer',
      expires_in: this.expiresIn,
      user: toPublicUser(user),
    };
  }

  /**
   * The active user behind a bearer token (JWT or `homa_` API key) and the API key's id (null for a
   * JWT), or an UnauthorizedException.
   */
  async authenticateBearer(token: string): Promise<{ user: User; apiKeyId: string | null }> {
    const found = isApiKey(token)
      ? await this.apiKeys.authenticateKey(token)
      : await this.userFromJwt(token).then((user) => (user ? { user, keyId: null } : null));
    if (!found) throw new UnauthorizedException('Invalid or expired credentials');
    if (found.user.status !== 'active') throw new UnauthorizedException('This account is blocked');
    return { user: found.user, apiKeyId: found.keyId };
  }

  private async userFromJwt(token: string): Promise<User | null> {
    let claims: JwtClaims;
    try {
      claims = await this.jwt.verifyAsync<JwtClaims>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    return typeof claims.sub === 'string' ? this.users.findById(claims.sub) : null;
  }
}

import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Logger,
  Param,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { uuidParam } from '../common/params';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service';
import { AuthService } from './auth.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { LoginDto } from './dto/login.dto';
import type { User } from './entities/user.entity';
import type { AuthenticatedRequest } from './guards/auth.guard';
import { CurrentUser, SignedIn } from './guards/decorators';
import { LoginLimiter, TooManyLoginsException } from './login-limiter';
import { normaliseEmail } from './users.service';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  private readonly logger = new Logger(AuthController.name);

  constructor(
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
    private readonly limiter: LoginLimiter,
    private readonly audit: AuditService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for a JWT' })
  @ApiOkResponse({ description: '`{access_token, token_type, expires_in, user}`' })
  @ApiUnauthorizedResponse({
    description: 'Invalid email or password (the same answer whether or not the email exists)',
  })
  @ApiTooManyRequestsResponse({
    description:
      'Too many failed logins for this account or from this IP (`Retry-After` says when to try again)',
  })
  async login(
    @Body() body: LoginDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const ip = req.ip ?? 'unknown';
    const keys = await this.limiter.keysFor(body.email, ip);
    try {
      await this.limiter.assertAllowed(keys);
    } catch (error) {
      if (error instanceof TooManyLoginsException) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
        await this.recordLogin('auth.login_refused', body.email, ip);
      }
      throw error;
    }
    try {
      const result = await this.auth.login(body.email, body.password);
      await this.limiter.recordSuccess(keys);
      return result;
    } catch (error) {
      if (error instanceof UnauthorizedException) {
        await this.limiter.recordFailure(keys);
        await this.recordLogin('auth.login_failed', body.email, ip);
      }
      throw error;
    }
  }

  /**
   * A wrong password (`auth.login_failed`) or a login refused by the limits (`auth.login_refused`, each
   * one): the email tried and the IP, never the password. A failure to record is logged and the
   * answer stays the 401 or 429, so that the audit table cannot turn a refusal into a 500.
   */
  private async recordLogin(
    action: 'auth.login_failed' | 'auth.login_refused',
    email: string,
    ip: string,
  ): Promise<void> {
    try {
      await this.audit.recordAlone({
        actor: { type: 'anonymous', email: normaliseEmail(email).slice(0, 255) },
        action,
        targetType: 'user',
        ip,
      });
    } catch (error) {
      this.logger.error(`Recording audit entry ${action} failed: ${(error as Error).message}`);
    }
  }

  @Post('logout')
  @SignedIn()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out: the JWT this request carries is refused from now on',
  })
  @ApiBadRequestResponse({
    description:
      'The request carries an API key, not a session: revoke it with DELETE /api-keys/:id',
  })
  async logout(@Req() req: AuthenticatedRequest): Promise<void> {
    if (!req.session)
      throw new BadRequestException(
        'An API key is not a session: revoke it with DELETE /api/auth/api-keys/:id',
      );
    await this.auth.logout(req.user, req.session);
  }

  @Get('me')
  @SignedIn()
  @ApiOperation({ summary: 'The signed-in user' })
  me(@CurrentUser() user: User) {
    const { id, email, name, role, status } = user;
    return { id, email, name, role, status };
  }

  @Post('api-keys')
  @SignedIn()
  @ApiOperation({ summary: 'Create an API key; the key is shown once, in this answer' })
  @ApiCreatedResponse({ description: '`{id, name, key_prefix, created_at, expires_at, key}`' })
  createApiKey(@CurrentUser() user: User, @Body() body: CreateApiKeyDto) {
    return this.apiKeys.create(user.id, body.name, body.expires_at);
  }

  @Get('api-keys')
  @SignedIn()
  @ApiOperation({ summary: "The signed-in user's API keys (never the keys themselves)" })
  listApiKeys(@CurrentUser() user: User) {
    return this.apiKeys.list(user.id);
  }

  @Delete('api-keys/:id')
  @SignedIn()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  async revokeApiKey(@CurrentUser() user: User, @Param('id', uuidParam()) id: string) {
    await this.apiKeys.revoke(user.id, id);
  }
}

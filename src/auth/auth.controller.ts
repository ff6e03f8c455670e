import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { uuidParam } from '../common/params';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service';
import { AuthService } from './auth.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { LoginDto } from './dto/login.dto';
import type { User } from './entities/user.entity';
import { CurrentUser, SignedIn } from './guards/decorators';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for a JWT' })
  @ApiOkResponse({ description: '`{access_token, token_type, expires_in, user}`' })
  @ApiUnauthorizedResponse({
    description: 'Invalid email or password (the same answer whether or not the email exists)',
  })
  login(@Body() body: LoginDto) {
    return this.auth.login(body.email, body.password);
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
  @ApiCreatedResponse({ description: '`{id, name, key_prefix, created_at, key}`' })
  createApiKey(@CurrentUser() user: User, @Body() body: CreateApiKeyDto) {
    return this.apiKeys.create(user.id, body.name);
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

import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { uuidParam } from '../common/params';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../common/dto/page.dto';
import { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { AdminOnly } from './guards/decorators';
import { UsersService } from './users.service';

@ApiTags('admin: users')
@AdminOnly()
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users (never their password hashes)' })
  list(@Query() query: PageQueryDto) {
    return this.users.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Create an agent or admin' })
  create(@Body() body: CreateUserDto) {
    return this.users.create({ ...body, role: body.role ?? 'agent' });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user' })
  get(@Param('id', uuidParam()) id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's name, role, status or password" })
  update(@Param('id', uuidParam()) id: string, @Body() body: UpdateUserDto) {
    return this.users.update(id, body);
  }
}

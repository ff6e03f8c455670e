import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../auth/guards/decorators';
import { PageQueryDto } from '../common/dto/page.dto';
import { intParam } from '../common/params';
import { DepartmentsService } from './departments.service';
import {
  CreateDepartmentDto,
  DepartmentPageResponseDto,
  DepartmentResponseDto,
  UpdateDepartmentDto,
} from './dto/department.dto';

const INVALID = { description: 'A field is invalid; `details` names it' };
const TAKEN = { description: 'Another department has this name' };
const MISSING = { description: 'No such department' };

@ApiTags('admin: departments')
@AdminOnly()
@Controller('api/admin/departments')
export class AdminDepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Get()
  @ApiOperation({ summary: 'List departments, by name' })
  @ApiOkResponse({ type: DepartmentPageResponseDto })
  list(@Query() query: PageQueryDto) {
    return this.departments.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a department' })
  @ApiCreatedResponse({ type: DepartmentResponseDto })
  @ApiBadRequestResponse(INVALID)
  @ApiConflictResponse(TAKEN)
  create(@Body() body: CreateDepartmentDto) {
    return this.departments.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One department' })
  @ApiOkResponse({ type: DepartmentResponseDto })
  @ApiNotFoundResponse(MISSING)
  get(@Param('id', intParam()) id: number) {
    return this.departments.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename or describe a department' })
  @ApiOkResponse({ type: DepartmentResponseDto })
  @ApiBadRequestResponse(INVALID)
  @ApiConflictResponse(TAKEN)
  @ApiNotFoundResponse(MISSING)
  update(@Param('id', intParam()) id: number, @Body() body: UpdateDepartmentDto) {
    return this.departments.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a department; its tickets keep no department' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse(MISSING)
  async remove(@Param('id', intParam()) id: number) {
    await this.departments.remove(id);
  }
}

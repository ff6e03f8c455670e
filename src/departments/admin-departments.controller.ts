import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/guards/decorators';
import { PageQueryDto } from '../common/pagination';
import { intParam } from '../common/params';
import { DepartmentsService } from './departments.service';
import { CreateDepartmentDto, UpdateDepartmentDto } from './dto/department.dto';

@ApiTags('admin: departments')
@AdminOnly()
@Controller('api/admin/departments')
export class AdminDepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Get()
  @ApiOperation({ summary: 'List departments' })
  list(@Query() query: PageQueryDto) {
    return this.departments.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a department' })
  create(@Body() body: CreateDepartmentDto) {
    return this.departments.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One department' })
  get(@Param('id', intParam()) id: number) {
    return this.departments.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename or describe a department' })
  update(@Param('id', intParam()) id: number, @Body() body: UpdateDepartmentDto) {
    return this.departments.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a department; its tickets keep no department' })
  async remove(@Param('id', intParam()) id: number) {
    await this.departments.remove(id);
  }
}

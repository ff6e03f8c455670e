import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { AdminDepartmentsController } from './admin-departments.controller';
import { DepartmentsService } from './departments.service';
import { Department } from './entities/department.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Department]), AuthModule],
  controllers: [AdminDepartmentsController],
  providers: [DepartmentsService],
})
export class DepartmentsModule {}

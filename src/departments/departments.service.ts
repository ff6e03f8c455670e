import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, Repository } from 'typeorm';
import { Page, PageQuery, skipFor, toPage } from '../common/pagination';
import { fieldError } from '../common/validation';
import { TransactionService } from '../database/transaction.service';
import { CreateDepartmentDto, UpdateDepartmentDto } from './dto/department.dto';
import { Department } from './entities/department.entity';

function nameTaken(name: string): ConflictException {
  return new ConflictException({
    message: `name: a department named ${name} already exists`,
    details: [{ field: 'name', errors: ['already exists'] }],
  });
}

function blankName(): BadRequestException {
  return fieldError('name', 'should not be empty');
}

@Injectable()
export class DepartmentsService {
  constructor(
    @InjectRepository(Department) private readonly departments: Repository<Department>,
    private readonly tx: TransactionService,
  ) {}

  async list(query: PageQuery): Promise<Page<Department>> {
    const [rows, total] = await this.departments.findAndCount({
      order: { name: 'ASC' },
      skip: skipFor(query),
      take: query.limit,
    });
    return toPage(rows, total, query);
  }

  async get(id: number): Promise<Department> {
    const department = await this.departments.findOneBy({ id });
    if (!department) throw new NotFoundException(`Department ${id} not found`);
    return department;
  }

  create(input: CreateDepartmentDto): Promise<Department> {
    const name = input.name.trim();
    if (!name) return Promise.reject(blankName());
    return this.tx.run(async (m) => {
      if (await m.existsBy(Department, { name })) throw nameTaken(name);
      return m.save(m.create(Department, { name, description: input.description ?? null }));
    });
  }

  update(id: number, input: UpdateDepartmentDto): Promise<Department> {
    const name = input.name?.trim();
    if (name === '') return Promise.reject(blankName());
    return this.tx.run(async (m) => {
      const current = await m.findOneBy(Department, { id });
      if (!current) throw new NotFoundException(`Department ${id} not found`);
      if (name && (await m.existsBy(Department, { name, id: Not(id) }))) throw nameTaken(name);
      const changes: Partial<Department> = {};
      if (name) changes.name = name;
      if (input.description !== undefined) changes.description = input.description;
      if (Object.keys(changes).length > 0) await m.update(Department, { id }, changes);
      return { ...current, ...changes };
    });
  }

  /** Tickets of a deleted department keep existing, without a department. */
  async remove(id: number): Promise<void> {
    const result = await this.tx.run((m) => m.delete(Department, { id }));
    if (!result.affected) throw new NotFoundException(`Department ${id} not found`);
  }
}

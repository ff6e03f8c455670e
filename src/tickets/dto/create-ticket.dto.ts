import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto } from '../../common/dto/page.dto';
import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type TicketPriority,
  type TicketStatus,
} from '../entities/ticket.entity';

/** The usage guide's body, plus optional `client_id` and `department_id`. */
export class CreateTicketDto {
  @ApiPropertyOptional({
    example: 'Test Ticket',
    maxLength: 255,
    description: "Defaults to the message's first line",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  title?: string;

  @ApiPropertyOptional({ example: 'John Doe', description: 'Required unless client_id is given' })
  @ValidateIf((o: CreateTicketDto) => o.client_id === undefined || o.client_name !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  client_name?: string;

  @ApiPropertyOptional({
    example: 'john@example.com',
    description: 'Required unless client_id is given; the client is found by it or created',
  })
  @ValidateIf((o: CreateTicketDto) => o.client_id === undefined || o.client_email !== undefined)
  @IsEmail()
  @MaxLength(255)
  client_email?: string;

  @ApiPropertyOptional({
    example: 'c4ae2903-1127-4229-9e20-3225990af447',
    description: 'An existing client',
  })
  @IsOptional()
  @IsUUID()
  client_id?: string;

  @ApiPropertyOptional({ enum: TICKET_STATUSES, default: 'new' })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, default: 'medium' })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @ApiPropertyOptional({ example: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  department_id?: number;

  @ApiProperty({ example: 'This is a test ticket', maxLength: 65535 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(65535)
  message: string;
}

export class MessageDto {
  @ApiProperty({ example: 'Any update on this?', maxLength: 65535 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(65535)
  body: string;
}

export class UpdateTicketDto {
  @ApiPropertyOptional({ example: 'Login fails on mobile', maxLength: 255 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  title?: string;

  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @ApiPropertyOptional({ example: 5, nullable: true, description: 'null removes the department' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  department_id?: number | null;
}

export class AssignTicketDto {
  @ApiProperty({
    example: '5f0c6f5e-8d1a-4c35-9a5e-6b2f1e7d9c11',
    nullable: true,
    description: 'null unassigns',
  })
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  user_id: string | null;
}

export class ListTicketsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  department_id?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  assigned_user_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  client_id?: string;
}

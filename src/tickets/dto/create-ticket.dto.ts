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
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { MAX_INT_ID, PageQueryDto } from '../../common/dto/page.dto';
import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type TicketPriority,
  type TicketStatus,
} from '../entities/ticket.entity';

/** The only status an anonymous caller may give: the usage guide's body sends it. */
const PUBLIC_STATUSES = ['new'] as const;

/** The usage guide's body, plus an optional `department_id`. */
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

  @ApiProperty({
    example: 'John Doe',
    maxLength: 255,
    description:
      "Kept on the ticket as given; an existing client's own name is never changed from here",
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  client_name: string;

  @ApiProperty({
    example: 'john@example.com',
    maxLength: 255,
    description: 'The client is found by it (letter case aside) or created',
  })
  @IsEmail()
  @MaxLength(255)
  client_email: string;

  @ApiPropertyOptional({
    enum: PUBLIC_STATUSES,
    default: 'new',
    description: 'A ticket opened here starts as `new`; agents change its status',
  })
  @IsOptional()
  @IsIn(PUBLIC_STATUSES, {
    message: 'status must be new: a ticket opened here starts as new (agents change it)',
  })
  status?: (typeof PUBLIC_STATUSES)[number];

  @ApiPropertyOptional({ enum: TICKET_PRIORITIES, default: 'medium' })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @ApiPropertyOptional({ example: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
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
  @Max(MAX_INT_ID)
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
  @Max(MAX_INT_ID)
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

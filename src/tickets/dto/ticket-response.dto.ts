import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/dto/page.dto';
import { AUTHOR_TYPES, type AuthorType } from '../entities/ticket-message.entity';
import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type TicketPriority,
  type TicketStatus,
} from '../entities/ticket.entity';

/** Response shapes, for the OpenAPI document only: the services return plain objects of these shapes. */
export class TicketResponseDto {
  @ApiProperty({ example: 123 })
  id: number;

  @ApiProperty({ example: 'Test Ticket' })
  title: string;

  @ApiProperty({ example: 'c4ae2903-1127-4229-9e20-3225990af447' })
  client_id: string;

  @ApiProperty({
    example: 'John Doe',
    nullable: true,
    type: String,
    description: "The name the ticket was opened under (the client's own name may differ)",
  })
  client_name: string | null;

  @ApiProperty({ example: 5, nullable: true, type: Number })
  department_id: number | null;

  @ApiProperty({ example: 'web' })
  channel_id: string;

  @ApiProperty({ enum: TICKET_STATUSES, example: 'new' })
  status: TicketStatus;

  @ApiProperty({ enum: TICKET_PRIORITIES, example: 'medium' })
  priority: TicketPriority;

  @ApiProperty({ example: null, nullable: true, type: String, format: 'uuid' })
  assigned_user_id: string | null;

  @ApiProperty({ example: null, nullable: true, type: String, format: 'date-time' })
  closed_at: string | null;

  @ApiProperty({ example: '2024-01-15T10:30:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: '2024-01-15T10:30:00.000Z', format: 'date-time' })
  updated_at: string;
}

export class TicketClientDto {
  @ApiProperty({ example: 'c4ae2903-1127-4229-9e20-3225990af447' })
  id: string;

  @ApiProperty({ example: 'John Doe' })
  name: string;

  @ApiProperty({ example: 'john@example.com', nullable: true, type: String })
  email: string | null;
}

export class TicketMessageResponseDto {
  @ApiProperty({ example: 987 })
  id: number;

  @ApiProperty({ example: 123 })
  ticket_id: number;

  @ApiProperty({ enum: AUTHOR_TYPES, example: 'client' })
  author_type: AuthorType;

  @ApiProperty({
    example: 'c4ae2903-1127-4229-9e20-3225990af447',
    nullable: true,
    type: String,
    description: 'The client id for a client, the user id for an agent',
  })
  author_id: string | null;

  @ApiProperty({ example: 'This is a test ticket' })
  body: string;

  @ApiProperty({ example: '2024-01-15T10:30:00.000Z', format: 'date-time' })
  created_at: string;
}

export class TicketDetailResponseDto extends TicketResponseDto {
  @ApiProperty({ type: TicketClientDto, nullable: true })
  client: TicketClientDto | null;

  @ApiProperty({ type: [TicketMessageResponseDto], description: 'Oldest first' })
  messages: TicketMessageResponseDto[];
}

export class TicketPageResponseDto {
  @ApiProperty({ type: [TicketResponseDto] })
  data: TicketResponseDto[];

  @ApiProperty({ type: PageMetaDto })
  meta: PageMetaDto;
}

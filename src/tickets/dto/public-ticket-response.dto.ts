import { ApiProperty, OmitType } from '@nestjs/swagger';
import { TicketMessageResponseDto, TicketResponseDto } from './ticket-response.dto';

/** The public API's shapes: no client's or user's id (a ticket without them, messages without their authors'). */
export class PublicTicketResponseDto extends OmitType(TicketResponseDto, [
  'client_id',
  'assigned_user_id',
] as const) {}

export class CreatedPublicTicketResponseDto extends PublicTicketResponseDto {
  @ApiProperty({
    example: 'q2VxZl7mY1d3n0Jx8cB5tKpW4rGh6sUa',
    description:
      'Shown once: send it as X-Ticket-Secret to follow the ticket up. Only its hash is kept.',
  })
  secret: string;
}

export class PublicMessageResponseDto extends OmitType(TicketMessageResponseDto, [
  'author_id',
] as const) {}

export class PublicTicketClientDto {
  @ApiProperty({
    example: 'John Doe',
    nullable: true,
    type: String,
    description: 'The name the ticket was opened under',
  })
  name: string | null;

  @ApiProperty({ example: 'john@example.com', nullable: true, type: String })
  email: string | null;
}

export class PublicTicketDetailResponseDto extends PublicTicketResponseDto {
  @ApiProperty({ type: PublicTicketClientDto })
  client: PublicTicketClientDto;

  @ApiProperty({ type: [PublicMessageResponseDto], description: 'Oldest first' })
  messages: PublicMessageResponseDto[];
}

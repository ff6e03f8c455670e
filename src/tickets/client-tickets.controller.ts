import { Body, Controller, Get, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { ClientThrottlerGuard } from './client-throttler.guard';
import { intParam } from '../common/params';
import { CreateTicketDto, MessageDto } from './dto/create-ticket.dto';
import { TicketMessagesService } from './ticket-messages.service';
import { TicketsService } from './tickets.service';

const SECRET_HEADER = {
  name: 'X-Ticket-Secret',
  required: true,
  description: 'The secret answered when the ticket was created',
};

/** The public API for clients: no account, rate-limited per IP; follow-ups need the ticket's secret. */
@ApiTags('client tickets')
@UseGuards(ClientThrottlerGuard)
@ApiTooManyRequestsResponse({
  description: 'Rate limit exceeded (CLIENT_RATE_LIMIT per CLIENT_RATE_TTL_SECONDS, per IP)',
})
@Controller('api/client/tickets')
export class ClientTicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly messages: TicketMessagesService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Open a ticket (the usage guide body); the client is found by email or created',
  })
  @ApiCreatedResponse({ description: 'The ticket and a one-time `secret` for following it up' })
  create(@Body() body: CreateTicketDto) {
    return this.tickets.create(body);
  }

  @Get(':id')
  @ApiHeader(SECRET_HEADER)
  @ApiOperation({ summary: 'The ticket with its messages' })
  @ApiNotFoundResponse({ description: 'No such ticket, or a wrong or missing secret' })
  async get(@Param('id', intParam()) id: number, @Headers('x-ticket-secret') secret?: string) {
    await this.tickets.authorizeClient(id, secret);
    return this.tickets.get(id);
  }

  @Post(':id/messages')
  @ApiHeader(SECRET_HEADER)
  @ApiOperation({ summary: 'Reply on the ticket' })
  @ApiNotFoundResponse({ description: 'No such ticket, or a wrong or missing secret' })
  async reply(
    @Param('id', intParam()) id: number,
    @Body() body: MessageDto,
    @Headers('x-ticket-secret') secret?: string,
  ) {
    await this.tickets.authorizeClient(id, secret);
    const ticket = await this.tickets.get(id);
    return this.messages.add(id, 'client', ticket.client_id, body.body);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiHeader(SECRET_HEADER)
  @ApiOperation({ summary: 'Close the ticket (closing a closed ticket changes nothing)' })
  @ApiNotFoundResponse({ description: 'No such ticket, or a wrong or missing secret' })
  async close(@Param('id', intParam()) id: number, @Headers('x-ticket-secret') secret?: string) {
    await this.tickets.authorizeClient(id, secret);
    return this.tickets.close(id);
  }
}

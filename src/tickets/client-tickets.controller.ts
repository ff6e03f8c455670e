import {
  Body,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Get,
  HttpCode,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { ClientThrottlerGuard } from './client-throttler.guard';
import { intParam } from '../common/params';
import { CreateTicketDto, MessageDto } from './dto/create-ticket.dto';
import {
  CreatedPublicTicketResponseDto,
  PublicMessageResponseDto,
  PublicTicketDetailResponseDto,
  PublicTicketResponseDto,
} from './dto/public-ticket-response.dto';
import { toPublicDetail, toPublicMessage, toPublicTicket } from './public-ticket-view';
import { TicketMessagesService } from './ticket-messages.service';
import { TicketsService } from './tickets.service';

const SECRET_HEADER = {
  name: 'X-Ticket-Secret',
  required: true,
  description: 'The secret answered when the ticket was created',
};
/** The X-Ticket-Secret header (documented once, by @ApiHeader, rather than again by @Headers). */
const TicketSecret = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const value = ctx.switchToHttp().getRequest<Request>().headers['x-ticket-secret'];
  return typeof value === 'string' ? value : undefined;
});
const HIDDEN = { description: 'No such ticket, or a wrong or missing secret (the same answer)' };

/**
 * The public API for clients: no account, rate-limited per IP; follow-ups need the ticket's secret.
 * Answers never carry a client's or user's id (see public-ticket-view.ts).
 */
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
  @ApiCreatedResponse({
    type: CreatedPublicTicketResponseDto,
    description: 'The ticket and a one-time `secret` for following it up',
  })
  @ApiBadRequestResponse({ description: 'A field is invalid; `details` names it' })
  async create(@Body() body: CreateTicketDto) {
    const { secret, ...ticket } = await this.tickets.create(body);
    return { ...toPublicTicket(ticket), secret };
  }

  @Get(':id')
  @ApiHeader(SECRET_HEADER)
  @ApiOperation({ summary: 'The ticket with its client and messages' })
  @ApiOkResponse({ type: PublicTicketDetailResponseDto })
  @ApiNotFoundResponse(HIDDEN)
  async get(@Param('id', intParam()) id: number, @TicketSecret() secret?: string) {
    await this.tickets.authorizeClient(id, secret);
    return toPublicDetail(await this.tickets.get(id));
  }

  @Post(':id/messages')
  @ApiHeader(SECRET_HEADER)
  @ApiOperation({ summary: 'Reply on the ticket' })
  @ApiCreatedResponse({ type: PublicMessageResponseDto })
  @ApiNotFoundResponse(HIDDEN)
  async reply(
    @Param('id', intParam()) id: number,
    @Body() body: MessageDto,
    @TicketSecret() secret?: string,
  ) {
    const ticket = await this.tickets.authorizeClient(id, secret);
    return toPublicMessage(await this.messages.add(id, 'client', ticket.client_id, body.body));
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiHeader(SECRET_HEADER)
  @ApiOperation({ summary: 'Close the ticket (closing a closed ticket changes nothing)' })
  @ApiOkResponse({ type: PublicTicketResponseDto })
  @ApiNotFoundResponse(HIDDEN)
  async close(@Param('id', intParam()) id: number, @TicketSecret() secret?: string) {
    await this.tickets.authorizeClient(id, secret);
    return toPublicTicket(await this.tickets.close(id));
  }
}

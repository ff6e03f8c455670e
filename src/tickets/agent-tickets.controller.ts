import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { User } from '../auth/entities/user.entity';
import { CurrentUser, SignedIn } from '../auth/guards/decorators';
import { intParam } from '../common/params';
import {
  AssignTicketDto,
  ListTicketsQueryDto,
  MessageDto,
  UpdateTicketDto,
} from './dto/create-ticket.dto';
import {
  TicketDetailResponseDto,
  TicketMessageResponseDto,
  TicketPageResponseDto,
  TicketResponseDto,
} from './dto/ticket-response.dto';
import { TicketMessagesService } from './ticket-messages.service';
import { TicketsService } from './tickets.service';

const INVALID = { description: 'A field is invalid; `details` names it' };
const MISSING = { description: 'No such ticket' };

/** The agents' API: any signed-in user. */
@ApiTags('agent tickets')
@SignedIn()
@Controller('api/agent/tickets')
export class AgentTicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly messages: TicketMessagesService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Tickets, newest first, filtered by status, priority, department, assignee or client',
  })
  @ApiOkResponse({ type: TicketPageResponseDto })
  @ApiBadRequestResponse(INVALID)
  list(@Query() query: ListTicketsQueryDto) {
    return this.tickets.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One ticket with its client and messages' })
  @ApiOkResponse({ type: TicketDetailResponseDto })
  @ApiNotFoundResponse(MISSING)
  get(@Param('id', intParam()) id: number) {
    return this.tickets.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change title, status, priority or department (status `closed` closes the ticket)',
  })
  @ApiOkResponse({ type: TicketResponseDto })
  @ApiBadRequestResponse(INVALID)
  @ApiNotFoundResponse(MISSING)
  update(@Param('id', intParam()) id: number, @Body() body: UpdateTicketDto) {
    return this.tickets.update(id, body);
  }

  @Post(':id/messages')
  @ApiOperation({ summary: 'Reply as the signed-in user' })
  @ApiCreatedResponse({ type: TicketMessageResponseDto })
  @ApiBadRequestResponse(INVALID)
  @ApiNotFoundResponse(MISSING)
  reply(@Param('id', intParam()) id: number, @Body() body: MessageDto, @CurrentUser() user: User) {
    return this.messages.add(id, 'user', user.id, body.body);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign to an active user, or unassign with `{"user_id": null}`' })
  @ApiOkResponse({ type: TicketResponseDto })
  @ApiBadRequestResponse({ description: 'user_id is not a UUID, or not an active user' })
  @ApiNotFoundResponse(MISSING)
  assign(@Param('id', intParam()) id: number, @Body() body: AssignTicketDto) {
    return this.tickets.assign(id, body.user_id);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the ticket (closing a closed ticket changes nothing)' })
  @ApiOkResponse({ type: TicketResponseDto })
  @ApiNotFoundResponse(MISSING)
  close(@Param('id', intParam()) id: number) {
    return this.tickets.close(id);
  }
}

import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { User } from '../auth/entities/user.entity';
import { CurrentUser, SignedIn } from '../auth/guards/decorators';
import { intParam } from '../common/params';
import {
  AssignTicketDto,
  ListTicketsQueryDto,
  MessageDto,
  UpdateTicketDto,
} from './dto/create-ticket.dto';
import { TicketMessagesService } from './ticket-messages.service';
import { TicketsService } from './tickets.service';

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
  list(@Query() query: ListTicketsQueryDto) {
    return this.tickets.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One ticket with its client and messages' })
  get(@Param('id', intParam()) id: number) {
    return this.tickets.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change title, status, priority or department' })
  update(@Param('id', intParam()) id: number, @Body() body: UpdateTicketDto) {
    return this.tickets.update(id, body);
  }

  @Post(':id/messages')
  @ApiOperation({ summary: 'Reply as the signed-in user' })
  reply(@Param('id', intParam()) id: number, @Body() body: MessageDto, @CurrentUser() user: User) {
    return this.messages.add(id, 'user', user.id, body.body);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign to a user, or unassign with `{"user_id": null}`' })
  assign(@Param('id', intParam()) id: number, @Body() body: AssignTicketDto) {
    return this.tickets.assign(id, body.user_id);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the ticket (closing a closed ticket changes nothing)' })
  close(@Param('id', intParam()) id: number) {
    return this.tickets.close(id);
  }
}

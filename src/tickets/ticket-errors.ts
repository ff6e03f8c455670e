import { NotFoundException } from '@nestjs/common';

/** The same answer for a ticket that does not exist and one the caller may not see. */
export function ticketNotFound(id: number): NotFoundException {
  return new NotFoundException(`Ticket ${id} not found`);
}

import { BadRequestException, ParseIntPipe, ParseUUIDPipe } from '@nestjs/common';

function invalid(field: string, expected: string): BadRequestException {
  const error = `${field} must be ${expected}`;
  return new BadRequestException({
    message: `Validation failed: ${error}`,
    details: [{ field, errors: [error] }],
  });
}

/** Route parameter pipes whose errors name the parameter, like body validation does. */
export function uuidParam(field = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => invalid(field, 'a UUID') });
}

export function intParam(field = 'id'): ParseIntPipe {
  return new ParseIntPipe({ exceptionFactory: () => invalid(field, 'an integer') });
}

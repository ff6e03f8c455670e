import { BadRequestException, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { MAX_INT_ID } from './dto/page.dto';

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

/**
 * A whole number that fits the 32-bit id columns: `99999999999999999999` is a 400 naming the
 * parameter, not a query the database refuses with a 500.
 */
export function intParam(field = 'id'): PipeTransform<string, number> {
  return {
    transform(value: string): number {
      if (!/^-?\d+$/.test(value)) throw invalid(field, 'an integer');
      const n = Number(value);
      if (Math.abs(n) > MAX_INT_ID) throw invalid(field, `an integer up to ${MAX_INT_ID}`);
      return n;
    },
  };
}

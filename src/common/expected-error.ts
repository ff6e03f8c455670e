/**
 * An error an operator causes and can fix (a bad setting, a database that does not exist): logged as
 * one line with its fields (the variable, the cause), never with a stack trace.
 */
export class ExpectedError extends Error {
  constructor(
    message: string,
    /** Logged beside the message, e.g. `{ context: 'Config', variables: ['PORT'] }`. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ExpectedError';
  }
}

export function isExpectedError(error: unknown): error is ExpectedError {
  return error instanceof ExpectedError;
}

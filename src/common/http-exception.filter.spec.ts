import { ArgumentsHost, BadRequestException, Logger } from '@nestjs/common';
import { HttpExceptionFilter } from './http-exception.filter';

function hostFor(response: {
  status: jest.Mock;
  json: jest.Mock;
  headersSent: boolean;
}): ArgumentsHost {
  return {
    switchToHttp: () => ({
      getResponse: () => response,
      getRequest: () => ({ method: 'GET', path: '/x' }),
    }),
  } as unknown as ArgumentsHost;
}

describe('HttpExceptionFilter', () => {
  const response = () => {
    const res = { status: jest.fn(), json: jest.fn(), headersSent: false };
    res.status.mockReturnValue(res);
    return res;
  };

  it('turns an unexpected error into a logged 500 with a correlation id and no stack', () => {
    const res = response();
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    new HttpExceptionFilter().catch(new Error('db exploded at /secret/path'), hostFor(res));
    const body = res.json.mock.calls[0][0];
    expect(res.status).toHaveBeenCalledWith(500);
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: expect.stringMatching(/correlation id [0-9a-f-]{36}/),
      details: { correlation_id: expect.any(String) },
    });
    expect(JSON.stringify(body)).not.toMatch(/exploded|secret|at /);
    expect(logged.mock.calls[0][0]).toContain(body.details.correlation_id);
    logged.mockRestore();
  });

  it('keeps the details of a validation error', () => {
    const res = response();
    new HttpExceptionFilter().catch(
      new BadRequestException({ message: 'Validation failed: x', details: [{ field: 'x' }] }),
      hostFor(res),
    );
    expect(res.json).toHaveBeenCalledWith({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Validation failed: x',
      details: [{ field: 'x' }],
    });
  });
});

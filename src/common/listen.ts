import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { ExpectedError } from './expected-error';

/**
 * Listens on `port` (every address, as Node does without a host) and answers the URL it is bound
 * to. A port already taken is an operator's error: it names the variable that set it.
 */
export async function listen(
  app: INestApplication,
  port: number,
  variable: 'PORT' | 'WORKER_PORT',
): Promise<string> {
  try {
    await app.listen(port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES')
      throw new ExpectedError(
        code === 'EADDRINUSE'
          ? `Port ${port} is already in use (${variable}): another process listens on it`
          : `Port ${port} needs privileges this process lacks (${variable})`,
        { context: 'Bootstrap', variables: [variable], cause: code },
      );
    throw error;
  }
  return boundUrl((app.getHttpServer() as { address(): AddressInfo | string | null }).address());
}

/** `http://[::]:8000 (every address)`: where the server really listens. */
export function boundUrl(address: AddressInfo | string | null): string {
  if (address === null) return 'nowhere';
  if (typeof address === 'string') return address;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const every = address.address === '::' || address.address === '0.0.0.0';
  return `http://${host}:${address.port}${every ? ' (every address of this host)' : ''}`;
}

import { HttpException, HttpStatus, Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { Env } from '../config/env.validation';
import { LoginAttemptStore } from './login-attempt-store';

export const LOGIN_ATTEMPT_STORE = Symbol('LOGIN_ATTEMPT_STORE');

/** A 429 whose `Retry-After` says when the window that holds the failures ends. */
export class TooManyLoginsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `Too many failed logins; try again in ${retryAfterSeconds} seconds`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * Failed logins, limited per email and per client IP within a window. The answer is the same whether
 * the email exists or not; a success clears the email's count (not the IP's). API keys never pass here.
 */
@Injectable()
export class LoginLimiter implements OnModuleDestroy {
  private readonly perEmail: number;
  private readonly perIp: number;
  private readonly windowMs: number;

  constructor(
    @Inject(LOGIN_ATTEMPT_STORE) private readonly store: LoginAttemptStore,
    config: ConfigService<Env, true>,
  ) {
    this.perEmail = config.get('LOGIN_MAX_FAILURES', { infer: true });
    this.perIp = config.get('LOGIN_MAX_FAILURES_PER_IP', { infer: true });
    this.windowMs = config.get('LOGIN_FAILURE_WINDOW_SECONDS', { infer: true }) * 1000;
  }

  /** Throws TooManyLoginsException while either the email or the IP is over its limit. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const [byEmail, byIp] = await Promise.all([
      this.store.get(emailKey(email)),
      this.store.get(ipKey(ip)),
    ]);
    const blocked = [
      byEmail.count >= this.perEmail ? byEmail.resetsInMs : 0,
      byIp.count >= this.perIp ? byIp.resetsInMs : 0,
    ];
    const waitMs = Math.max(...blocked);
    if (waitMs > 0) throw new TooManyLoginsException(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.store.fail(emailKey(email), this.windowMs),
      this.store.fail(ipKey(ip), this.windowMs),
    ]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.store.reset(emailKey(email));
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }
}

// Emails are hashed so that Redis holds no address.
function emailKey(email: string): string {
  const normalised = email.trim().toLowerCase();
  return `login:email:${createHash('sha256').update(normalised).digest('hex').slice(0, 32)}`;
}

function ipKey(ip: string): string {
  return `login:ip:${ip}`;
}

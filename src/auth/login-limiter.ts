import { HttpException, HttpStatus, Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';
import { LoginAccountKey } from './login-account-key';
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
 * Failed logins, counted three ways within a window, each keyed on the account an email names (see
 * LoginAccountKey: every spelling the database takes for one email shares its counts):
 * - per client IP and account (LOGIN_MAX_FAILURES): what one guesser meets first;
 * - per account from anywhere (LOGIN_MAX_FAILURES_PER_ACCOUNT, higher): stops a guesser spread over
 *   many IPs, and only such a guesser can lock the account's owner out;
 * - per client IP over all accounts (LOGIN_MAX_FAILURES_PER_IP).
 * The answer is the same whether the account exists or not; a success clears the account's counts
 * (not the IP's). API keys never pass here.
 */
@Injectable()
export class LoginLimiter implements OnModuleDestroy {
  private readonly perPair: number;
  private readonly perAccount: number;
  private readonly perIp: number;
  private readonly windowMs: number;

  constructor(
    @Inject(LOGIN_ATTEMPT_STORE) private readonly store: LoginAttemptStore,
    private readonly accountKey: LoginAccountKey,
    config: ConfigService<Env, true>,
  ) {
    this.perPair = config.get('LOGIN_MAX_FAILURES', { infer: true });
    this.perAccount = config.get('LOGIN_MAX_FAILURES_PER_ACCOUNT', { infer: true });
    this.perIp = config.get('LOGIN_MAX_FAILURES_PER_IP', { infer: true });
    this.windowMs = config.get('LOGIN_FAILURE_WINDOW_SECONDS', { infer: true }) * 1000;
  }

  /** The counts' keys for a login attempt: work them out once per request. */
  async keysFor(email: string, ip: string): Promise<LoginKeys> {
    const account = await this.accountKey.of(email);
    return {
      pair: `login:pair:${ip}:${account}`,
      account: `login:account:${account}`,
      ip: `login:ip:${ip}`,
    };
  }

  /** Throws TooManyLoginsException while any of the three counts is at its limit. */
  async assertAllowed(keys: LoginKeys): Promise<void> {
    const [pair, account, ip] = await Promise.all([
      this.store.get(keys.pair),
      this.store.get(keys.account),
      this.store.get(keys.ip),
    ]);
    const blocked = [
      pair.count >= this.perPair ? pair.resetsInMs : 0,
      account.count >= this.perAccount ? account.resetsInMs : 0,
      ip.count >= this.perIp ? ip.resetsInMs : 0,
    ];
    const waitMs = Math.max(...blocked);
    if (waitMs > 0) throw new TooManyLoginsException(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  async recordFailure(keys: LoginKeys): Promise<void> {
    await Promise.all(
      [keys.pair, keys.account, keys.ip].map((key) => this.store.fail(key, this.windowMs)),
    );
  }

  async recordSuccess(keys: LoginKeys): Promise<void> {
    await Promise.all([this.store.reset(keys.pair), this.store.reset(keys.account)]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }
}

export interface LoginKeys {
  pair: string;
  account: string;
  ip: string;
}

import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { IssuerMismatchError, JwksError, messageOf } from '../errors/jwks-errors.js';
import { RepeatLog } from '../logging/repeat-log.js';
import { Clock } from '../time/clock.js';
import type { AuthFailure } from './refusal.js';

/**
 * The log of refused requests, one per JwksModule: per issuer (or "untrusted issuers") and code, the
 * first refusal at once and then one line a minute with the count, each naming the status the
 * client received. A client's bad token is `verbose`; an error we did not expect, or one of the
 * application's own `validate()`, is `error`.
 */
@Injectable()
export class AuthFailureLog implements OnModuleDestroy {
  private readonly log: RepeatLog;

  constructor(clock: Clock) {
    this.log = new RepeatLog(new Logger('JwtAuthGuard'), clock);
  }

  refused(error: unknown, failure: AuthFailure): void {
    const answer = `${failure.status} ${failure.code}`;
    if (!(error instanceof JwksError)) {
      this.log.note('unexpected', {
        level: 'error',
        first: () =>
          `Unexpected error while authenticating, answered ${answer}: ${messageOf(error)}`,
        repeats: (count, seconds) =>
          `${count} more unexpected errors while authenticating, answered ${answer}, in the last ${seconds} s`,
      });
      return;
    }
    const from = issuerLabelOf(error);
    this.log.note(`${failure.code} ${from}`, {
      level: 'verbose',
      first: () => `Refused a request with ${answer}: ${error.message}`,
      repeats: (count, seconds) =>
        `Refused ${count} more requests with ${answer} (${from}) in the last ${seconds} s`,
    });
  }

  /** An error of the application's own `validate()`, passed on to its exception filters. */
  applicationFailed(error: Error): void {
    this.log.note('validate', {
      level: 'error',
      first: () =>
        `validate() threw ${error.name}, passed on to the application's exception filters (not a token error): ${error.message}`,
      repeats: (count, seconds) =>
        `validate() threw ${count} more errors, passed on to the application's exception filters, in the last ${seconds} s`,
    });
  }

  onModuleDestroy(): void {
    this.log.flush();
  }
}

/** Whose tokens these are, for grouping: a configured issuer, never a value an attacker chose. */
function issuerLabelOf(error: JwksError): string {
  if (error.code === 'ISSUER_UNTRUSTED') return 'untrusted issuers';
  if (error instanceof IssuerMismatchError) return `tokens of ${error.expected}`;
  const issuer = (error as { issuer?: unknown }).issuer;
  return typeof issuer === 'string' ? `tokens of ${issuer}` : 'tokens';
}

import type { Logger } from '@nestjs/common';
import { ERROR_ANSWERS, JwksError, messageOf } from '../errors/jwks-errors.js';

/**
 * Logs the state changes of each issuer's document source once, not once per request: a failure
 * streak starting (with the URL, the cause, and what the issuer's tokens get meanwhile), and its end.
 */
export class ProviderHealthLog {
  private readonly failing = new Set<string>();

  constructor(
    private readonly logger: Logger,
    /** What the document is to a reader: "keys", "metadata". */
    private readonly noun: string,
  ) {}

  failed(issuer: string, error: unknown, servingStale: boolean): void {
    if (this.failing.has(issuer)) return;
    this.failing.add(issuer);
    const code = error instanceof JwksError ? error.code : undefined;
    const cause = `${messageOf(error)}${code === undefined ? '' : ` [${code}]`}`;
    if (servingStale) {
      this.logger.warn(
        `${cause}; serving the last known ${this.noun} of ${issuer} until it recovers`,
      );
    } else {
      const status = code === undefined ? 503 : ERROR_ANSWERS[code].status;
      this.logger.error(`${cause}; no usable ${this.noun} for ${issuer}: its tokens get ${status}`);
    }
  }

  /** Forgets `issuer`'s streak without a word (its documents were dropped). */
  forget(issuer: string): void {
    this.failing.delete(issuer);
  }

  recovered(issuer: string): void {
    if (!this.failing.delete(issuer)) return;
    const subject = `${this.noun[0]!.toUpperCase()}${this.noun.slice(1)} of ${issuer}`;
    this.logger.log(`${subject} ${this.noun.endsWith('s') ? 'are' : 'is'} being fetched again`);
  }
}

import type { Logger } from '@nestjs/common';
import { JwksError } from '../errors/jwks.error.js';
import type { KeySet } from './key-set.js';
import { messageOf } from '../errors/to-error.js';

/**
 * Logs the state changes of each issuer's key source once, not once per request: a failure streak
 * starting (with the URL and cause), its end, keys that appear, and keys that cannot be used.
 */
export class ProviderHealthLog {
  private readonly failing = new Set<string>();

  constructor(private readonly logger: Logger) {}

  failed(issuer: string, error: unknown, servingStale: boolean): void {
    if (this.failing.has(issuer)) return;
    this.failing.add(issuer);
    const cause = messageOf(error);
    const code = error instanceof JwksError ? ` [${error.code}]` : '';
    if (servingStale) {
      this.logger.warn(
        `${cause}${code}; serving the last known keys of ${issuer} until it recovers`,
      );
    } else {
      this.logger.error(`${cause}${code}; no usable keys for ${issuer}: its tokens get 503`);
    }
  }

  recovered(issuer: string): void {
    if (this.failing.delete(issuer)) this.logger.log(`Keys of ${issuer} are being fetched again`);
  }

  /** Names the keys new to this set and the entries it had to skip, compared with the previous set. */
  announce(issuer: string, keys: KeySet, previous: KeySet | undefined): void {
    const known = new Set(previous?.keys.map((key) => key.kid));
    const added = keys.keys
      .filter((key) => !known.has(key.kid))
      .map((key) => key.kid ?? '(no kid)');
    if (added.length > 0) this.logger.log(`Imported keys ${added.join(', ')} of ${issuer}`);
    const skippedBefore = new Set(previous?.skipped.map((entry) => `${entry.kid}:${entry.reason}`));
    for (const entry of keys.skipped) {
      if (skippedBefore.has(`${entry.kid}:${entry.reason}`)) continue;
      this.logger.warn(`Skipped key ${entry.kid ?? '(no kid)'} of ${issuer}: ${entry.reason}`);
    }
  }
}

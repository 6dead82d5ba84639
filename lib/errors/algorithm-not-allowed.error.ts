import { JwksError } from './jwks.error.js';

/** The token's `alg` is not in the allow-list (`none` and HS* never are). */
export class AlgorithmNotAllowedError extends JwksError {
  constructor(
    readonly alg: string,
    readonly allowed: readonly string[],
  ) {
    super('ALG_NOT_ALLOWED', `Algorithm ${alg} is not allowed; allowed: ${allowed.join(', ')}`);
  }
}

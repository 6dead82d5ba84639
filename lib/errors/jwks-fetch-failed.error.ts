import { JwksError, type JwksErrorOptions } from './jwks.error.js';

/**
 * A metadata or JWKS document could not be fetched (network error, timeout, HTTP error status, body
 * too large, insecure redirect). Answered with 503 when no usable cached key exists.
 */
export class JwksFetchFailedError extends JwksError {
  constructor(
    readonly uri: string,
    readonly reason: string,
    options?: JwksErrorOptions & { document?: 'JWKS' | 'metadata' | 'identity' },
  ) {
    super(
      'JWKS_FETCH_FAILED',
      `Unable to fetch ${options?.document ?? 'JWKS'} from ${uri}: ${reason}`,
      options,
    );
  }
}

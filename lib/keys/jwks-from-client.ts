import { createPublicKey } from 'node:crypto';
import { JwksFetchFailedError } from '../errors/jwks-fetch-failed.error.js';
import { messageOf } from '../errors/to-error.js';
import { DeadlineExceeded, waitAtMost } from '../http/with-deadline.js';
import type { JwksClientLike } from './jwks-client-like.interface.js';

/** The source named in messages and logs for keys from a jwks-rsa client. */
export const JWKS_CLIENT_SOURCE = 'jwks-rsa JwksClient';

/**
 * A JWKS document made of the keys a jwks-rsa client hands out (PEM), so they go through every rule
 * of the library's own import (size, curve, ROCA, ...) like keys it fetched itself. The client's
 * call is bounded by `timeoutMs` here, whatever its own settings.
 * @throws JwksFetchFailedError (`JWKS_FETCH_FAILED`) when the client fails or takes too long.
 */
export async function jwksFromClient(client: JwksClientLike, timeoutMs: number): Promise<unknown> {
  let keys;
  try {
    keys = await waitAtMost(timeoutMs, client.getSigningKeys());
  } catch (error) {
    const reason = error instanceof DeadlineExceeded ? error.message : messageOf(error);
    throw new JwksFetchFailedError(JWKS_CLIENT_SOURCE, reason, { cause: error });
  }
  return {
    keys: keys.map((key) => ({
      ...createPublicKey(key.getPublicKey()).export({ format: 'jwk' }),
      ...(key.kid === undefined ? {} : { kid: key.kid }),
      ...(key.alg === undefined ? {} : { alg: key.alg }),
    })),
  };
}

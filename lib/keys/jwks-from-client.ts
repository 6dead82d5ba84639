import { createPublicKey } from 'node:crypto';
import { JwksFetchFailedError, messageOf } from '../errors/jwks-errors.js';
import { DeadlineExceeded, waitAtMost } from '../http/with-deadline.js';
import type { JwksClientLike } from '../options/jwks-module-options.interface.js';

/** The source named in messages and logs for keys from a jwks-rsa client. */
export const JWKS_CLIENT_SOURCE = 'jwks-rsa JwksClient';

/**
 * A JWKS document made of the keys a jwks-rsa client hands out (PEM), so they go through every rule
 * of the library's own import (size, curve, ROCA, ...) like keys it fetched itself. The client's
 * call is bounded by `timeoutMs` here, whatever its own settings.
 * @throws JwksFetchFailedError (`JWKS_FETCH_FAILED`) when the client fails or takes too long.
 */
export async function jwksFromClient(client: JwksClientLike, timeoutMs: number): Promise<unknown> {
  let keys: unknown;
  try {
    keys = await waitAtMost(timeoutMs, client.getSigningKeys());
  } catch (error) {
    const reason = error instanceof DeadlineExceeded ? error.message : messageOf(error);
    throw new JwksFetchFailedError(JWKS_CLIENT_SOURCE, reason, { cause: error });
  }
  if (!Array.isArray(keys)) {
    throw new JwksFetchFailedError(JWKS_CLIENT_SOURCE, 'getSigningKeys() gave no array of keys');
  }
  return { keys: keys.map(toJwk) };
}

/**
 * One key as a JWK. One the client hands out that is no public key we can read becomes a JWK
 * without `kty`, which the import skips and counts like any unusable key: the others still serve.
 */
function toJwk(key: { kid?: unknown; alg?: unknown; getPublicKey?: unknown }): object {
  const named = {
    ...(typeof key.kid === 'string' ? { kid: key.kid } : {}),
    ...(typeof key.alg === 'string' ? { alg: key.alg } : {}),
  };
  try {
    const pem = (key.getPublicKey as () => string)();
    return { ...createPublicKey(pem).export({ format: 'jwk' }), ...named };
  } catch {
    return named;
  }
}

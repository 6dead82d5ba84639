import { AlgorithmNotAllowedError } from '../errors/algorithm-not-allowed.error.js';
import { TokenMalformedError } from '../errors/token-malformed.error.js';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';
import type { JoseHeader } from './jwt.types.js';

const MAX_KID_LENGTH = 1024;

/**
 * Header rules that hold whatever the issuer: `alg` from the allow-list (so `none` and HS* never
 * reach key selection, RFC 8725 §3.1), a string `kid`, no `crit` extension we do not implement
 * (RFC 7515 §4.1.11 requires rejecting them) and no unencoded payload (RFC 7797 `b64: false`).
 * `jwk`, `jku`, `x5u` and `x5c` are never read: keys come only from the configured issuer's JWKS.
 * @throws AlgorithmNotAllowedError, TokenMalformedError
 */
export function checkHeader(
  header: JoseHeader,
  allowed: ReadonlySet<JwsAlgorithm>,
  allowedList: readonly string[],
): JwsAlgorithm {
  const { alg, kid, crit } = header;
  if (typeof alg !== 'string')
    throw new TokenMalformedError('header alg is missing or not a string');
  if (!allowed.has(alg as JwsAlgorithm)) throw new AlgorithmNotAllowedError(alg, allowedList);
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > MAX_KID_LENGTH)) {
    throw new TokenMalformedError(
      `header kid must be a string of at most ${MAX_KID_LENGTH} characters`,
    );
  }
  if (crit !== undefined)
    throw new TokenMalformedError('header crit names extensions this verifier does not implement');
  if (header.b64 !== undefined && header.b64 !== true) {
    throw new TokenMalformedError('unencoded payloads (b64: false) are not accepted');
  }
  return alg as JwsAlgorithm;
}

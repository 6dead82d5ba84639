import { IssuerUntrustedError } from '../errors/issuer-untrusted.error.js';
import { TypeInvalidError } from '../errors/type-invalid.error.js';
import { requireIssuerAlgorithm } from '../issuers/require-issuer-algorithm.js';
import type { IssuerMatch } from '../issuers/issuer-match.interface.js';
import type { JoseHeader, JwtPayload } from '../jws/jwt.types.js';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';
import type { ResolvedIssuer } from '../options/resolved-jwks-options.js';
import { normalizeTyp } from '../options/resolve-issuer-options.js';
import { checkClaims } from './check-claims.js';

/**
 * The matched issuer's rules on the header, before any key is looked up: its own algorithms, its
 * `typ`. One place for the verifier and for `secretOrKeyProvider()`, so both paths hold a token to
 * the same rules.
 * @throws AlgorithmNotAllowedError, TypeInvalidError
 */
export function checkIssuerHeader(
  config: ResolvedIssuer,
  header: JoseHeader,
  alg: JwsAlgorithm,
): void {
  requireIssuerAlgorithm(config, alg);
  if (
    config.typ !== undefined &&
    !(typeof header.typ === 'string' && normalizeTyp(header.typ) === config.typ)
  ) {
    throw new TypeInvalidError(config.issuer, config.typ, header.typ);
  }
}

/**
 * The matched issuer's rules on the claims: a tenant's token must be that tenant's own, then
 * times, audience, `azp`, expected and required claims.
 * @throws IssuerUntrustedError, and what `checkClaims` throws.
 */
export function checkIssuerClaims(
  match: IssuerMatch,
  payload: JwtPayload,
  now: number,
  toleranceMs: number,
): void {
  const { config, tenant } = match;
  if (tenant !== undefined && payload[config.tenant.claim] !== tenant) {
    throw new IssuerUntrustedError(payload.iss);
  }
  checkClaims(payload, config, now, toleranceMs);
}

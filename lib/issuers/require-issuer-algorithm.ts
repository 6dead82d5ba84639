import { AlgorithmNotAllowedError } from '../errors/algorithm-not-allowed.error.js';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';
import type { ResolvedIssuer } from '../options/resolved-jwks-options.js';

/**
 * Refuses an `alg` outside the issuer's own allow-list: each issuer signs with what it signs with,
 * whatever the others of the module allow.
 * @throws AlgorithmNotAllowedError (`ALG_NOT_ALLOWED`)
 */
export function requireIssuerAlgorithm(config: ResolvedIssuer, alg: JwsAlgorithm): void {
  if (!config.algorithms.has(alg)) throw new AlgorithmNotAllowedError(alg, config.algorithmList);
}

import type { JwsAlgorithm } from '../options/jws-algorithms.js';
import type { ImportedKey } from './imported-key.interface.js';

const REQUIRED: Readonly<Record<JwsAlgorithm, { kty: ImportedKey['kty']; crv?: string }>> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

/**
 * Why `key` must not verify a token signed with `alg`, or `undefined` when it may. Pinning the key
 * type and curve to the algorithm is what defeats algorithm confusion (RFC 8725 §3.1): the token's
 * header never gets to choose how a key is used.
 */
export function algorithmMismatch(
  alg: JwsAlgorithm,
  key: Pick<ImportedKey, 'kty' | 'crv' | 'alg'>,
): string | undefined {
  if (key.alg !== undefined && key.alg !== alg)
    return `the key is for ${key.alg}, the token uses ${alg}`;
  const required = REQUIRED[alg];
  if (key.kty !== required.kty) return `${alg} needs a ${required.kty} key, not ${key.kty}`;
  if (required.crv !== undefined && key.crv !== required.crv) {
    return `${alg} needs curve ${required.crv}, not ${key.crv ?? 'none'}`;
  }
  return undefined;
}

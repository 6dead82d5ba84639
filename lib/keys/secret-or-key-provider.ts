import type { KeyObject } from 'node:crypto';
import { checkHeader, decodeJwt } from '../jws/decode-jws.js';
import type { TrustedIssuers } from '../issuers/trusted-issuers.js';
import { type JwsAlgorithm, requireSignature } from '../jws/algorithms.js';
import type { ResolvedJwksOptions } from '../options/module-options.js';
import type { Clock } from '../time/clock.js';
import { checkIssuerClaims, checkIssuerHeader, refuseBound } from '../issuers/issuer-rules.js';
import { type ImportedKey } from './import-jwk.js';

/**
 * passport-jwt's `secretOrKeyProvider` signature, without a dependency on its types. The key is
 * handed over as PEM, the only key form its types accept (as jwks-rsa's `passportJwtSecret` does).
 */
export type SecretOrKeyProvider = (
  request: unknown,
  rawJwtToken: string,
  done: (error: Error | null, secretOrKey?: string) => void,
) => void;

/** What finding a token's key needs from the module. */
export interface KeyLookup {
  readonly options: ResolvedJwksOptions;
  readonly issuers: TrustedIssuers;
  readonly clock: Clock;
  getKey(
    issuer: string,
    kid: string | undefined,
    alg: JwsAlgorithm,
  ): Promise<readonly ImportedKey[]>;
}

/**
 * The key that should verify `token`, chosen as the verifier chooses it: the header's rules, a
 * trusted `iss` (never a fetch for another), that issuer's rules on the header and the claims
 * (`exp` required, audience, `azp`, `typ`, tenant, expected claims: passport-jwt knows none of
 * them), the key by `kid` from the cached set. The claims are read before the signature is
 * checked, which is sound: passport-jwt then verifies these very bytes with the key, or refuses.
 * Under a duplicated kid the verifier tries each candidate; passport-jwt takes one key, so it gets
 * the one whose signature verifies (one candidate is handed over unchecked: passport-jwt checks it).
 * @returns the key as PEM (SPKI).
 * @throws JwksError with a stable code: the token gets no key.
 */
export async function keyForToken(token: string, lookup: KeyLookup): Promise<string> {
  const { options, issuers } = lookup;
  const { header, payload, signingInput, signature } = decodeJwt(token, options.maxTokenLength);
  const alg = checkHeader(header, options.acceptedAlgorithms);
  const found = issuers.match(payload.iss);
  const match = found instanceof Promise ? await found : found;
  const { issuer } = match.config;
  checkIssuerHeader(match.config, header, alg);
  checkIssuerClaims(match, payload, lookup.clock.now(), options.clockToleranceMs);
  // passport-jwt has no request to check a DPoP proof or a certificate against.
  refuseBound(payload, options);
  const keys = await lookup.getKey(issuer, header.kid, alg);
  const key =
    keys.length === 1
      ? keys[0]!.key
      : requireSignature(alg, keys, signingInput, signature, issuer, header.kid);
  return pemOf(key);
}

// Exported once per key, not per request: a key set lives for minutes.
const pems = new WeakMap<KeyObject, string>();

function pemOf(key: KeyObject): string {
  let pem = pems.get(key);
  if (pem === undefined) {
    pem = key.export({ type: 'spki', format: 'pem' }) as string;
    pems.set(key, pem);
  }
  return pem;
}

import { hash } from 'node:crypto';
import { DpopProofInvalidError, JwksError } from '../errors/jwks-errors.js';
import { algorithmMismatch, verifySignature, type JwsAlgorithm } from '../jws/algorithms.js';
import { checkHeader, decodeJwt } from '../jws/decode-jws.js';
import type { JoseHeader } from '../jws/jwt.types.js';
import { importJwk, type ImportedKey } from '../keys/import-jwk.js';
import { normalizeTyp } from '../options/issuer-options.js';

/** What a proof must match: the request it came with, and the module's rules. */
export interface ProofExpectation {
  readonly method: string;
  /** The request URI without query and fragment, on the configured origin (never from `Host`). */
  readonly htu: string;
  readonly accessToken: string;
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  readonly maxAgeMs: number;
  readonly toleranceMs: number;
  readonly now: number;
  /** Whether the proof's `nonce` is one the server gave out; absent when nonces are off. */
  readonly nonceValid?: (nonce: unknown) => boolean;
}

/** A proof that holds: the RFC 7638 thumbprint of its key, its `jti` and when it was made. */
export interface CheckedProof {
  readonly thumbprint: string;
  readonly jti: string;
  readonly iat: number;
}

/** Longest proof read: a header with an RSA key and a few claims fits well within it. */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

// A client signs its proofs with one key: the header (and its `jwk`) repeats, and decodeJwt hands
// back the same frozen header object for the same segment, so each key is imported once.
const keys = new WeakMap<JoseHeader, ImportedKey | string>();

/**
 * Checks a DPoP proof as RFC 9449 §4.3 says: a compact JWS of type `dpop+jwt`, signed with an
 * allowed asymmetric algorithm by the public `jwk` of its header (no private members, the library's
 * key rules), whose claims name this request (`htm`, `htu`), were made within `maxAgeMs` (`iat`),
 * carry a `jti`, and hash the access token (`ath`, §7). Replays are checked by the caller, with the
 * `jti` and thumbprint returned.
 * @throws DpopProofInvalidError
 */
export function checkDpopProof(proof: string, expect: ProofExpectation): CheckedProof {
  const { header, payload, signingInput, signature } = decode(proof);
  if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== 'dpop+jwt') {
    throw invalid('typ is not dpop+jwt');
  }
  const alg = allowedAlgorithm(header, expect.algorithms);
  const key = keyOf(header);
  const mismatch = algorithmMismatch(alg, key);
  if (mismatch !== undefined) throw invalid(`its jwk does not fit ${alg}: ${mismatch}`);
  if (!verifySignature(alg, key.key, signingInput, signature)) throw invalid('bad signature');
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
    throw invalid('jti missing or too long');
  }
  if (htm !== expect.method) throw invalid('htm is not the request method');
  // The usual proof names the URI exactly as it is compared: parsed only when it does not.
  if (htu !== expect.htu && (typeof htu !== 'string' || normalizedUri(htu) !== expect.htu)) {
    throw invalid('htu is not the request URI');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('iat missing');
  const age = expect.now - iat * 1000;
  if (age > expect.maxAgeMs + expect.toleranceMs || age < -expect.toleranceMs) {
    throw invalid('iat outside the accepted window');
  }
  if (ath !== accessTokenHash(expect.accessToken))
    throw invalid('ath is not the hash of the token');
  if (expect.nonceValid !== undefined && !expect.nonceValid(nonce)) {
    throw new DpopProofInvalidError('the nonce is missing or stale', true);
  }
  return { thumbprint: key.thumbprint, jti, iat };
}

/**
 * A request URI as `htu` compares it (RFC 9449 §4.3: without query and fragment; RFC 3986 §6:
 * scheme and host in lower case, no default port), or `undefined` when it is not an absolute URL.
 */
export function normalizedUri(uri: string): string | undefined {
  const url = URL.parse(uri);
  return url === null ? undefined : `${url.origin}${url.pathname}`;
}

/** `ath` (RFC 9449 §4.2): base64url of the SHA-256 of the access token's ASCII. */
function accessTokenHash(token: string): string {
  // One-shot: a third cheaper than createHash per call. The token is ASCII (decodeJws checked).
  return hash('sha256', token, 'base64url');
}

function decode(proof: string) {
  try {
    return decodeJwt(proof, MAX_PROOF_LENGTH);
  } catch (error) {
    throw invalid(error instanceof JwksError ? error.message : 'not a compact JWS');
  }
}

function allowedAlgorithm(header: JoseHeader, algorithms: ReadonlySet<JwsAlgorithm>): JwsAlgorithm {
  try {
    return checkHeader(header, algorithms);
  } catch (error) {
    throw invalid(error instanceof JwksError ? error.message : 'a header it does not accept');
  }
}

function keyOf(header: JoseHeader): ImportedKey {
  let known = keys.get(header);
  if (known === undefined) {
    const imported = importJwk(header.jwk);
    known = 'key' in imported ? imported.key : `its jwk is refused: ${imported.skipped}`;
    keys.set(header, known);
  }
  if (typeof known === 'string') throw invalid(known);
  return known;
}

function invalid(reason: string): DpopProofInvalidError {
  return new DpopProofInvalidError(reason);
}

import {
  constants,
  sign,
  verify,
  type KeyObject,
  type SignKeyObjectInput,
  type VerifyKeyObjectInput,
} from 'node:crypto';
import { SignatureInvalidError } from '../errors/jwks-errors.js';

/** The asymmetric JWS algorithms nestjs-jwks verifies (RFC 7518 §3, RFC 8037). HS* and `none` never are. */
export type JwsAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** What an algorithm asks of a key, and how `crypto` signs and verifies with it (RFC 7518 §3). */
interface Algorithm {
  readonly kty: 'RSA' | 'EC' | 'OKP';
  readonly crv?: string;
  /** The digest; none for EdDSA, which hashes itself. */
  readonly hash: string | null;
  readonly padding?: number;
  /** ECDSA: the exact length of the raw r||s signature (RFC 7518 §3.4); DER is refused. */
  readonly rawLength?: number;
}

const PKCS1 = constants.RSA_PKCS1_PADDING;
const PSS = constants.RSA_PKCS1_PSS_PADDING;
/** RFC 7518 §3.5: a PSS salt as long as the digest. */
const SALT = constants.RSA_PSS_SALTLEN_DIGEST;
const RAW = 'ieee-p1363';

const ALGORITHMS: Readonly<Record<JwsAlgorithm, Algorithm>> = {
  RS256: { kty: 'RSA', hash: 'sha256', padding: PKCS1 },
  RS384: { kty: 'RSA', hash: 'sha384', padding: PKCS1 },
  RS512: { kty: 'RSA', hash: 'sha512', padding: PKCS1 },
  PS256: { kty: 'RSA', hash: 'sha256', padding: PSS },
  PS384: { kty: 'RSA', hash: 'sha384', padding: PSS },
  PS512: { kty: 'RSA', hash: 'sha512', padding: PSS },
  ES256: { kty: 'EC', crv: 'P-256', hash: 'sha256', rawLength: 64 },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'sha384', rawLength: 96 },
  ES512: { kty: 'EC', crv: 'P-521', hash: 'sha512', rawLength: 132 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', hash: null },
};

/** Every {@link JwsAlgorithm}, in the order of RFC 7518. */
export const JWS_ALGORITHMS = Object.freeze(Object.keys(ALGORITHMS) as JwsAlgorithm[]);

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && Object.hasOwn(ALGORITHMS, value);
}

/** What `algorithmMismatch` reads of a key: its type, curve and JWK `alg`, if any. */
export interface KeyShape {
  readonly kty: Algorithm['kty'];
  readonly crv: string | undefined;
  readonly alg: string | undefined;
}

/**
 * Why `key` must not verify a token signed with `alg`, or `undefined` when it may. Pinning the key
 * type and curve to the algorithm is what defeats algorithm confusion (RFC 8725 §3.1): the token's
 * header never gets to choose how a key is used.
 */
export function algorithmMismatch(alg: JwsAlgorithm, key: KeyShape): string | undefined {
  if (key.alg !== undefined && key.alg !== alg)
    return `the key is for ${key.alg}, the token uses ${alg}`;
  const required = ALGORITHMS[alg];
  if (key.kty !== required.kty) return `${alg} needs a ${required.kty} key, not ${key.kty}`;
  if (required.crv !== undefined && key.crv !== required.crv) {
    return `${alg} needs curve ${required.crv}, not ${key.crv ?? 'none'}`;
  }
  return undefined;
}

/**
 * What `crypto.sign` and `crypto.verify` take for `alg`: the digest and the key with its padding
 * (RFC 7518 §3.5: a PSS salt as long as the digest) and signature encoding. The benchmark's bare
 * `crypto.verify` uses it too, so both measure the same call.
 */
export function jwsCryptoParams(
  alg: JwsAlgorithm,
  key: KeyObject,
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): { hash: string | null; key: SignKeyObjectInput & VerifyKeyObjectInput } {
  const { hash, padding } = ALGORITHMS[alg];
  return { hash, key: { key, padding, saltLength: SALT, dsaEncoding } };
}

/**
 * Checks a JWS signature with an already imported key. The key's type was matched to `alg` before
 * ({@link algorithmMismatch}), so the header cannot pick the verification method.
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: KeyObject,
  signingInput: Buffer,
  signature: Buffer,
): boolean {
  const { rawLength, hash, padding } = ALGORITHMS[alg];
  if (rawLength !== undefined && signature.length !== rawLength) return false;
  try {
    // The options object is built inline (not through jwsCryptoParams): this runs per request.
    return verify(
      hash,
      signingInput,
      { key, padding, saltLength: SALT, dsaEncoding: RAW },
      signature,
    );
  } catch {
    // OpenSSL throws on some malformed signatures (wrong length for the modulus, ...): not valid.
    return false;
  }
}

/**
 * The candidate key (usually one; several only under a duplicated kid) whose signature over
 * `signingInput` verifies: the verifier and `secretOrKeyProvider()` choose alike.
 * @throws SignatureInvalidError when none does.
 */
export function requireSignature(
  alg: JwsAlgorithm,
  keys: ReadonlyArray<{ readonly key: KeyObject }>,
  signingInput: Buffer,
  signature: Buffer,
  issuer: string,
  kid: string | undefined,
): KeyObject {
  for (const { key } of keys) {
    if (verifySignature(alg, key, signingInput, signature)) return key;
  }
  throw new SignatureInvalidError(issuer, kid);
}

/**
 * The signature of a JWS signing input as RFC 7518 computes it for `alg` (ECDSA as r || s unless
 * `dsaEncoding` asks for DER, which a verifier must refuse): for the testing kit and the tests.
 */
export function signInput(
  input: string,
  alg: JwsAlgorithm,
  privateKey: KeyObject,
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): Buffer {
  const { hash, key } = jwsCryptoParams(alg, privateKey, dsaEncoding);
  return sign(hash, Buffer.from(input), key);
}

/** A compact JWS of `header` and `payload`, signed as RFC 7518 says for `alg`. */
export function signCompact(
  header: object,
  payload: object,
  alg: JwsAlgorithm,
  privateKey: KeyObject,
): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${signInput(input, alg, privateKey).toString('base64url')}`;
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

import { TokenMalformedError, AlgorithmNotAllowedError } from '../errors/jwks-errors.js';
import type { JoseHeader, JwtPayload } from './jwt.types.js';
import { strictJsonViolation } from './strict-json.js';
import type { JwsAlgorithm } from './algorithms.js';

/** A compact JWS split and decoded, nothing trusted yet; the payload may be any bytes. */
export interface DecodedJws {
  readonly header: JoseHeader;
  readonly payloadBytes: Buffer;
  /** `BASE64URL(header) . BASE64URL(payload)` as signed (RFC 7515 §5.2). */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** A compact JWS whose payload is a JWT claims set. */
export interface DecodedJwt extends DecodedJws {
  readonly payload: JwtPayload;
}

/**
 * Splits and decodes a compact JWS (RFC 7515 §7.1), refusing anything ambiguous: padding, characters
 * outside base64url, non-canonical encodings (which would let one signature stand for several
 * strings), JWE, and a header that is not a strict JSON object.
 * @throws TokenMalformedError
 */
export function decodeJws(token: string, maxLength: number): DecodedJws {
  if (token.length > maxLength) throw malformed(`longer than ${maxLength} characters`);
  // Node's base64 decoder keeps only the low byte of a character past 0xFF, as the latin1 signing
  // input does: without this, "A" + 0x100 would be another string with the same signature.
  if (Buffer.byteLength(token, 'utf8') !== token.length) throw malformed('non-ASCII characters');
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0) throw malformed('expected three dot-separated segments');
  if (token.indexOf('.', second + 1) >= 0) {
    const jwe = token.split('.').length === 5;
    throw malformed(jwe ? 'JWE (encrypted) tokens are not supported' : 'too many segments');
  }
  return {
    header: decodeHeader(token.slice(0, first)),
    // RFC 7515 allows an empty payload; a JWT's is then refused as not JSON.
    payloadBytes: decodeSegment(token.slice(first + 1, second), 'payload', true),
    signingInput: Buffer.from(token.slice(0, second), 'latin1'),
    signature: decodeSegment(token.slice(second + 1), 'signature'),
  };
}

/**
 * {@link decodeJws}, with a payload that must be a strict JSON object (RFC 7519 §7.2).
 * @throws TokenMalformedError
 */
export function decodeJwt(token: string, maxLength: number): DecodedJwt {
  const jws = decodeJws(token, maxLength) as DecodedJws & { payload?: JwtPayload };
  jws.payload = parseObject(jws.payloadBytes, 'payload') as JwtPayload;
  return jws as DecodedJwt;
}

// An issuer's tokens share a handful of headers: each is decoded once, then reused (frozen, as
// every caller gets the same object). Emptied when full, so made-up headers cost a re-decode of the
// few real ones, never memory.
const MAX_HEADERS = 256;
const headers = new Map<string, JoseHeader>();

function decodeHeader(segment: string): JoseHeader {
  const known = headers.get(segment);
  if (known !== undefined) return known;
  const header = Object.freeze(parseObject(decodeSegment(segment, 'header'), 'header'));
  if (headers.size >= MAX_HEADERS) headers.clear();
  headers.set(segment, header as unknown as JoseHeader);
  return header as unknown as JoseHeader;
}

function parseObject(bytes: Buffer, name: string): Record<string, unknown> {
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`${name} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`${name} is not a JSON object`);
  }
  const violation = strictJsonViolation(text, value);
  if (violation !== undefined) throw malformed(`${name} has a ${violation}`);
  return value as Record<string, unknown>;
}

function decodeSegment(segment: string, name: string, mayBeEmpty = false): Buffer {
  const bytes = Buffer.from(segment, 'base64url');
  if ((segment === '' && !mayBeEmpty) || !isBase64url(segment, bytes.length)) {
    throw malformed(`${name} is empty or not base64url`);
  }
  if (!hasZeroTrailingBits(segment)) throw malformed(`${name} is not canonical base64url`);
  return bytes;
}

// Node's decoder skips characters outside both base64 alphabets, so the decoded length shows them;
// it accepts the base64 `+` `/` and padding, which base64url (RFC 7515 §2) does not have. Checked
// without a regex or a re-encoding: this runs on every request.
function isBase64url(segment: string, decodedLength: number): boolean {
  const { length } = segment;
  return (
    length % 4 !== 1 &&
    decodedLength === (length * 3) >> 2 &&
    !segment.includes('+') &&
    !segment.includes('/') &&
    !segment.includes('=')
  );
}

// A final character also carries unused bits; unless they are zero, several strings decode to the
// same bytes, and one signature would stand for all of them.
function hasZeroTrailingBits(segment: string): boolean {
  const last = segment[segment.length - 1] ?? '';
  switch (segment.length % 4) {
    case 2:
      return 'AQgw'.includes(last);
    case 3:
      return 'AEIMQUYcgkosw048'.includes(last);
    default:
      return true;
  }
}

function malformed(reason: string): TokenMalformedError {
  return new TokenMalformedError(reason);
}

const MAX_KID_LENGTH = 1024;

/**
 * Header rules that hold whatever the issuer: `alg` from the allow-list (so `none` and HS* never
 * reach key selection, RFC 8725 §3.1), a string `kid`, no `crit` extension we do not implement
 * (RFC 7515 §4.1.11 requires rejecting them) and no unencoded payload (RFC 7797 `b64: false`).
 * `jwk`, `jku`, `x5u` and `x5c` are never read: keys come only from the configured issuer's JWKS.
 * @throws AlgorithmNotAllowedError, TokenMalformedError
 */
export function checkHeader(header: JoseHeader, allowed: ReadonlySet<JwsAlgorithm>): JwsAlgorithm {
  const { alg, kid, crit } = header;
  if (typeof alg !== 'string')
    throw new TokenMalformedError('header alg is missing or not a string');
  if (!allowed.has(alg as JwsAlgorithm)) throw new AlgorithmNotAllowedError(alg, [...allowed]);
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

const SCHEME = 'bearer';

/**
 * The credentials of an `Authorization: Bearer <token>` value, or `undefined` for another scheme
 * (RFC 6750 §2.1; RFC 9110 §11.1: the scheme is case-insensitive). What follows the scheme is returned
 * even when it is no valid b64token, so a broken token is reported as malformed rather than missing.
 * No regex: the header is attacker-controlled, and this runs on every request.
 */
export function parseBearer(value: string): string | undefined {
  if (value.length <= SCHEME.length || value[SCHEME.length] !== ' ') return undefined;
  if (value.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return undefined;
  const token = value.slice(SCHEME.length + 1).trim();
  return token === '' ? undefined : token;
}

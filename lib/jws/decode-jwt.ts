import { LruMap } from '../cache/lru-map.js';
import { TokenMalformedError } from '../errors/token-malformed.error.js';
import type { JoseHeader, JwtPayload } from './jwt.types.js';
import { strictJsonViolation } from './strict-json.js';

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

// An issuer's tokens share a handful of headers: each is decoded and checked once, then reused
// (frozen, as every caller gets the same object). Bounded, so made-up headers only churn it.
const headers = new LruMap<string, JoseHeader>(256);

function decodeHeader(segment: string): JoseHeader {
  const known = headers.get(segment);
  if (known !== undefined) return known;
  const header = Object.freeze(parseObject(decodeSegment(segment, 'header'), 'header'));
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

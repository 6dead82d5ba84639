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

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Splits and decodes a compact JWS (RFC 7515 §7.1), refusing anything ambiguous: padding, characters
 * outside base64url, non-canonical encodings (which would let one signature stand for several
 * strings), JWE, and a header that is not a strict JSON object.
 * @throws TokenMalformedError
 */
export function decodeJws(token: string, maxLength: number): DecodedJws {
  if (token.length > maxLength) throw malformed(`longer than ${maxLength} characters`);
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0) throw malformed('expected three dot-separated segments');
  if (token.indexOf('.', second + 1) >= 0) {
    const jwe = token.split('.').length === 5;
    throw malformed(jwe ? 'JWE (encrypted) tokens are not supported' : 'too many segments');
  }
  const header = parseObject(decodeSegment(token.slice(0, first), 'header'), 'header');
  return {
    header: header as unknown as JoseHeader,
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
  const jws = decodeJws(token, maxLength);
  return { ...jws, payload: parseObject(jws.payloadBytes, 'payload') as JwtPayload };
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
  const violation = strictJsonViolation(text);
  if (violation !== undefined) throw malformed(`${name} has a ${violation}`);
  return value as Record<string, unknown>;
}

function decodeSegment(segment: string, name: string, mayBeEmpty = false): Buffer {
  if ((segment === '' && !mayBeEmpty) || !BASE64URL.test(segment)) {
    throw malformed(`${name} is empty or not base64url`);
  }
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment)
    throw malformed(`${name} is not canonical base64url`);
  return bytes;
}

function malformed(reason: string): TokenMalformedError {
  return new TokenMalformedError(reason);
}

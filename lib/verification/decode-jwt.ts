import { TokenMalformedError } from '../errors/token-malformed.error.js';
import type { JoseHeader, JwtPayload } from './jwt.types.js';

/** A compact JWS split and decoded, nothing trusted yet. */
export interface DecodedJwt {
  readonly header: JoseHeader;
  readonly payload: JwtPayload;
  /** `BASE64URL(header) . BASE64URL(payload)` as signed (RFC 7515 §5.2). */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Splits and decodes a compact JWS (RFC 7515 §7.1), refusing anything ambiguous: padding, characters
 * outside base64url, non-canonical encodings (which would let one signature stand for several
 * strings), JWE, and headers or payloads that are not JSON objects.
 * @throws TokenMalformedError
 */
export function decodeJwt(token: string, maxLength: number): DecodedJwt {
  if (token.length > maxLength) throw malformed(`longer than ${maxLength} characters`);
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0) throw malformed('expected three dot-separated segments');
  if (token.indexOf('.', second + 1) >= 0) {
    throw malformed(
      token.split('.').length === 5
        ? 'JWE (encrypted) tokens are not supported'
        : 'too many segments',
    );
  }
  const header = decodeObject(token.slice(0, first), 'header') as unknown as JoseHeader;
  const payload = decodeObject(token.slice(first + 1, second), 'payload') as JwtPayload;
  const signature = decodeSegment(token.slice(second + 1), 'signature');
  return {
    header,
    payload,
    signingInput: Buffer.from(token.slice(0, second), 'latin1'),
    signature,
  };
}

function decodeObject(segment: string, name: string): Record<string, unknown> {
  const text = decodeSegment(segment, name).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`${name} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function decodeSegment(segment: string, name: string): Buffer {
  if (!BASE64URL.test(segment)) throw malformed(`${name} is empty or not base64url`);
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment)
    throw malformed(`${name} is not canonical base64url`);
  return bytes;
}

function malformed(reason: string): TokenMalformedError {
  return new TokenMalformedError(reason);
}

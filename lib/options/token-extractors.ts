import { TokenMalformedError } from '../errors/jwks-errors.js';
import type { TokenExtractor } from './jwks-module-options.interface.js';
import { parseBearer } from '../jws/decode-jws.js';

/** `Authorization: Bearer <token>` with a case-insensitive scheme: the default extractor. */
export const fromAuthorizationBearer: TokenExtractor = (request) => {
  const headers = (request as { headers?: Record<string, unknown> } | null | undefined)?.headers;
  const value = headers?.authorization;
  return typeof value === 'string' ? parseBearer(value) : undefined;
};

/** A token in a request header of its own (e.g. Cloudflare Access' `Cf-Access-Jwt-Assertion`). */
export function fromHeader(name: string): TokenExtractor {
  const header = name.toLowerCase();
  return (request) => {
    const headers = (request as { headers?: Record<string, unknown> } | null | undefined)?.headers;
    const value = headers?.[header];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
}

/** A token in a cookie (e.g. Cloudflare Access' `CF_Authorization`), read from the `Cookie` header. */
export function fromCookie(name: string): TokenExtractor {
  const prefix = `${name}=`;
  return (request) => {
    const headers = (request as { headers?: Record<string, unknown> } | null | undefined)?.headers;
    const cookies = headers?.cookie;
    if (typeof cookies !== 'string') return undefined;
    for (const cookie of cookies.split(';')) {
      const trimmed = cookie.trim();
      if (trimmed.startsWith(prefix)) return decodeURIComponent(trimmed.slice(prefix.length));
    }
    return undefined;
  };
}

/**
 * The first token any extractor finds, or `undefined`.
 * @throws TokenMalformedError when an extractor throws: a user's extractor choking on a hostile
 * cookie or header is a bad token, not a 500.
 */
export function extractToken(
  request: unknown,
  extractors: readonly TokenExtractor[],
): string | undefined {
  for (const extractor of extractors) {
    let token: unknown;
    try {
      token = extractor(request);
    } catch {
      throw new TokenMalformedError('a token extractor could not read the request');
    }
    if (typeof token === 'string' && token !== '') return token;
  }
  return undefined;
}

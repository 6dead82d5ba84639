import { TokenMalformedError } from '../errors/token-malformed.error.js';
import type { TokenExtractor } from '../options/token-extractor.interface.js';
import { parseBearer } from './parse-bearer.js';

/** `Authorization: Bearer <token>` with a case-insensitive scheme: the default extractor. */
export const fromAuthorizationBearer: TokenExtractor = (request) => {
  const headers = (request as { headers?: Record<string, unknown> } | null | undefined)?.headers;
  const value = headers?.authorization;
  return typeof value === 'string' ? parseBearer(value) : undefined;
};

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

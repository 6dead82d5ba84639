import type { TokenExtractor } from '../options/token-extractor.interface.js';
import { parseBearer } from '../verification/parse-bearer.js';

/** `Authorization: Bearer <token>` with a case-insensitive scheme: the default extractor. */
export const fromAuthorizationBearer: TokenExtractor = (request) => {
  const headers = (request as { headers?: Record<string, unknown> } | null | undefined)?.headers;
  const value = headers?.authorization;
  return typeof value === 'string' ? parseBearer(value) : undefined;
};

/** The first token any extractor finds, or `undefined`. */
export function extractToken(
  request: unknown,
  extractors: readonly TokenExtractor[],
): string | undefined {
  for (const extractor of extractors) {
    const token = extractor(request);
    if (typeof token === 'string' && token !== '') return token;
  }
  return undefined;
}

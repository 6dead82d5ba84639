import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { fromCookie, fromHeader } from '../options/token-extractors.js';
import { checkPresetInput } from './preset-input.js';

/** The header Cloudflare Access adds to every request it lets through to your origin. */
export const CF_ACCESS_HEADER = 'cf-access-jwt-assertion';
/** The cookie Cloudflare Access sets in the browser. */
export const CF_ACCESS_COOKIE = 'CF_Authorization';

/**
 * Cloudflare Access: issuer `https://<team>.cloudflareaccess.com`, keys from its
 * `/cdn-cgi/access/certs`, the token from the `Cf-Access-Jwt-Assertion` header, then the
 * `CF_Authorization` cookie; `audience` is the Access application's AUD tag. A user's token carries
 * `email` and `country`; a service token's carries `common_name` instead.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function cloudflareAccess(options: {
  team: string;
  audience: string | string[];
}): IssuerOptions {
  const { team, audience } = options;
  checkPresetInput('cloudflareAccess', { team, audience }, ['team'], ['audience']);
  const origin = `https://${team}.cloudflareaccess.com`;
  return {
    issuer: origin,
    jwksUri: `${origin}/cdn-cgi/access/certs`,
    audience,
    tokenExtractors: [fromHeader(CF_ACCESS_HEADER), fromCookie(CF_ACCESS_COOKIE)],
  };
}

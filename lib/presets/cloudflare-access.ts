import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { fromCookie, fromHeader } from '../options/token-extractors.js';
import { checkPresetInput } from './presets.js';
import { Injectable } from '@nestjs/common';
import { IssuerUntrustedError, JwksFetchFailedError } from '../errors/jwks-errors.js';
import { JwksHttpClient } from '../http/jwks-http-client.js';
import { JwtVerifier } from '../verification/jwt-verifier.js';
import { parseBearer } from '../jws/decode-jws.js';

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

const ACCESS_HOST = /^https:\/\/[a-z0-9-]+\.cloudflareaccess\.com$/;

/**
 * The identity behind a Cloudflare Access token (groups, identity provider, geo, ...), from the
 * team's `/cdn-cgi/access/get-identity`. The token is verified first, so only a trusted Cloudflare
 * issuer is ever asked, through the library's HTTP client (timeout, size limit, https only).
 */
@Injectable()
export class CloudflareAccessIdentity {
  /** @internal Nest injects it with the module's own providers. */
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly http: JwksHttpClient,
  ) {}

  /**
   * @throws JwksError: any verification code; ISSUER_UNTRUSTED when the token is not Cloudflare
   * Access'; JWKS_FETCH_FAILED when `get-identity` fails or answers something else than an object.
   */
  async getIdentity(token: string): Promise<CloudflareIdentity> {
    const { issuer } = await this.verifier.verify(token);
    if (!ACCESS_HOST.test(issuer)) throw new IssuerUntrustedError(issuer);
    const url = `${issuer}/cdn-cgi/access/get-identity`;
    const cookie = `${CF_ACCESS_COOKIE}=${parseBearer(token) ?? token}`;
    const { body } = await this.http.getJson(url, {
      document: 'identity',
      headers: { cookie },
      retries: 0,
    });
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new JwksFetchFailedError(url, 'the identity is not a JSON object', {
        document: 'identity',
      });
    }
    return body as CloudflareIdentity;
  }
}

/** The claims of a Cloudflare Access token (a user's, or a service token's). */
export interface CloudflareAccessClaims {
  readonly iss: string;
  readonly aud: readonly string[];
  readonly sub: string;
  readonly exp: number;
  readonly iat: number;
  /** `app` for an application token. */
  readonly type?: string;
  /** A user's e-mail; absent from service tokens. */
  readonly email?: string;
  /** A service token's client id, where a user's token has `email`. */
  readonly common_name?: string;
  /** The user's country (ISO 3166-1 alpha-2), as Cloudflare saw the request. */
  readonly country?: string;
  /** Binds the token to the identity `get-identity` returns. */
  readonly identity_nonce?: string;
  readonly [claim: string]: unknown;
}

/** What Cloudflare Access' `get-identity` returns for a user's token. */
export interface CloudflareIdentity {
  readonly email?: string;
  readonly name?: string;
  readonly user_uuid?: string;
  readonly account_id?: string;
  readonly idp?: { readonly id?: string; readonly type?: string };
  readonly geo?: { readonly country?: string };
  readonly groups?: ReadonlyArray<
    string | { readonly id?: string; readonly name?: string; readonly email?: string }
  >;
  readonly [member: string]: unknown;
}

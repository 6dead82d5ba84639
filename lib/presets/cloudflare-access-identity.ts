import { Injectable } from '@nestjs/common';
import { IssuerUntrustedError, JwksFetchFailedError } from '../errors/jwks-errors.js';
import { JwksHttpClient } from '../http/jwks-http-client.js';
import { JwtVerifier } from '../verification/jwt-verifier.js';
import { parseBearer } from '../jws/decode-jws.js';
import { CF_ACCESS_COOKIE } from './cloudflare-access.preset.js';
import type { CloudflareIdentity } from './cloudflare-access.types.js';

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

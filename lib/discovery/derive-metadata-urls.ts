/**
 * Where an issuer's metadata may live, in the order to try them:
 * OpenID Connect Discovery §4 appends `/.well-known/openid-configuration` to the issuer;
 * RFC 8414 §3.1 inserts `/.well-known/oauth-authorization-server` between the origin and the path.
 */
export function deriveMetadataUrls(issuer: string): readonly string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

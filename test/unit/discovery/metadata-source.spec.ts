import { describe, expect, it } from '@jest/globals';
import { deriveMetadataUrls, rewriteOrigin } from '../../../lib/discovery/metadata-source.js';

describe('deriveMetadataUrls', () => {
  it.each([
    [
      'https://idp.example.com',
      'https://idp.example.com/.well-known/openid-configuration',
      'https://idp.example.com/.well-known/oauth-authorization-server',
    ],
    [
      'https://idp.example.com/',
      'https://idp.example.com/.well-known/openid-configuration',
      'https://idp.example.com/.well-known/oauth-authorization-server',
    ],
    [
      'https://idp.example.com/realms/acme',
      'https://idp.example.com/realms/acme/.well-known/openid-configuration',
      'https://idp.example.com/.well-known/oauth-authorization-server/realms/acme',
    ],
    [
      'https://login.example.com:8443/tenant/v2.0/',
      'https://login.example.com:8443/tenant/v2.0/.well-known/openid-configuration',
      'https://login.example.com:8443/.well-known/oauth-authorization-server/tenant/v2.0',
    ],
  ])('%s -> OIDC then RFC 8414', (issuer, oidc, rfc8414) => {
    expect(deriveMetadataUrls(issuer)).toEqual([oidc, rfc8414]);
  });
});

describe('rewriteOrigin', () => {
  it('takes scheme, host and port from the discovery URL and keeps the path', () => {
    expect(
      rewriteOrigin(
        'http://keycloak:8080/realms/acme/protocol/openid-connect/certs',
        'http://localhost:18080/realms/acme/.well-known/openid-configuration',
      ),
    ).toBe('http://localhost:18080/realms/acme/protocol/openid-connect/certs');
  });

  it('drops the advertised port when the discovery URL uses the default one', () => {
    expect(
      rewriteOrigin('http://keycloak:8080/certs', 'https://auth.example.com/.well-known/x'),
    ).toBe('https://auth.example.com/certs');
  });
});

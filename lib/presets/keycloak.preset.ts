import { InvalidOptionsError } from '../errors/jwks-errors.js';
import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { presetInputProblems } from './preset-input.js';

/**
 * Keycloak: issuer `<baseUrl>/realms/<realm>`, realm roles from `realm_access.roles`. Tokens are
 * bound to this API by `audience` (Keycloak's audience mapper) or by `authorizedParty`, the client
 * in `azp`: one of them is required, both may be set. Behind Docker, where Keycloak advertises its
 * container name, reach it at `baseUrl` and set `rewriteJwksOrigin: true` on the result.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) naming the input.
 */
export function keycloak(options: {
  baseUrl: string;
  realm: string;
  audience?: string | string[];
  authorizedParty?: string | string[];
}): IssuerOptions {
  const { baseUrl, realm, audience, authorizedParty } = options;
  const binding = {
    ...(audience === undefined ? {} : { audience }),
    ...(authorizedParty === undefined ? {} : { authorizedParty }),
  };
  const lists = ['audience', 'authorizedParty'];
  const problems = presetInputProblems('keycloak', { baseUrl, realm, ...binding }, [], lists);
  if (Object.keys(binding).length === 0) {
    // A realm's tokens serve every client of the realm: without a binding, any of them would pass.
    problems.push(
      'keycloak(): set audience (the aud your audience mapper adds) or authorizedParty (the client in azp), or both',
    );
  }
  if (problems.length > 0) throw new InvalidOptionsError(problems);
  return {
    issuer: `${baseUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`,
    ...binding,
    rolesClaim: 'realm_access.roles',
  };
}

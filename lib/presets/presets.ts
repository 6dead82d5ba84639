import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import { InvalidOptionsError } from '../errors/jwks-errors.js';
import { isNonBlankString, isStringOrList } from '../options/option-checks.js';

/**
 * Auth0: issuer `https://<domain>/` (with the trailing slash Auth0 writes in `iss`), roles from
 * `permissions` (RBAC's "Add permissions in the access token"). Auth0 issues RFC 9068 access tokens
 * (`at+jwt`, `client_id`, `jti`) for an API whose "JSON Web Token (JWT) Profile" is RFC 9068 (token
 * dialect `rfc9068_profile` or `rfc9068_profile_authz`): say so with `profile: 'rfc9068'`, and an
 * ID token or a token of another profile is refused. Of the other presets' providers, none writes
 * `at+jwt` access tokens.
 * @example auth0({ domain: 'tenant.eu.auth0.com', audience: 'https://api.example.com' })
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function auth0(options: {
  domain: string;
  audience: string | string[];
  profile?: 'rfc9068';
}): IssuerOptions {
  const { domain, audience, profile } = options;
  checkPresetInput('auth0', { domain, audience }, ['domain'], ['audience']);
  return {
    issuer: `https://${domain}/`,
    audience,
    rolesClaim: 'permissions',
    ...(profile === undefined ? {} : { profile }),
  };
}

/**
 * Okta: a custom authorization server's issuer `https://<domain>/oauth2/<authorizationServerId>`
 * (`default` unless named); Okta groups are in `groups` when the server adds that claim.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function okta(options: {
  domain: string;
  authorizationServerId?: string;
  audience: string | string[];
}): IssuerOptions {
  const { domain, authorizationServerId = 'default', audience } = options;
  checkPresetInput('okta', { domain, authorizationServerId, audience }, ['domain'], ['audience']);
  return {
    issuer: `https://${domain}/oauth2/${authorizationServerId}`,
    audience,
    rolesClaim: 'groups',
  };
}

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

/**
 * Amazon Cognito user pools: issuer `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`,
 * groups from `cognito:groups`. Access tokens carry no `aud`: their app client is `client_id` and
 * `token_use` is `access`; ID tokens name the client in `aud` and have `token_use` `id`.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function cognito(options: {
  region: string;
  userPoolId: string;
  clientId: string;
  tokenUse: 'access' | 'id';
}): IssuerOptions {
  const { region, userPoolId, clientId, tokenUse } = options;
  checkPresetInput('cognito', { region, userPoolId, clientId });
  const base = {
    issuer: `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`,
    rolesClaim: 'cognito:groups',
  };
  if (tokenUse === 'id')
    return { ...base, audience: clientId, expectedClaims: { token_use: 'id' } };
  return { ...base, expectedClaims: { token_use: 'access', client_id: clientId } };
}

const MULTI_TENANT = new Set(['common', 'organizations']);
const LOGIN = 'https://login.microsoftonline.com';

/**
 * Microsoft Entra ID (v2.0 endpoints). A tenant id gives issuer `…/<tenant>/v2.0`. `common` and
 * `organizations` are multi-tenant: their metadata names the issuer
 * `…/{tenantid}/v2.0`, so a token is accepted when its `iss` is that template filled with its own
 * `tid`, and only for `allowedTenants` when given (without them, any Entra tenant's token with your
 * audience passes: list them). v1 tokens (`https://sts.windows.net/<tid>/`) only with `acceptV1`.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when any input is missing or blank.
 */
export function entraId(options: {
  tenant: string;
  audience: string | string[];
  allowedTenants?: string[];
  acceptV1?: boolean;
}): IssuerOptions {
  const { tenant, audience, allowedTenants, acceptV1 = false } = options;
  checkPresetInput('entraId', { tenant, audience }, [], ['audience']);
  const multi = MULTI_TENANT.has(tenant);
  const id = multi ? '{tenantid}' : tenant;
  return {
    issuer: `${LOGIN}/${id}/v2.0`,
    discoveryUrl: `${LOGIN}/${tenant}/v2.0/.well-known/openid-configuration`,
    audience,
    rolesClaim: 'roles',
    ...(acceptV1 ? { issuerAliases: [`https://sts.windows.net/${id}/`] } : {}),
    ...(multi && allowedTenants !== undefined ? { allowedTenants } : {}),
  };
}

/**
 * Google Sign-In ID tokens: issuer `https://accounts.google.com`, which Google also writes as
 * `accounts.google.com`; the audience is your OAuth client id, also named in `azp`.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when `clientId` is missing or blank.
 */
export function google(options: { clientId: string | string[] }): IssuerOptions {
  const { clientId } = options;
  checkPresetInput('google', { clientId }, [], ['clientId']);
  return {
    issuer: 'https://accounts.google.com',
    issuerAliases: ['accounts.google.com'],
    audience: clientId,
  };
}

/**
 * Firebase Authentication ID tokens: issuer `https://securetoken.google.com/<projectId>`, audience
 * the project id, keys from Google's securetoken service account.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) when `projectId` is missing or blank.
 */
export function firebase(options: { projectId: string }): IssuerOptions {
  checkPresetInput('firebase', { projectId: options.projectId });
  return {
    issuer: `https://securetoken.google.com/${options.projectId}`,
    audience: options.projectId,
    jwksUri:
      'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
    requiredClaims: ['sub'],
  };
}

/**
 * Checks a preset's inputs where the mistake is made: each must be a non-empty string (or, for
 * `lists`, a string or a non-empty list of them), and a host name must be bare (`tenant.auth0.com`,
 * not `https://tenant.auth0.com/`). A blank audience usually is an unset environment variable: the
 * issuer would then accept tokens minted for any other API of the same tenant.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) naming the preset and each input.
 */
export function checkPresetInput(
  preset: string,
  values: Readonly<Record<string, unknown>>,
  hosts: readonly string[] = [],
  lists: readonly string[] = [],
): void {
  const problems = presetInputProblems(preset, values, hosts, lists);
  if (problems.length > 0) throw new InvalidOptionsError(problems);
}

/** What {@link checkPresetInput} refuses, for a preset that adds rules of its own. */
function presetInputProblems(
  preset: string,
  values: Readonly<Record<string, unknown>>,
  hosts: readonly string[] = [],
  lists: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (lists.includes(name)) {
      if (!isStringOrList(value))
        problems.push(`${preset}(): ${name} must be a non-empty string or list of them`);
    } else if (!isNonBlankString(value)) {
      problems.push(`${preset}(): ${name} must be a non-empty string`);
    } else if (hosts.includes(name) && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(value)) {
      problems.push(
        `${preset}(): ${name} must be a host name, like tenant.example.com (got ${JSON.stringify(value)})`,
      );
    }
  }
  return problems;
}

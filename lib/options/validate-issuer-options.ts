import type { IssuerOptions, JwksModuleOptions } from './jwks-module-options.interface.js';
import {
  checkAlgorithms,
  checkFunctions,
  checkStringList,
  checkStringOrList,
  checkUrl,
  isNonBlankString,
  isNonEmptyString,
  isRecord,
  unknownKeys,
  type Problems,
} from './option-checks.js';
import { issuerIdentifierViolation } from './url-policy.js';

const ISSUER_KEYS = new Set([
  'issuer',
  'discoveryUrl',
  'jwksUri',
  'audience',
  'algorithms',
  'rewriteJwksOrigin',
  'tokenExtractors',
  'requiredClaims',
  'typ',
  'issuerAliases',
  'allowedTenants',
  'tenantClaim',
  'authorizedParty',
  'expectedClaims',
  'rolesClaim',
  'requestHeaders',
  'jwksClient',
]);

/** The placeholder of a multi-tenant issuer (Entra ID's `https://login.microsoftonline.com/{tenantid}/v2.0`). */
export const TENANT_PLACEHOLDER = '{tenantid}';

/** The module options an issuer's rules depend on (raw at startup, resolved for `resolveIssuer`). */
export type IssuerContext = Pick<JwksModuleOptions, 'allowInsecureHttp'>;

/**
 * Every problem of one issuer's options, each naming its path (`issuers[1].jwksUri ...`): for a
 * configured issuer at startup, and for one `resolveIssuer` returns.
 */
export function issuerProblems(
  options: IssuerOptions,
  path: string,
  module: IssuerContext,
): Problems {
  if (!isRecord(options)) return [`${path} must be an object`];
  const problems = unknownKeys(options, ISSUER_KEYS, `${path}.`);
  checkLocation(problems, options, path, module.allowInsecureHttp === true);
  if (options.audience !== false) {
    checkStringOrList(problems, `${path}.audience`, options.audience);
  }
  checkStringOrList(problems, `${path}.authorizedParty`, options.authorizedParty);
  checkAudienceRule(problems, options, path);
  checkAlgorithms(problems, `${path}.algorithms`, options.algorithms);
  checkFunctions(problems, `${path}.tokenExtractors`, options.tokenExtractors);
  checkStringList(problems, `${path}.requiredClaims`, options.requiredClaims, 'claim names');
  checkStringList(problems, `${path}.issuerAliases`, options.issuerAliases, 'issuer strings');
  if (Array.isArray(options.issuerAliases)) {
    options.issuerAliases.forEach((alias, index) =>
      checkIdentifier(problems, `${path}.issuerAliases[${index}]`, alias),
    );
  }
  checkStringList(problems, `${path}.allowedTenants`, options.allowedTenants, 'tenant ids');
  for (const key of ['typ', 'tenantClaim', 'rolesClaim'] as const) {
    if (options[key] !== undefined && !isNonEmptyString(options[key])) {
      problems.push(`${path}.${key} must be a non-empty string`);
    }
  }
  if (options.rewriteJwksOrigin !== undefined && typeof options.rewriteJwksOrigin !== 'boolean') {
    problems.push(`${path}.rewriteJwksOrigin must be a boolean`);
  }
  checkExpectedClaims(problems, `${path}.expectedClaims`, options.expectedClaims);
  const headers = options.requestHeaders as unknown;
  if (
    headers !== undefined &&
    !(isRecord(headers) && Object.values(headers).every(isNonEmptyString))
  ) {
    problems.push(`${path}.requestHeaders must be an object of header name to string value`);
  }
  return problems;
}

function checkLocation(
  problems: Problems,
  options: IssuerOptions,
  path: string,
  insecure: boolean,
) {
  const { issuer, jwksUri, discoveryUrl, jwksClient } = options;
  const explicit = jwksUri !== undefined || discoveryUrl !== undefined || jwksClient !== undefined;
  if (
    jwksClient !== undefined &&
    typeof (jwksClient as { getSigningKeys?: unknown }).getSigningKeys !== 'function'
  ) {
    problems.push(`${path}.jwksClient must have getSigningKeys() (a jwks-rsa JwksClient)`);
  }
  if (!isNonBlankString(issuer)) {
    problems.push(`${path}.issuer must be a non-empty string`);
  } else if (issuer.includes(TENANT_PLACEHOLDER) && !explicit) {
    // A template names no document: the metadata of "common" lives at a URL of its own.
    problems.push(
      `${path}.issuer ${issuer} is a template: set discoveryUrl, jwksUri or jwksClient`,
    );
  } else if (!explicit) {
    // Without an explicit URL the metadata location is derived from the issuer, so it must be a URL.
    checkUrl(
      problems,
      `${path}.issuer`,
      issuer,
      insecure,
      ' (or set jwksUri / discoveryUrl / jwksClient)',
    );
  }
  checkIdentifier(problems, `${path}.issuer`, issuer);
  if (jwksUri !== undefined) checkUrl(problems, `${path}.jwksUri`, jwksUri, insecure);
  if (discoveryUrl !== undefined)
    checkUrl(problems, `${path}.discoveryUrl`, discoveryUrl, insecure);
}

/**
 * RFC 8725 §3.9, RFC 9068 §4: an API accepts only tokens minted for it. An issuer without an
 * audience rule accepts every token it ever signed: for another team's API, for a third-party app
 * of the same tenant. `audience: false` says so on purpose (and is announced at startup).
 */
function checkAudienceRule(problems: Problems, options: IssuerOptions, path: string) {
  const bound =
    options.audience !== undefined ||
    options.authorizedParty !== undefined ||
    (isRecord(options.expectedClaims) && options.expectedClaims.client_id !== undefined);
  if (bound) return;
  problems.push(
    `${path} has no audience rule, so it would accept a token its issuer minted for any other API (RFC 8725 §3.9, RFC 9068 §4): set audience to the aud of this API's tokens, bind the client with authorizedParty (azp) or expectedClaims.client_id, or set audience: false to accept any audience (only for ID-token-style issuers whose tokens no other API accepts)`,
  );
}

function checkIdentifier(problems: Problems, path: string, value: unknown) {
  if (typeof value !== 'string') return;
  const violation = issuerIdentifierViolation(value);
  if (violation !== undefined) problems.push(`${path} ${violation}`);
}

function checkExpectedClaims(problems: Problems, path: string, value: unknown) {
  if (value === undefined) return;
  if (!isRecord(value)) {
    problems.push(`${path} must be an object of claim name to value(s)`);
    return;
  }
  for (const [claim, expected] of Object.entries(value)) {
    checkStringOrList(problems, `${path}.${claim}`, expected);
  }
}

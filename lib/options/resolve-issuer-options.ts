import { JWKS_DEFAULTS } from './jwks-defaults.js';
import type { JwsAlgorithm } from './jws-algorithms.js';
import type { IssuerOptions } from './jwks-module-options.interface.js';
import type { ResolvedIssuer } from './resolved-jwks-options.js';

/** One issuer's (valid) options, precomputed for the hot path: sets, split paths, normalised values. */
export function resolveIssuerOptions(
  options: IssuerOptions,
  moduleAlgorithms: readonly JwsAlgorithm[],
): ResolvedIssuer {
  const d = JWKS_DEFAULTS;
  const algorithmList = Object.freeze([...new Set(options.algorithms ?? moduleAlgorithms)]);
  const expected = Object.entries(options.expectedClaims ?? {}).map(
    ([claim, values]) => [claim, setOf(values)!] as const,
  );
  return Object.freeze({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    jwksClient: options.jwksClient,
    discoveryUrl: options.discoveryUrl,
    audiences: options.audience === false ? undefined : setOf(options.audience),
    anyAudience: options.audience === false,
    algorithms: new Set(algorithmList),
    algorithmList,
    rewriteJwksOrigin: options.rewriteJwksOrigin ?? false,
    requiredClaims: Object.freeze([...(options.requiredClaims ?? [])]),
    typ: options.typ === undefined ? undefined : normalizeTyp(options.typ),
    aliases: Object.freeze([...(options.issuerAliases ?? [])]),
    tenant: Object.freeze({
      claim: options.tenantClaim ?? d.tenantClaim,
      allowed: setOf(options.allowedTenants),
    }),
    authorizedParties: setOf(options.authorizedParty),
    expectedClaims: Object.freeze(expected),
    rolesPath: Object.freeze((options.rolesClaim ?? d.rolesClaim).split('.')),
    requestHeaders:
      options.requestHeaders === undefined
        ? undefined
        : Object.freeze({ ...options.requestHeaders }),
  });
}

/** RFC 7515 §4.1.9: the `application/` prefix may be omitted, and media types compare case-insensitively. */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function setOf(value: string | readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(typeof value === 'string' ? [value] : value);
}

import type { KeyObject } from 'node:crypto';
import type { SharedCache } from '../cache/shared-cache.interface.js';
import type { JwksClientLike } from '../keys/jwks-client-like.interface.js';
import type { VerifiedToken } from '../jws/jwt.types.js';
import type { FetchFunction } from './fetch-function.interface.js';
import type { JwksEvents } from './jwks-events.interface.js';
import type { JwksModuleOptions } from './jwks-module-options.interface.js';
import type { JwsAlgorithm } from './jws-algorithms.js';
import type { TokenExtractor } from './token-extractor.interface.js';

/** Injection token of the validated, defaulted, frozen options that every service reads. */
export const JWKS_OPTIONS = Symbol.for('nestjs-jwks:options');

/** An issuer's settings, precomputed once at startup so the hot path only looks things up. */
export interface ResolvedIssuer {
  readonly issuer: string;
  /** Set when the JWKS URL is configured directly; discovery is then skipped. */
  readonly jwksUri: string | undefined;
  /** Where the keys come from instead of a URL, if anywhere. */
  readonly jwksClient: JwksClientLike | undefined;
  /** The configured metadata URL; `undefined` means derive it from the issuer (OIDC, then RFC 8414). */
  readonly discoveryUrl: string | undefined;
  /** `undefined` when the audience is not checked (`audience: false`, or bound by client instead). */
  readonly audiences: ReadonlySet<string> | undefined;
  /** `audience: false`: any `aud` is accepted, on purpose (announced at startup). */
  readonly anyAudience: boolean;
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  readonly algorithmList: readonly JwsAlgorithm[];
  readonly rewriteJwksOrigin: boolean;
  readonly requiredClaims: readonly string[];
  /** Normalised (lower case, no `application/`), or `undefined` when not checked. */
  readonly typ: string | undefined;
  /** Other `iss` values naming this issuer. */
  readonly aliases: readonly string[];
  /** For a `{tenantid}` issuer: the claim naming the tenant, and the accepted tenants (any when unset). */
  readonly tenant: { readonly claim: string; readonly allowed: ReadonlySet<string> | undefined };
  /** `undefined` when `azp` is not checked. */
  readonly authorizedParties: ReadonlySet<string> | undefined;
  /** Claims that must hold one of the given values. */
  readonly expectedClaims: ReadonlyArray<readonly [string, ReadonlySet<string>]>;
  /** The dot path of the roles claim, split. */
  readonly rolesPath: readonly string[];
  /** Extra headers on this issuer's document requests. */
  readonly requestHeaders: Readonly<Record<string, string>> | undefined;
}

/** What `resolveJwksOptions` makes of `JwksModuleOptions`; durations in milliseconds from here on. */
export interface ResolvedJwksOptions {
  /** The configured issuers, by `issuer`. */
  readonly issuers: ReadonlyMap<string, ResolvedIssuer>;
  /** Asked for an `iss` no configured issuer matches; see `JwksModuleOptions.resolveIssuer`. */
  readonly resolveIssuer: JwksModuleOptions['resolveIssuer'];
  readonly maxIssuers: number;
  /** The module's own algorithms: those a resolved issuer may use. */
  readonly moduleAlgorithms: readonly JwsAlgorithm[];
  /** The verified token a request without one stands for (development only), if any. */
  readonly developmentBypass: VerifiedToken | undefined;
  /** The store given for the shared cache, if any. */
  readonly cache: SharedCache | undefined;
  /**
   * `sharedCacheSecret` as HMAC keys (a `KeyObject` never prints its material): the first signs
   * shared copies, every one verifies them; empty when copies are not authenticated.
   */
  readonly sharedCacheSecrets: readonly KeyObject[];
  /** The user's `fetch`, or `undefined` for the platform's. */
  readonly fetch: FetchFunction | undefined;
  /** Union of all issuers' algorithms: anything else is refused before the issuer is even looked up. */
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  readonly clockToleranceMs: number;
  readonly cacheTtlMs: number;
  readonly minCacheTtlMs: number;
  readonly maxCacheTtlMs: number;
  readonly staleTtlMs: number;
  readonly cooldownMs: number;
  readonly unknownKidBudget: number;
  readonly controlSyncIntervalMs: number;
  readonly timeoutMs: number;
  readonly sharedCacheTimeoutMs: number;
  readonly retries: number;
  readonly maxResponseBytes: number;
  readonly maxTokenLength: number;
  readonly prefetch: boolean;
  readonly allowInsecureHttp: boolean;
  /** The module's extractors followed by every issuer's own, without repeats. */
  readonly tokenExtractors: readonly TokenExtractor[];
  readonly events: Readonly<JwksEvents>;
  /** Most verified tokens kept; 0 when the cache is off. */
  readonly verifiedTokenCacheMax: number;
}

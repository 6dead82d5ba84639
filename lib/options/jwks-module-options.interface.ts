import type { JwksEvents } from './jwks-events.interface.js';
import type { JwsAlgorithm } from '../jws/algorithms.js';

/** One trusted identity provider. */
export interface IssuerOptions {
  /** The exact `iss` value of its tokens and of its metadata's `issuer` (trailing slash included). */
  issuer: string;
  /**
   * Where the metadata lives. Default: `{issuer}/.well-known/openid-configuration`, then the RFC 8414
   * `{origin}/.well-known/oauth-authorization-server{path}`.
   */
  discoveryUrl?: string;
  /** The JWKS URL; when set, discovery is skipped (takes precedence over `discoveryUrl`). */
  jwksUri?: string;
  /**
   * A jwks-rsa `JwksClient` (or anything with `getSigningKeys()`) to take the keys from instead of
   * fetching them: they are imported once and pass every rule of the library's key import.
   */
  jwksClient?: JwksClientLike;
  /**
   * Accepted `aud` values: a token must name at least one. Every issuer needs an audience rule
   * (RFC 8725 §3.9, RFC 9068 §4), or the application refuses to start: this, a client binding
   * (`authorizedParty`, `expectedClaims.client_id`), or `false`. `false` accepts any audience, and
   * is announced at startup: only for ID-token-style issuers whose tokens no other API accepts.
   */
  audience?: string | string[] | false;
  /** Per-issuer algorithm allow-list; defaults to the module's `algorithms`. */
  algorithms?: JwsAlgorithm[];
  /**
   * Replace the scheme, host and port of the advertised `jwks_uri` with the discovery URL's, for
   * providers that advertise an internal name (`http://keycloak:8080`) while reached at another.
   * @defaultValue false
   */
  rewriteJwksOrigin?: boolean;
  /** Extra extractors tried after the module's, e.g. a provider's own header or cookie. */
  tokenExtractors?: TokenExtractor[];
  /** Claims that must be present (`exp` always is). */
  requiredClaims?: string[];
  /** Expected JOSE header `typ`, e.g. `at+jwt` (RFC 9068); compared case-insensitively, `application/` prefix optional. */
  typ?: string;
  /**
   * Other `iss` values that name this same issuer and its keys (Google writes both
   * `https://accounts.google.com` and `accounts.google.com`).
   */
  issuerAliases?: string[];
  /**
   * With a `{tenantid}` placeholder in `issuer` (or an alias), the tenants accepted: a token's `iss`
   * must be the template filled with its own `tenantClaim`. Any tenant when unset.
   */
  allowedTenants?: string[];
  /** The claim that names the tenant of a `{tenantid}` issuer. @defaultValue 'tid' */
  tenantClaim?: string;
  /** Accepted `azp` (authorized party) values: the client the token was issued to. Not checked when unset. */
  authorizedParty?: string | string[];
  /** Claims that must hold one of the given values, e.g. Cognito's `{ token_use: 'access', client_id: '…' }`. */
  expectedClaims?: Record<string, string | string[]>;
  /**
   * Where `@Roles()` reads roles: a dot path into the claims (`realm_access.roles`), holding an
   * array or a space-separated string. @defaultValue 'roles'
   */
  rolesClaim?: string;
  /**
   * Extra headers on this issuer's metadata and JWKS requests (an internal IdP that wants an API
   * key), sent to the documents' own origin only: never after a redirect to another.
   */
  requestHeaders?: Record<string, string>;
  /**
   * `'rfc9068'`: the issuer's tokens follow the JWT profile for OAuth 2.0 access tokens (RFC 9068):
   * `typ` must be `at+jwt` (unless `typ` says otherwise) and `iss`, `exp`, `aud`, `sub`,
   * `client_id`, `iat` and `jti` must be present, with their types.
   */
  profile?: 'rfc9068';
  /** Seconds after its `iat` a token of this issuer is refused, whatever its `exp`. @defaultValue the module's `maxTokenAge` */
  maxTokenAge?: number;
}

/** What the protected resource metadata (RFC 9728 §2) says besides `resource`. */
export interface ProtectedResourceOptions {
  /**
   * `authorization_servers`: the issuers clients may get tokens from. @defaultValue the
   * configured issuers' identifiers (templates and resolved tenants left out: list them here)
   */
  authorizationServers?: string[];
  /** `scopes_supported`. @defaultValue every scope named by `@Scopes()` or `@AnyScope()` in the application */
  scopesSupported?: string[];
  /** `resource_name`, for people. */
  resourceName?: string;
  /** `resource_documentation`: a URL of the API's documentation. */
  resourceDocumentation?: string;
  /** `false`: the module does not serve the document (the application publishes it itself). */
  metadataPath?: false;
}

/** Options of `JwksModule.forRoot()` / `forRootAsync()`. Every duration is in seconds. */
export interface JwksModuleOptions {
  /** One or more trusted issuers. */
  issuers: IssuerOptions[];
  /** Allowed algorithms. @defaultValue ['RS256', 'ES256'] */
  algorithms?: JwsAlgorithm[];
  /** Seconds of leeway for `exp`, `nbf` and `iat`. @defaultValue 30 */
  clockTolerance?: number;
  /** Seconds a JWKS or metadata document stays fresh when the response sets no `max-age`. @defaultValue 900 */
  cacheTtl?: number;
  /** Lower bound, in seconds, applied to `Cache-Control: max-age`. @defaultValue 60 */
  minCacheTtl?: number;
  /** Upper bound, in seconds, applied to `Cache-Control: max-age`. @defaultValue 86400 */
  maxCacheTtl?: number;
  /** Seconds the last-known-good keys keep serving while the provider fails. @defaultValue 86400 */
  staleTtl?: number;
  /** Seconds between refetches forced by unknown `kid`s, per issuer. @defaultValue 30 */
  cooldown?: number;
  /**
   * Refetches a minute, per issuer, that a never-seen `kid` may make within the cooldown, so a
   * rotation right after a refresh is picked up in seconds; a `kid` still missing after a refetch
   * is not asked for again within the cooldown. @defaultValue 3
   */
  unknownKidBudget?: number;
  /** Seconds between reads of the revocations other instances wrote to the shared store. @defaultValue 5 */
  controlSyncInterval?: number;
  /** Seconds per HTTP request to the provider. @defaultValue 5 */
  timeout?: number;
  /**
   * Seconds a read or write of the shared cache (`CACHE_MANAGER`, e.g. Redis) may take before it
   * counts as failed and the provider or memory answers instead. @defaultValue 0.2
   */
  sharedCacheTimeout?: number;
  /** Retries of a failed provider request (network errors, 429, 5xx), with backoff. @defaultValue 3 */
  retries?: number;
  /** Largest metadata or JWKS body accepted, in bytes. @defaultValue 1048576 */
  maxResponseBytes?: number;
  /** Longest token accepted, in characters; longer ones are refused before parsing. @defaultValue 16384 */
  maxTokenLength?: number;
  /** Fetch metadata and keys in the background at bootstrap; a failure is logged, not fatal. @defaultValue true */
  prefetch?: boolean;
  /** Allow `http://` URLs on loopback hosts (development only). @defaultValue false */
  allowInsecureHttp?: boolean;
  /** How tokens are found. @defaultValue `Authorization: Bearer` (scheme case-insensitive) */
  tokenExtractors?: TokenExtractor[];
  /** Callbacks for metrics: `onFetchError`, `onRefresh`, `onKeyNotFound`. */
  events?: JwksEvents;
  /**
   * Keep up to `max` verified tokens (by exact token string) so a repeated token skips the signature
   * check; an entry never outlives the token's `exp` or the key that verified it. Verified payloads
   * are then frozen, as one object serves every request with that token. Memory: `max` entries of
   * at most `maxTokenLength` characters plus the decoded claims. @defaultValue false
   */
  verifiedTokenCache?: { max: number } | false;
  /**
   * Trust issuers that are not listed, one at a time (one tenant per customer): asked for an `iss`
   * no configured issuer matches, it returns that issuer's options, or `undefined` to refuse it.
   * Its answers, refusals included, are kept in a bounded LRU (`maxIssuers`); a resolved issuer
   * follows every rule a configured one does, with algorithms among the module's. It should not
   * throw: an error counts as a refusal, not remembered.
   */
  resolveIssuer?: (iss: string) => IssuerOptions | undefined | Promise<IssuerOptions | undefined>;
  /**
   * DEVELOPMENT ONLY: a request without a token is let in as these claims (of `issuer`, default the
   * first configured one), as if a token carried them; tokens that are present are verified as
   * always. Refused at startup unless `NODE_ENV` is `development` or `test` (any case), and
   * announced by a warning at every start: for running an app behind Cloudflare Access, say, on a
   * laptop. @defaultValue undefined
   */
  developmentBypass?: { claims: Record<string, unknown>; issuer?: string };
  /**
   * The shared store for metadata, raw key sets and revocations (e.g. Redis through `@keyv/redis`),
   * when the application's `CACHE_MANAGER` must not hold them. @defaultValue the app's
   * `CACHE_MANAGER`, else a private in-memory cache
   */
  cache?: SharedCache;
  /**
   * Authenticates what instances share through the store (metadata, key sets, revocations): each
   * copy carries an HMAC-SHA256 over its content, issuer and kind, and a copy whose MAC does not
   * verify is ignored (logged in aggregate) and the provider asked instead. Without it, whoever can
   * write the store can make every instance accept tokens signed with a key of their own. A list
   * rotates the secret: the first signs, every one verifies. At least 32 characters each; never
   * logged. @defaultValue undefined (copies are trusted as they are; logged once at startup)
   */
  sharedCacheSecret?: string | string[];
  /** How provider documents are requested (a proxy, a custom dispatcher). @defaultValue the platform's `fetch` */
  fetch?: FetchFunction;
  /** Most answers of `resolveIssuer` kept; configured issuers do not count and are never evicted. @defaultValue 100 */
  maxIssuers?: number;
  /**
   * The canonical URI of this API, as clients name it to the authorization server (RFC 8707):
   * `https://api.example.com`, or with a path when several APIs share an origin
   * (`https://example.com/mcp`). Issuers without an `audience` of their own then accept only tokens
   * whose `aud` names it; the module serves the protected resource metadata (RFC 9728) at
   * `/.well-known/oauth-protected-resource` (with the path: `.../oauth-protected-resource/mcp`),
   * and every `WWW-Authenticate` challenge points at it (`resource_metadata`). https only (http on
   * loopback with `allowInsecureHttp`), no fragment, no userinfo. Configuration, never taken from a
   * request's `Host`.
   */
  resource?: string;
  /** The protected resource metadata's other members; needs `resource`. */
  protectedResource?: ProtectedResourceOptions;
  /** Seconds after its `iat` a token is refused (401 `TOKEN_EXPIRED`), whatever its `exp`; one without `iat` is refused too. */
  maxTokenAge?: number;
}

/**
 * How provider documents are requested: the platform's `fetch` by default. Supply your own to send
 * them through a proxy or a custom dispatcher (undici's `fetch` with an `Agent`), or to resolve a
 * provider's host differently; nestjs-jwks still applies its timeout, size limit, redirect and
 * https rules around it.
 */
export type FetchFunction = (input: URL, init: RequestInit) => Promise<Response>;

/**
 * Finds the raw token in a request (Express, Fastify, a GraphQL context's `req`, a WebSocket handshake).
 * Returns `undefined` or `null` when the request carries none.
 */
export type TokenExtractor = (request: unknown) => string | null | undefined;

/**
 * What the library uses of a `cache-manager` `Cache` (the `cache` option, or the application's
 * `CACHE_MANAGER`). Structural, so a `Cache` from either cache-manager 6 or 7, loaded as CommonJS
 * or as an ES module, fits: their nominal types differ between those worlds.
 */
export interface SharedCache {
  /** The value under `key`, or `undefined`/`null` when there is none. */
  get(key: string): Promise<unknown>;
  /** Stores `value` under `key` for `ttl` milliseconds (the store's default when unset). */
  set(key: string, value: unknown, ttl?: number): Promise<unknown>;
  /** Removes the value under `key`. */
  del(key: string): Promise<unknown>;
}

/**
 * The part of a jwks-rsa `JwksClient` an issuer can take its keys from (`jwksClient` option), for
 * teams that configured one (a custom `fetcher`, `requestAgent`, `requestHeaders`). No dependency
 * on jwks-rsa: any object with this method will do.
 */
export interface JwksClientLike {
  /** The keys of the issuer's JWKS, with their `kid` and `alg` if any. */
  getSigningKeys(): Promise<
    ReadonlyArray<{
      kid?: string;
      alg?: string;
      /** The key in PEM. */
      getPublicKey(): string;
    }>
  >;
}

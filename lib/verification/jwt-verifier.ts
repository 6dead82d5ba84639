import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  SenderConstraints,
  type PresentedRequest,
  type TokenScheme,
} from '../binding/sender-constraints.js';
import {
  describeUntrusted,
  InvalidOptionsError,
  TokenMalformedError,
  TokenMissingError,
  type JwksErrorCode,
} from '../errors/jwks-errors.js';
import { JwksEventCallbacks } from '../events/jwks-event-callbacks.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import { JwksKeyCache } from '../keys/jwks-key-cache.js';
import { KeySet } from '../keys/key-set.js';
import { type JwsAlgorithm, requireSignature } from '../jws/algorithms.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions, deepFreeze } from '../options/module-options.js';
import { algorithmProblems } from '../options/option-checks.js';
import { Clock } from '../time/clock.js';
import { checkIssuerClaims, checkIssuerHeader, refuseBound } from '../issuers/issuer-rules.js';
import { checkHeader, decodeJws, decodeJwt, parseBearer } from '../jws/decode-jws.js';
import { extractToken } from '../options/token-extractors.js';
import type { JoseHeader, VerifiedToken } from '../jws/jwt.types.js';
import type { KeyObject } from 'node:crypto';
import { LruMap } from '../cache/lru-map.js';

/**
 * The one verification path, for the guard and for programmatic use (WebSocket gateways,
 * microservices, middleware).
 */
@Injectable()
export class JwtVerifier implements OnApplicationBootstrap {
  private readonly allowedList: readonly string[];
  private readonly cache: VerifiedTokenCache | undefined;

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly issuers: TrustedIssuers,
    private readonly keys: JwksKeyCache,
    private readonly clock: Clock,
    private readonly events: JwksEventCallbacks,
    private readonly constraints: SenderConstraints,
  ) {
    this.allowedList = Object.freeze([...options.acceptedAlgorithms]);
    const max = options.verifiedTokenCache;
    this.cache = max > 0 ? new VerifiedTokenCache(max) : undefined;
  }

  /**
   * DEVELOPMENT ONLY: what a request without a token stands for under `developmentBypass`, or
   * `undefined` (always, unless that option is set outside production).
   * @internal (the guard reads it)
   */
  get developmentBypass(): VerifiedToken | undefined {
    return this.options.developmentBypass;
  }

  /** Says, at every start, what lets in more than usual: `audience: false`, the development bypass. */
  onApplicationBootstrap(): void {
    const logger = new Logger(JwtVerifier.name);
    const anyAudience = [...this.options.issuers.values()].filter(
      (issuer) => issuer.audience === false,
    );
    if (anyAudience.length > 0) {
      logger.warn(
        `audience: false on ${anyAudience.map(({ issuer }) => issuer).join(', ')}: tokens are accepted whatever their aud, those minted for any other API included (RFC 8725 §3.9). Only for ID-token-style issuers whose tokens no other API accepts.`,
      );
    }
    const bypass = this.options.developmentBypass;
    if (bypass === undefined) return;
    logger.warn(
      `DEVELOPMENT BYPASS IS ON (NODE_ENV=${process.env.NODE_ENV}): requests without a token are let in as ${bypass.issuer} ${describeUntrusted(bypass.payload.sub)}. Never in production.`,
    );
  }

  /**
   * The token the configured extractors find in a request (an HTTP request, a GraphQL context's
   * `req`, a WebSocket handshake, an RPC message), or `undefined` when it carries none.
   * @throws TokenMalformedError when an extractor throws.
   */
  tokenFrom(request: unknown): string | undefined {
    return extractToken(request, this.options.tokenExtractors);
  }

  /**
   * Verifies a compact JWS (or `Bearer <token>`) from any trusted issuer: header rules, issuer
   * trust (before any network call), key selection, signature, then claims. A token bound to a
   * DPoP key or a client certificate (`cnf`) is refused here, as there is no request to check the
   * binding against: use {@link JwtVerifier.verifyRequest}.
   * @throws JwksError with a stable `code`: TOKEN_MALFORMED, ALG_NOT_ALLOWED, ISSUER_UNTRUSTED,
   * KEY_NOT_FOUND, KEY_INVALID, KEY_REVOKED, SIGNATURE_INVALID, TOKEN_EXPIRED, TOKEN_NOT_YET_VALID,
   * AUDIENCE_MISMATCH, CLAIM_INVALID, TYPE_INVALID, DPOP_BINDING_MISMATCH,
   * CERTIFICATE_BINDING_MISMATCH, ISSUER_MISMATCH, JWKS_FETCH_FAILED, JWKS_INVALID, METADATA_INVALID.
   */
  verify(token: string): Promise<VerifiedToken> {
    return this.events.verifications ? this.observed(token, false) : this.check(token, false);
  }

  /**
   * Verifies the token an HTTP request carries (`Authorization: DPoP` or `Bearer`, or what the
   * extractors find) and what binds it to the request: its DPoP proof (RFC 9449: one use across
   * the fleet, `htm`/`htu` of this request on the configured origin), its client certificate (RFC
   * 8705). For middleware and gateways; `JwtAuthGuard` does the same.
   * @throws TOKEN_MISSING, DPOP_PROOF_INVALID, DPOP_BINDING_MISMATCH, CERTIFICATE_BINDING_MISMATCH,
   * SHARED_STORE_UNAVAILABLE, and every code of {@link JwtVerifier.verify}.
   */
  async verifyRequest(request: PresentedRequest): Promise<VerifiedToken> {
    const presented = this.presentedIn(request);
    if (presented === undefined) throw new TokenMissingError();
    return this.verifyPresented(request, presented);
  }

  /**
   * The token of a request and how it was presented: `Authorization: DPoP <token>`, else what the
   * extractors find (a Bearer token).
   * @internal (the guard's)
   */
  presentedIn(request: unknown): Presented | undefined {
    const authorization = (request as { headers?: { authorization?: unknown } } | null)?.headers
      ?.authorization;
    if (typeof authorization === 'string' && isDpopScheme(authorization)) {
      const token = authorization.slice(DPOP_SCHEME.length).trim();
      if (token !== '') return { scheme: 'DPoP', token };
    }
    const token = this.tokenFrom(request);
    return token === undefined ? undefined : { scheme: 'Bearer', token };
  }

  /** @internal (the guard's) {@link JwtVerifier.verifyRequest}, for a token already found. */
  async verifyPresented(request: PresentedRequest, { scheme, token }: Presented) {
    const verified = await (this.events.verifications
      ? this.observed(token, true)
      : this.check(token, true));
    await this.constraints.check(request, scheme, compactOf(token), verified);
    return verified;
  }

  /** {@link JwtVerifier.verify}, reported to `events.onVerification` with its outcome and duration. */
  private async observed(token: string, bound: boolean): Promise<VerifiedToken> {
    const started = performance.now();
    try {
      const verified = await this.check(token, bound);
      const durationMs = performance.now() - started;
      this.events.verification({ issuer: verified.issuer, outcome: 'OK', durationMs });
      return verified;
    } catch (error) {
      const durationMs = performance.now() - started;
      const { code, issuer } = error as { code?: JwksErrorCode; issuer?: unknown };
      // The issuer of a refusal, when it is a configured one: never a value the token chose.
      const named = code === 'ISSUER_UNTRUSTED' || typeof issuer !== 'string' ? undefined : issuer;
      this.events.verification({ issuer: named, outcome: code ?? 'TOKEN_MALFORMED', durationMs });
      throw error;
    }
  }

  /** `bound`: whether the caller checks what binds the token (`cnf`) against its request. */
  private async check(token: string, bound: boolean): Promise<VerifiedToken> {
    const compact = compactOf(token);
    const cached = this.cache?.get(compact, this.clock.now());
    if (cached !== undefined) {
      if (this.stillHolds(cached)) {
        if (!bound) refuseBound(cached.verified.payload, this.options);
        return cached.verified;
      }
      this.cache!.delete(compact);
    }
    const { header, payload, signingInput, signature } = decodeJwt(
      compact,
      this.options.maxTokenLength,
    );
    const alg = checkHeader(header, this.options.acceptedAlgorithms);
    // The unverified iss only selects among trusted issuers; anything else stops here, offline.
    const found = this.issuers.match(payload.iss);
    const match = found instanceof Promise ? await found : found;
    const issuer = match.config;
    checkIssuerHeader(issuer, header, alg);
    // A key in memory is used without awaiting anything; only a miss goes async.
    const keys =
      this.keys.peek(issuer.issuer, header.kid, alg) ??
      (await this.keys.getKey(issuer.issuer, header.kid, alg));
    const key = requireSignature(alg, keys, signingInput, signature, issuer.issuer, header.kid);
    checkIssuerClaims(match, payload, this.clock.now(), this.options.clockToleranceMs);
    const verified: VerifiedToken = { payload, header, issuer: issuer.issuer };
    if (!bound) refuseBound(payload, this.options);
    if (this.cache === undefined) return verified;
    // exp is a number here: checkClaims requires it.
    const expiresAt = (payload.exp as number) * 1000 + this.options.clockToleranceMs;
    const shared = deepFreeze(verified);
    this.cache.set(compact, { verified: shared, alg, key, expiresAt });
    return shared;
  }

  /** A cached verification stands while the issuer's set (in memory) still holds the key it used. */
  private stillHolds({ verified, alg, key }: CachedVerification): boolean {
    const keys = this.keys.peek(verified.issuer, verified.header.kid, alg);
    return keys !== undefined && keys.some((candidate) => candidate.key === key);
  }

  /**
   * Verifies a compact JWS of any payload against a JWKS document you supply: the same header
   * rules, key import, key selection and signature check as `verify`, without discovery, caching or
   * claims (signed webhooks, pinned keys, conformance suites). `algorithms` defaults to the module's
   * and is checked as the module option is, before the token is read.
   * @throws InvalidOptionsError (OPTIONS_INVALID) for `none`, `HS*` or unknown algorithms.
   * @throws JwksError: TOKEN_MALFORMED, ALG_NOT_ALLOWED, JWKS_INVALID, KEY_NOT_FOUND, KEY_INVALID, SIGNATURE_INVALID.
   */
  verifyWithKeySet(
    token: string,
    jwks: unknown,
    algorithms: readonly JwsAlgorithm[] = this.allowedList as JwsAlgorithm[],
  ): { header: JoseHeader; payload: Buffer } {
    const problems = algorithmProblems(algorithms);
    if (problems.length > 0) throw new InvalidOptionsError(problems);
    const source = 'the supplied JWKS';
    const jws = decodeJws(compactOf(token), this.options.maxTokenLength);
    const { kid } = jws.header;
    const alg = checkHeader(jws.header, new Set(algorithms));
    const keys = KeySet.fromJwks(jwks, source).require(source, kid, alg, this.clock.now());
    requireSignature(alg, keys, jws.signingInput, jws.signature, source, kid);
    return { header: jws.header, payload: jws.payloadBytes };
  }
}

/** A request's token and how it was presented. */
export interface Presented {
  readonly scheme: TokenScheme;
  readonly token: string;
}

const DPOP_SCHEME = 'dpop ';

/** RFC 9449 §7.1, RFC 9110 §11.1: `DPoP`, any case, then the token. */
function isDpopScheme(authorization: string): boolean {
  return (
    authorization.length > DPOP_SCHEME.length &&
    authorization.slice(0, DPOP_SCHEME.length).toLowerCase() === DPOP_SCHEME
  );
}

/** The compact form of `token`, which may carry a `Bearer ` prefix. */
function compactOf(token: string): string {
  if (typeof token !== 'string') throw new TokenMalformedError('the token is not a string');
  return parseBearer(token) ?? token;
}

/** A verification kept for its exact token string. */
export interface CachedVerification {
  readonly verified: VerifiedToken;
  readonly alg: JwsAlgorithm;
  /** The key that verified it: the entry is good only while the issuer's set still holds it. */
  readonly key: KeyObject;
  /** When the token expires, in ms, with the clock tolerance the verifier applies. */
  readonly expiresAt: number;
}

/**
 * A bounded LRU of verified tokens, keyed by the exact token string: a repeated token skips the
 * signature check. Never serves an entry at or past its expiry; the verifier also drops it once the
 * key that verified it has left the issuer's set.
 */
export class VerifiedTokenCache {
  private readonly entries: LruMap<string, CachedVerification>;

  constructor(max: number) {
    this.entries = new LruMap(max);
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string, now: number): CachedVerification | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined || now < entry.expiresAt) return entry;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, entry: CachedVerification): void {
    this.entries.set(token, entry);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}

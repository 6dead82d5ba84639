// An application's use of the whole public API of the packed nestjs-jwks and nestjs-jwks/testing,
// compiled in each consumer (test/consumers/run.mjs copies it there): a NestJS 11 CommonJS app, where
// it compiles to require() calls of an ESM package (TypeScript >= 5.8 with module nodenext allows it,
// as Node >= 20.19 does), and a NestJS 12 ESM app. Strict settings and skipLibCheck: false, so the
// published .d.ts files are checked against each consumer's Nest, @types/passport-jwt, terminus,
// jwks-rsa, cache-manager and @opentelemetry/api. run.mjs fails when an export of the package is not
// imported here (and noUnusedLocals makes every import used). Type-checked only, never run (the
// runtime check is runtime-check.cjs); no top-level await, which CommonJS lacks.
import { CacheModule } from '@nestjs/cache-manager';
import {
  Controller,
  ForbiddenException,
  Get,
  Injectable,
  Module,
  ParseUUIDPipe,
  Post,
  Req,
  UseFilters,
  UseGuards,
  type ExecutionContext,
  type ConfigurableModuleOptionsFactory,
  type DynamicModule,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  TerminusModule,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { metrics } from '@opentelemetry/api';
import { createCache } from 'cache-manager';
import jwksRsa from 'jwks-rsa';
import type { IncomingMessage } from 'node:http';
import { ExtractJwt, Strategy } from 'passport-jwt';
import {
  addJwksSecurity,
  AlgorithmNotAllowedError,
  AllowedIssuers,
  AnyScope,
  AudienceMismatchError,
  auth0,
  ClaimInvalidError,
  Clock,
  cloudflareAccess,
  CloudflareAccessIdentity,
  cognito,
  CurrentUser,
  entraId,
  firebase,
  fromAuthorizationBearer,
  fromCookie,
  fromHeader,
  google,
  InsufficientRoleError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  CertificateBindingMismatchError,
  DpopBindingMismatchError,
  DpopProofInvalidError,
  SharedStoreUnavailableError,
  InvalidJwksError,
  InvalidKeyError,
  InvalidOptionsError,
  Issuer,
  IssuerDiscoveryService,
  IssuerMismatchError,
  IssuerNotAllowedError,
  IssuerUntrustedError,
  JwksError,
  JwksErrorFilter,
  JwksFetchFailedError,
  JwksGraphqlWs,
  JwksHealthIndicator,
  JwksKeyCache,
  JwksModule,
  JwksStrategy,
  JwtAuthGuard,
  JwksRulesGuard,
  JwtVerifier,
  KeyNotFoundError,
  MaxAuthAge,
  KeyRevokedError,
  keycloak,
  MetadataInvalidError,
  okta,
  openTelemetryEvents,
  OptionalAuth,
  PrincipalRefusedError,
  ProtectedResourceMetadata,
  Public,
  rememberHandshake,
  RequireAcr,
  requireScopes,
  Roles,
  Scopes,
  SignatureInvalidError,
  TokenExpiredError,
  TokenMalformedError,
  TokenMissingError,
  TokenNotYetValidError,
  TypeInvalidError,
  type Authenticated,
  type AuthorizationServerMetadata,
  type AuthRequest,
  type CloudflareAccessClaims,
  type CloudflareIdentity,
  type FetchErrorEvent,
  type FetchEvent,
  type FetchFunction,
  type GraphqlWsConnection,
  type ImportedKey,
  type IssuerHealth,
  type IssuerOptions,
  type JoseHeader,
  type JwksClientLike,
  type JwksErrorCode,
  type JwksErrorOptions,
  type SharedCache,
  type JwksEvents,
  type JwksHealthResult,
  type JwksModuleOptions,
  type JwksOpenApiOptions,
  type JwsAlgorithm,
  type JwtPayload,
  type JwtUser,
  type JwtUserClaim,
  type KeyLookupEvent,
  type KeyNotFoundEvent,
  type KeyReference,
  type ListedKey,
  type MeterLike,
  type MetricAttributes,
  type OpenApiDocumentLike,
  type ProtectedResourceOptions,
  type DpopOptions,
  type DpopReplayStore,
  type MtlsOptions,
  type PresentedRequest,
  type RefreshEvent,
  type SecretOrKeyProvider,
  type StandardClaims,
  type TokenExtractor,
  type VerificationEvent,
  type VerifiedToken,
} from 'nestjs-jwks';
import {
  certificateThumbprint,
  createDpopKey,
  createDpopProof,
  createTestIssuer,
  type DpopKey,
  type DpopProofOptions,
  type SignOptions,
  type TestIssuer,
  type TestIssuerOptions,
} from 'nestjs-jwks/testing';

// The application's own claims, typed wherever the default principal is.
declare module 'nestjs-jwks' {
  interface JwtUser {
    org_id: string;
    email?: string;
  }
}

/** Compile-time equality, as type tests write it. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

// ---- The augmented principal and its claims ----------------------------------------------------

function orgOf(user: JwtUser): string {
  const email: string | undefined = user.email;
  return email === undefined ? user.org_id : `${user.org_id}:${email}`;
}
// @ts-expect-error the augmentation made org_id required
const withoutOrg: JwtUser = { sub: 'someone' };
function misspelt(user: JwtUser): unknown {
  // @ts-expect-error JwtUser names the standard claims and the augmented ones only
  return user.emial;
}
const standard: StandardClaims = { iss: 'https://login.example.com/', sub: 'someone', scp: ['a'] };
const claims: JwtUserClaim[] = ['org_id', 'email', 'sub', 'any-other-claim'];
assertType<Equal<JwtUser['org_id'], string>>();
assertType<Equal<JwtUser['aud'], StandardClaims['aud']>>();
assertType<Equal<JwtPayload['aud'], string | readonly string[] | undefined>>();

// ---- Options: every module option, every issuer option, presets ----------------------------------

const fromQuery: TokenExtractor = (request) =>
  (request as { query?: Record<string, string | undefined> }).query?.['access_token'];
const viaFetch: FetchFunction = (input, init) => fetch(input, init);
const algorithms: JwsAlgorithm[] = ['RS256', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

const jwksClient = new jwksRsa.JwksClient({ jwksUri: 'https://legacy.example.com/jwks.json' });
const fromJwksRsa: JwksClientLike = jwksClient;

const staff: IssuerOptions = {
  issuer: 'https://login.example.com/',
  discoveryUrl: 'https://login.example.com/.well-known/openid-configuration',
  audience: ['https://api.example.com', 'https://admin.example.com'],
  algorithms: ['RS256', 'PS256', 'EdDSA'],
  rewriteJwksOrigin: false,
  tokenExtractors: [fromHeader('x-staff-token'), fromCookie('staff_session'), fromQuery],
  requiredClaims: ['sub', 'org_id'],
  typ: 'at+jwt',
  issuerAliases: ['login.example.com'],
  authorizedParty: 'web-client',
  expectedClaims: { token_use: 'access', client_id: ['a', 'b'] },
  rolesClaim: 'realm_access.roles',
  requestHeaders: { 'x-api-key': 'secret' },
};
const tenants: IssuerOptions = {
  issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
  jwksUri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
  audience: 'api://tenants',
  allowedTenants: ['11111111-2222-3333-4444-555555555555'],
  tenantClaim: 'tid',
};
// ID tokens no other API accepts: any audience, on purpose (announced at startup).
const legacy: IssuerOptions = {
  issuer: 'https://legacy.example.com',
  jwksClient: fromJwksRsa,
  audience: false,
};

const presets: IssuerOptions[] = [
  auth0({ domain: 'tenant.eu.auth0.com', audience: 'https://api.example.com' }),
  cloudflareAccess({ team: 'acme', audience: ['aud-tag'] }),
  cognito({
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_abc',
    clientId: 'client',
    tokenUse: 'access',
  }),
  entraId({ tenant: 'organizations', audience: 'api://x', allowedTenants: ['t'], acceptV1: true }),
  firebase({ projectId: 'my-project' }),
  google({ clientId: ['a.apps.googleusercontent.com'] }),
  keycloak({
    baseUrl: 'https://sso.example.com',
    realm: 'acme',
    audience: 'api',
    authorizedParty: 'web',
  }),
  okta({ domain: 'acme.okta.com', authorizationServerId: 'default', audience: 'api://default' }),
];

// Events: each callback with its event type.
const events: JwksEvents = {
  onFetchError: (event: FetchErrorEvent) => {
    const document: 'metadata' | 'jwks' = event.document;
    const stale: boolean = event.servingStale;
    const code: JwksErrorCode | undefined =
      event.error instanceof JwksError ? event.error.code : undefined;
    void [document, stale, code, event.issuer];
  },
  onRefresh: (event: RefreshEvent) => {
    const ageMs: number = Date.now() - event.fetchedAt;
    const source: 'network' | 'shared-cache' = event.source;
    void [ageMs, source, event.keys, event.skipped, event.reason, event.uri];
  },
  onKeyNotFound: (event: KeyNotFoundEvent) => void [event.issuer, event.kid],
  onFetch: (event: FetchEvent) => void [event.outcome, event.durationMs, event.code],
  onVerification: (event: VerificationEvent) => {
    const outcome: 'OK' | JwksErrorCode = event.outcome;
    void [outcome, event.durationMs, event.issuer];
  },
  onKeyLookup: (event: KeyLookupEvent) => void [event.issuer, event.outcome],
};

// A hand-made meter (what a metrics library other than OpenTelemetry would adapt).
const recorded: Array<[string, number, MetricAttributes | undefined]> = [];
const meter: MeterLike = {
  createCounter: (name) => ({
    add: (value, attributes) => recorded.push([name, value, attributes]),
  }),
  createHistogram: (name) => ({
    record: (value, attributes) => recorded.push([name, value, attributes]),
  }),
  createObservableGauge: (name) => ({
    addCallback: (callback) =>
      callback({ observe: (value, attributes) => recorded.push([name, value, attributes]) }),
  }),
};

// A cache-manager Cache, CommonJS or ESM, 6 or 7, fits the structural SharedCache.
const sharedCache: SharedCache = createCache({ ttl: 60_000 });
// The API as an OAuth 2.0 protected resource (RFC 9728): its metadata names these.
const protectedResource: ProtectedResourceOptions = {
  authorizationServers: [staff.issuer],
  scopesSupported: ['read:things', 'write:things'],
  resourceName: 'Things API',
  resourceDocumentation: 'https://docs.example.com/things',
};

// Sender-constrained tokens: DPoP with an atomic replay store (Redis SET NX in the README), mTLS.
const replayStore: DpopReplayStore = { claimOnce: () => Promise.resolve(true) };
const dpop: DpopOptions = {
  required: false,
  origin: 'https://api.example.com',
  algorithms: ['ES256', 'EdDSA'],
  proofMaxAge: 60,
  nonce: true,
  replayCheck: 'strict',
  replayStore,
};
const mtls: MtlsOptions = { required: false, certificateHeader: 'x-ssl-client-cert' };

const options: JwksModuleOptions = {
  issuers: [staff, tenants, legacy, ...presets],
  dpop,
  mtls,
  maxTokenAge: 86_400,
  resource: 'https://api.example.com/things',
  protectedResource,
  algorithms,
  clockTolerance: 30,
  cacheTtl: 900,
  minCacheTtl: 60,
  maxCacheTtl: 86_400,
  staleTtl: 86_400,
  cooldown: 30,
  unknownKidBudget: 3,
  controlSyncInterval: 5,
  sharedCacheSecret: [
    'the signing secret, 32 characters long',
    'the previous secret, 32 characters or more',
  ],
  timeout: 5,
  sharedCacheTimeout: 0.2,
  retries: 3,
  maxResponseBytes: 1 << 20,
  maxTokenLength: 16_384,
  prefetch: true,
  allowInsecureHttp: false,
  tokenExtractors: [fromAuthorizationBearer, fromHeader('cf-access-jwt-assertion')],
  events: { ...events, ...openTelemetryEvents(meter, () => performance.now()) },
  verifiedTokenCache: { max: 10_000 },
  resolveIssuer: async (iss) =>
    iss.startsWith('https://login.example.com/') ? { issuer: iss, audience: 'api' } : undefined,
  developmentBypass: { claims: { sub: 'dev', org_id: 'dev-org' }, issuer: staff.issuer },
  cache: sharedCache,
  fetch: viaFetch,
  maxIssuers: 500,
};

// ---- A JwksStrategy subclass: the application's principal --------------------------------------

class AppUser {
  constructor(
    readonly id: string,
    readonly org: string,
    readonly suspended = false,
  ) {}
}

@Injectable()
class UsersService {
  async findBySubject(sub: string | undefined): Promise<AppUser | undefined> {
    return sub === undefined ? undefined : new AppUser(sub, 'acme');
  }
}

@Injectable()
class AppStrategy extends JwksStrategy {
  constructor(
    verifier: JwtVerifier,
    private readonly users: UsersService,
  ) {
    super(verifier);
  }

  override async validate(
    payload: JwtPayload & JwtUser,
    verified?: VerifiedToken,
  ): Promise<AppUser | null> {
    const header: JoseHeader | undefined = verified?.header;
    const org: string = payload.org_id;
    const user = await this.users.findBySubject(`${org}/${payload.sub}`);
    if (user?.suspended) throw new ForbiddenException(`Suspended (${header?.kid ?? 'no kid'})`);
    return user ?? null;
  }
}

// ---- passport-jwt's own Strategy, keys from JwksKeyCache (the jwks-rsa migration path) ---------

@Injectable()
class LegacyJwtStrategy extends PassportStrategy(Strategy, 'legacy-jwt') {
  constructor(keys: JwksKeyCache) {
    const secretOrKeyProvider: SecretOrKeyProvider = keys.secretOrKeyProvider();
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider,
      algorithms: ['RS256', 'ES256'],
      issuer: legacy.issuer,
    });
  }

  validate(payload: JwtPayload): JwtPayload {
    return payload;
  }
}

// ---- Decorators on a controller -----------------------------------------------------------------

@Controller('things')
@UseGuards(JwtAuthGuard)
@Scopes('read:things')
@AllowedIssuers(staff.issuer, tenants.issuer)
class ThingsController {
  @Public()
  @Get('ping')
  ping(): string {
    return 'pong';
  }

  @OptionalAuth()
  @Get('maybe')
  maybe(@CurrentUser() user: JwtUser | undefined): string {
    return user === undefined ? 'anonymous' : orgOf(user);
  }

  @Get('me')
  me(
    @CurrentUser() user: JwtUser,
    @CurrentUser('email') email: string | undefined,
    @CurrentUser('sub', ParseUUIDPipe) sub: string,
    @CurrentUser('org_id', new ParseUUIDPipe({ version: '4' })) org: string,
    @Issuer() issuer: string,
  ) {
    return { user, email, sub, org, issuer };
  }

  @Roles('admin', 'auditor')
  @Scopes('write:things')
  @Get('admin')
  admin(@CurrentUser() user: AppUser): string {
    return user.id;
  }

  // Step-up (RFC 9470), one of the scopes, and a scope only the body tells.
  @AnyScope('audit:read', 'audit:all')
  @RequireAcr('urn:example:mfa')
  @MaxAuthAge(300)
  @UseFilters(JwksErrorFilter)
  @Post('audit')
  audit(@Req() request: AuthRequest): string {
    requireScopes(request, 'audit:write');
    return 'audited';
  }

  @UseGuards(AuthGuard(['jwks', 'legacy-jwt']), JwksRulesGuard)
  @Get('legacy')
  viaPassport(@CurrentUser() user: AppUser | JwtPayload): unknown {
    return user;
  }
}

// ---- The metadata, as an application's own guard reads it --------------------------------------

/** A clock of the application's own: `Clock` is the abstract class the library injects. */
@Injectable()
class WallClock extends Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}

@Injectable()
class AuditGuard {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthRequest>();
    if (request.user === undefined) return false;
    const targets = [context.getHandler(), context.getClass()];
    const open: true | undefined = this.reflector.getAllAndOverride(Public, targets);
    const optional = this.reflector.get(OptionalAuth, context.getHandler());
    return open === true || optional === true;
  }
}

// ---- Services: verifier, key cache, issuers, discovery, health, Cloudflare identity ------------

@Injectable()
class Operations {
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly keys: JwksKeyCache,
    private readonly discovery: IssuerDiscoveryService,
    private readonly strategy: JwksStrategy,
    private readonly cloudflare: CloudflareAccessIdentity,
    private readonly clock: Clock,
  ) {}

  async verify(request: IncomingMessage): Promise<string> {
    const token: string | undefined = this.verifier.tokenFrom(request);
    if (token === undefined) throw new TokenMissingError();
    const verified: VerifiedToken = await this.verifier.verify(token);
    const { user, verified: again }: Authenticated = await this.strategy.authenticateToken(token);
    const principal: Authenticated = await this.strategy.principalOf(verified);
    const presented: PresentedRequest = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
      socket: request.socket,
    };
    const bound: VerifiedToken = await this.verifier.verifyRequest(presented);
    return `${verified.issuer} ${String(user)} ${again.issuer} ${String(principal.user)} ${bound.issuer}`;
  }

  async operate(issuer: string, kid: string): Promise<void> {
    const keys: readonly ImportedKey[] = await this.keys.getKey(issuer, kid, 'RS256');
    const listed: ListedKey[] = this.keys.listKeys(issuer);
    const health: IssuerHealth = this.keys.health(issuer);
    await this.keys.revokeKey(issuer, kid);
    const byThumbprint: KeyReference = { thumbprint: listed[0]!.thumbprint };
    await this.keys.revokeKey(issuer, byThumbprint);
    await this.keys.revokeKey(issuer, { kid: keys[0]!.kid ?? kid });
    await this.keys.purge(issuer);
    await this.keys.purge();
    await this.keys.refresh(issuer);
    const metadata: AuthorizationServerMetadata = await this.discovery.getMetadata(issuer);
    const now: number = this.clock.now();
    await this.clock.sleep(10, AbortSignal.timeout(1000));
    void [keys[0]?.key, listed[0]?.state, health.status, metadata.jwks_uri, now];
  }

  async identity(token: string, claims: CloudflareAccessClaims): Promise<string | undefined> {
    const identity: CloudflareIdentity = await this.cloudflare.getIdentity(token);
    return identity.email ?? claims.email ?? claims.common_name;
  }
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly jwks: JwksHealthIndicator,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.jwks.isHealthy(), () => this.jwks.isHealthy('idp')]);
  }

  async raw(): Promise<HealthIndicatorResult<'jwks'>> {
    const result: Record<'jwks', JwksHealthResult> = await this.jwks.isHealthy();
    return result;
  }
}

// ---- WebSockets and GraphQL subscriptions (without their packages' types) -----------------------

@Injectable()
class Gateway {
  readonly onConnect: (connection: GraphqlWsConnection) => Promise<boolean>;

  constructor(graphqlWs: JwksGraphqlWs) {
    this.onConnect = graphqlWs.onConnect({ scopes: ['subscribe'] });
  }

  handleConnection(client: object, request: IncomingMessage): void {
    rememberHandshake(client, request);
  }
}

// ---- Errors: classes, their fields, and `code` -------------------------------------------------

const STATUS = {
  JWKS_FETCH_FAILED: 503,
  JWKS_INVALID: 503,
  METADATA_INVALID: 503,
  KEY_NOT_FOUND: 401,
  KEY_INVALID: 401,
  KEY_REVOKED: 401,
  ALG_NOT_ALLOWED: 401,
  ISSUER_MISMATCH: 503,
  ISSUER_UNTRUSTED: 401,
  AUDIENCE_MISMATCH: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_NOT_YET_VALID: 401,
  TOKEN_MALFORMED: 401,
  TOKEN_MISSING: 401,
  SIGNATURE_INVALID: 401,
  CLAIM_INVALID: 401,
  TYPE_INVALID: 401,
  PRINCIPAL_REFUSED: 401,
  INSUFFICIENT_USER_AUTHENTICATION: 401,
  DPOP_PROOF_INVALID: 401,
  DPOP_BINDING_MISMATCH: 401,
  CERTIFICATE_BINDING_MISMATCH: 401,
  SHARED_STORE_UNAVAILABLE: 503,
  INSUFFICIENT_SCOPE: 403,
  INSUFFICIENT_ROLE: 403,
  ISSUER_NOT_ALLOWED: 403,
  OPTIONS_INVALID: 500,
} as const satisfies Record<JwksErrorCode, 401 | 403 | 500 | 503>;

function statusOf(error: unknown): number {
  if (!(error instanceof JwksError)) return 500;
  const code: JwksErrorCode = error.code;
  switch (error.code) {
    case 'TOKEN_EXPIRED':
    case 'TOKEN_NOT_YET_VALID':
      return 401;
    default:
      return STATUS[code];
  }
}

class TenantSuspendedError extends JwksError {
  constructor(
    readonly tenant: string,
    options?: JwksErrorOptions,
  ) {
    super('CLAIM_INVALID', `Tenant ${tenant} is suspended`, options);
  }
}

const cause: JwksErrorOptions = { cause: new Error('socket hang up') };
const errors: JwksError[] = [
  new AlgorithmNotAllowedError('HS256', ['RS256']),
  new AudienceMismatchError('https://issuer', ['api']),
  new ClaimInvalidError('azp', 'is not an authorized party'),
  new InsufficientRoleError(['admin']),
  new InsufficientScopeError(['read']),
  new InsufficientUserAuthenticationError('acr', ['urn:example:mfa'], 300),
  new InvalidJwksError('https://issuer/jwks', 'no keys'),
  new InvalidKeyError('https://issuer', 'kid', 'too short'),
  new InvalidOptionsError(['issuers[0].issuer must be https']),
  new IssuerMismatchError('https://a', 'https://b', 'https://a/.well-known/openid-configuration'),
  new IssuerNotAllowedError('https://a', ['https://b']),
  new IssuerUntrustedError(undefined),
  new JwksFetchFailedError('https://issuer/jwks', 'timeout', { ...cause, document: 'JWKS' }),
  new KeyNotFoundError('https://issuer', undefined, new Date()),
  new KeyRevokedError('https://issuer', 'kid'),
  new MetadataInvalidError('https://issuer/.well-known/openid-configuration', 'not JSON'),
  new PrincipalRefusedError('https://issuer'),
  new SignatureInvalidError('https://issuer', 'kid'),
  new TokenExpiredError(new Date()),
  new TokenMalformedError('three parts expected'),
  new TokenMissingError(),
  new TokenNotYetValidError('nbf', new Date()),
  new TypeInvalidError('https://issuer', 'at+jwt', 'JWT'),
  new DpopProofInvalidError('jti seen', false),
  new DpopBindingMismatchError('another key'),
  new CertificateBindingMismatchError('no certificate'),
  new SharedStoreUnavailableError('the DPoP replay check needs it'),
  new TenantSuspendedError('acme', cause),
];

function explain(error: JwksError): string {
  if (error instanceof KeyNotFoundError)
    return `${error.kid ?? '-'} ${error.refreshedAt.getTime()}`;
  if (error instanceof InsufficientScopeError) return error.missing.join(' ');
  if (error instanceof InvalidOptionsError) return error.problems.join('; ');
  if (error instanceof TokenNotYetValidError) return `${error.claim} ${error.at.toISOString()}`;
  if (error instanceof JwksFetchFailedError) return `${error.uri} ${error.reason}`;
  if (error instanceof TenantSuspendedError) return error.tenant;
  return `${error.name} ${error.code} ${statusOf(error)} ${String(error.cause)}`;
}

// ---- Modules: forRoot with every option, forRootAsync (factory and class) -----------------------

@Injectable()
class JwksConfig implements ConfigurableModuleOptionsFactory<
  JwksModuleOptions,
  'createJwksOptions'
> {
  createJwksOptions(): JwksModuleOptions {
    return options;
  }
}

const SETTINGS = Symbol('settings');

@Module({ providers: [{ provide: SETTINGS, useValue: options }], exports: [SETTINGS] })
class SettingsModule {}

@Module({
  imports: [
    CacheModule.register({ isGlobal: true }),
    TerminusModule,
    JwksModule.forRoot({ ...options, isGlobal: true }),
  ],
  controllers: [ThingsController, HealthController],
  providers: [
    UsersService,
    Operations,
    Gateway,
    AuditGuard,
    LegacyJwtStrategy,
    JwksHealthIndicator,
    { provide: JwksStrategy, useClass: AppStrategy },
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: Clock, useClass: WallClock },
  ],
})
export class AppModule {}

@Module({
  imports: [
    JwksModule.forRootAsync({
      imports: [SettingsModule],
      inject: [SETTINGS],
      useFactory: async (settings: JwksModuleOptions) => ({ ...settings, prefetch: false }),
      isGlobal: false,
    }),
  ],
})
export class AsyncFactoryModule {}

@Module({ imports: [JwksModule.forRootAsync({ useClass: JwksConfig })] })
export class AsyncClassModule {}

// The OpenAPI document of @nestjs/swagger, with the bearer tokens described from the decorators:
// addJwksSecurity takes the document as @nestjs/swagger types it, and gives it back so typed.
function documented(app: INestApplication): OpenAPIObject {
  const ids: JwksOpenApiOptions = {
    operationIdFactory: (controller, method) => `${controller}.${method}`,
  };
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().build(), ids);
  const described = addJwksSecurity(app, document, ids);
  assertType<Equal<typeof described, OpenAPIObject>>();
  const structural: OpenApiDocumentLike = described;
  void structural;
  return described;
}

// ---- nestjs-jwks/testing ------------------------------------------------------------------------

const issuerSetup: TestIssuerOptions = {
  algorithms: ['RS256', 'ES256', 'EdDSA'],
  audience: 'https://api.test',
};
const signing: SignOptions = {
  alg: 'ES256',
  kid: 'rotated',
  expiresIn: 60,
  notBefore: 0,
  header: { typ: 'at+jwt' },
};

// CommonJS has no top-level await: a test's setup, as a function.
async function withTestIssuer(): Promise<{
  module: DynamicModule;
  token: string;
  fetches: number;
}> {
  const testIssuer: TestIssuer = await createTestIssuer(issuerSetup);
  try {
    const token: string = testIssuer.sign({ sub: 'user', org_id: 'acme', scope: 'read' }, signing);
    const dpopKey: DpopKey = createDpopKey('EdDSA');
    const bound = testIssuer.sign(
      { sub: 'user', org_id: 'acme' },
      { dpopKey, certificate: undefined },
    );
    const proofOptions: DpopProofOptions = {
      method: 'POST',
      url: 'https://api.example.com/things',
    };
    const proof: string = createDpopProof(dpopKey, { ...proofOptions, accessToken: bound });
    const x5t: (pem: string) => string = certificateThumbprint;
    void [proof, x5t, dpopKey.thumbprint];
    testIssuer.rotate({ dropPrevious: true });
    const testOptions: IssuerOptions = testIssuer.issuerOptions({ rolesClaim: 'roles' });
    void [testIssuer.issuer, testIssuer.jwksUri, testIssuer.audience];
    const module = JwksModule.forRoot({ issuers: [testOptions], allowInsecureHttp: true });
    return { module, token, fetches: testIssuer.jwksFetches };
  } finally {
    await testIssuer.close();
  }
}

export const used = [
  withoutOrg,
  misspelt,
  standard,
  claims,
  recorded,
  metrics.getMeter('api'),
  openTelemetryEvents(metrics.getMeter('api')),
  errors.map(explain),
  withTestIssuer,
  documented,
  (metadata: ProtectedResourceMetadata) => metadata.document(),
];

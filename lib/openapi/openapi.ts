import type { INestApplicationContext } from '@nestjs/common';
import { PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import { deriveMetadataUrls } from '../discovery/metadata-source.js';
import { ERROR_ANSWERS, type AuthStatus, type JwksErrorCode } from '../errors/jwks-errors.js';
import type { RouteRules } from '../guards/route-rules.js';
import { WiringCheck, type JwksRoute } from '../guards/wiring-check.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';

// Nothing here loads @nestjs/swagger (an optional peer): the document is read and written as the
// plain OpenAPI 3 object `SwaggerModule.createDocument()` returns.

/** The parts of an OpenAPI 3 document `addJwksSecurity` needs: what `SwaggerModule.createDocument()` returns. */
export interface OpenApiDocumentLike {
  /** The operations, by path and method; each operation under `JwtAuthGuard` gets its security. */
  paths: object;
  /** Where the security schemes are added (`components.securitySchemes`). */
  components?: object;
}

/** How `addJwksSecurity` finds the operation of each route. */
export interface JwksOpenApiOptions {
  /**
   * The `operationIdFactory` given to `SwaggerModule.createDocument()`, when it is not the default
   * (`Controller_method`): operations are matched to routes by their `operationId`.
   */
  operationIdFactory?: (controllerKey: string, methodKey: string, version?: string) => string;
}

/**
 * What each route rule adds to an operation: the code a token that breaks it gets (its status from
 * `ERROR_ANSWERS` picks the 401 or 403 answer) and how the answer's description names it. A new
 * rule is one row.
 */
const RULES: ReadonlyArray<{
  readonly code: JwksErrorCode;
  readonly values: (rules: RouteRules) => readonly string[];
  readonly says: (values: readonly string[]) => string;
}> = [
  { code: 'INSUFFICIENT_SCOPE', values: (r) => r.scopes, says: (v) => `scopes ${v.join(', ')}` },
  { code: 'INSUFFICIENT_ROLE', values: (r) => r.roles, says: (v) => `roles ${v.join(', ')}` },
  {
    code: 'ISSUER_NOT_ALLOWED',
    values: (r) => allowedIssuers(r) ?? [],
    says: (v) => `a token of ${v.join(' or ')}`,
  },
];

/** Codes a client never receives: startup only. */
const NEVER_ANSWERED: ReadonlySet<JwksErrorCode> = new Set(['OPTIONS_INVALID']);
const RULE_CODES: ReadonlySet<JwksErrorCode> = new Set(RULES.map(({ code }) => code));
/** The codes any guarded route may answer, by status; the rules' own codes come with their rules. */
const CODES_BY_STATUS: Readonly<Record<AuthStatus, readonly JwksErrorCode[]>> = (() => {
  const byStatus: Record<AuthStatus, JwksErrorCode[]> = { 401: [], 403: [], 503: [] };
  for (const code of Object.keys(ERROR_ANSWERS) as JwksErrorCode[]) {
    if (!NEVER_ANSWERED.has(code) && !RULE_CODES.has(code))
      byStatus[ERROR_ANSWERS[code].status].push(code);
  }
  return byStatus;
})();

const BEARER = 'bearer';
const METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
  'search',
  'query',
];
const TITLES: Readonly<Record<AuthStatus, string>> = {
  401: 'No valid bearer token',
  403: 'The token does not grant what this operation requires',
  503: 'The identity provider is unavailable and no usable key is cached',
};

type Json = Record<string, unknown>;
type Operation = Json & { operationId?: string; responses?: Json; security?: unknown };

/**
 * Describes the bearer tokens of `JwksModule` in an OpenAPI document made by `@nestjs/swagger`
 * (`SwaggerModule.createDocument()`), from the decorators the routes already carry: a security
 * scheme per issuer (OpenID Connect with its discovery URL where the module discovers it, else HTTP
 * bearer JWT), and on each operation under `JwtAuthGuard` its security requirement (with its
 * `@Scopes()`), `@Public()` operations left open, `@OptionalAuth()` ones optional, and the 401, 403
 * and 503 answers with the error `code`s a client may get. Operations already documenting an answer
 * keep theirs. Call it once the application is created (`NestFactory.create`, or
 * `createNestApplication` in a test); it changes `document` and returns it.
 * @example
 * const document = addJwksSecurity(app, SwaggerModule.createDocument(app, config));
 * SwaggerModule.setup('docs', app, document);
 */
export function addJwksSecurity<T extends OpenApiDocumentLike>(
  app: INestApplicationContext,
  document: T,
  options: JwksOpenApiOptions = {},
): T {
  const settings = app.get<ResolvedJwksOptions>(JWKS_OPTIONS, { strict: false });
  const schemes = securitySchemes(settings);
  const routes = routeIndex(app.get(WiringCheck, { strict: false }).routes(), options);
  const doc = document as unknown as { paths: Record<string, Json>; components?: Json };
  for (const pathItem of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method] as Operation | undefined;
      const route = operation && routeOf(routes, operation.operationId, method);
      if (operation && route?.authenticated) secure(operation, route.rules, schemes);
    }
  }
  const components = (doc.components ??= {});
  components.securitySchemes = { ...(components.securitySchemes as Json), ...schemes.objects };
  return document;
}

/** The security schemes of the module's issuers, and which one names each issuer. */
interface Schemes {
  readonly objects: Record<string, Json>;
  /** Issuer → scheme name; issuers not listed (resolved tenants) use `fallback`. */
  readonly byIssuer: ReadonlyMap<string, string>;
  readonly fallback: string | undefined;
  /** The HTTP bearer JWT scheme's name, added on first use. */
  bearer(): string;
}

function securitySchemes(settings: ResolvedJwksOptions): Schemes {
  const objects: Record<string, Json> = {};
  const byIssuer = new Map<string, string>();
  const bearer = () => {
    objects[BEARER] ??= {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A JWT access token of a trusted issuer',
    };
    return BEARER;
  };
  for (const issuer of settings.issuers.values()) {
    const discovered = issuer.jwksUri === undefined && issuer.jwksClient === undefined;
    const url = issuer.discoveryUrl ?? (isTemplate(issuer.issuer) ? undefined : oidcUrl(issuer));
    if (!discovered || url === undefined) {
      byIssuer.set(issuer.issuer, bearer());
      continue;
    }
    const name = uniqueName(schemeName(issuer.issuer), objects);
    objects[name] = {
      type: 'openIdConnect',
      openIdConnectUrl: url,
      description: `Access tokens of ${issuer.issuer}`,
    };
    byIssuer.set(issuer.issuer, name);
  }
  const dynamic = settings.resolveIssuer !== undefined;
  const fallback = dynamic || byIssuer.size === 0 ? bearer() : undefined;
  return { objects, byIssuer, fallback, bearer };
}

/** The operation's security, responses and description of what its token must grant. */
function secure(operation: Operation, rules: RouteRules, schemes: Schemes): void {
  if (rules.public) {
    // OpenAPI 3.0 §4.8.10: an empty list removes the document's security from this operation.
    operation.security = [];
    return;
  }
  const allowed = allowedIssuers(rules);
  const names = new Set(
    [...schemes.byIssuer]
      .filter(([issuer]) => allowed === undefined || allowed.includes(issuer))
      .map(([, name]) => name),
  );
  if (allowed === undefined && schemes.fallback !== undefined) names.add(schemes.fallback);
  // Issuers that only resolveIssuer knows: a bearer token all the same, never an open operation.
  if (names.size === 0) names.add(schemes.bearer());
  // OpenAPI 3.0 §4.8.30: scopes are listed for oauth2 / openIdConnect schemes only.
  const requirements = [...names].map((name) => ({
    [name]: schemes.objects[name]?.type === 'openIdConnect' ? [...rules.scopes] : [],
  }));
  // An empty requirement makes security optional: anonymous, or a valid token.
  operation.security = rules.optional ? [{}, ...requirements] : requirements;
  const broken = RULES.map((rule) => ({ rule, values: rule.values(rules) })).filter(
    ({ values }) => values.length > 0,
  );
  const responses = (operation.responses ??= {});
  for (const status of [401, 403, 503] as const) {
    const own = broken.filter(({ rule }) => ERROR_ANSWERS[rule.code].status === status);
    const codes = [...CODES_BY_STATUS[status], ...own.map(({ rule }) => rule.code)];
    if (codes.length === 0 || responses[status] !== undefined) continue;
    const requires = own.map(({ rule, values }) => rule.says(values)).join('; ');
    responses[status] = refusal(status, codes, requires);
  }
}

/** A refusal as `JwtAuthGuard` answers it: the RFC 6750 challenge and `{ statusCode, error, message, code }`. */
function refusal(status: AuthStatus, codes: readonly JwksErrorCode[], requires: string): Json {
  const description = requires === '' ? TITLES[status] : `${TITLES[status]}: requires ${requires}`;
  return {
    description: `${description} (code: ${codes.join(', ')})`,
    ...(status === 503
      ? {}
      : {
          headers: {
            'WWW-Authenticate': {
              description: 'The RFC 6750 challenge',
              schema: { type: 'string' },
            },
          },
        }),
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['statusCode', 'message', 'code'],
          properties: {
            statusCode: { type: 'integer', enum: [status] },
            error: { type: 'string' },
            message: { type: 'string' },
            code: { type: 'string', enum: [...codes] },
          },
        },
      },
    },
  };
}

/** The issuers every `@AllowedIssuers()` list of the route allows; `undefined` when it has none. */
function allowedIssuers(rules: RouteRules): readonly string[] | undefined {
  if (rules.issuers.length === 0) return undefined;
  return rules.issuers.reduce((kept, list) => kept.filter((issuer) => list.includes(issuer)));
}

/**
 * Each route by the `operationId`s `@nestjs/swagger` may give its operations: per path alias
 * (`method[0]`, for a route with several paths) and declared version, as its explorer names them.
 */
function routeIndex(
  routes: readonly JwksRoute[],
  { operationIdFactory = defaultOperationId }: JwksOpenApiOptions,
): Map<string, JwksRoute> {
  const index = new Map<string, JwksRoute>();
  for (const route of routes) {
    const handler = (route.type.prototype as Record<string, object>)[route.method]!;
    // With URI versioning the explorer names a version as its path does (`v1`, the default prefix).
    const declared = [...versionsOf(handler), ...versionsOf(route.type)];
    const versions = [...declared, ...declared.map((version) => `v${version}`)];
    const paths = countOf(PATH_METADATA, handler) * countOf(PATH_METADATA, route.type);
    const aliases = paths * Math.max(1, declared.length);
    const keys = [route.method];
    for (let i = 0; aliases > 1 && i < aliases; i++) keys.push(`${route.method}[${i}]`);
    for (const key of keys) {
      for (const version of [undefined, ...versions]) {
        index.set(operationIdFactory(route.type.name, key, version), route);
      }
    }
  }
  return index;
}

/**
 * The route of an operation: by its id; a `@All()` route's operations carry the method as a suffix,
 * and one under the application's default version carries that version.
 */
function routeOf(
  index: ReadonlyMap<string, JwksRoute>,
  operationId: string | undefined,
  method: string,
): JwksRoute | undefined {
  if (operationId === undefined) return undefined;
  const id = operationId.endsWith(`_${method}`)
    ? [operationId, operationId.slice(0, -method.length - 1)]
    : [operationId];
  const unversioned = id.map((each) => each.replace(/_[^_]+$/, ''));
  for (const candidate of [...id, ...unversioned]) {
    const route = index.get(candidate);
    if (route !== undefined) return route;
  }
  return undefined;
}

function versionsOf(target: object): string[] {
  const version = Reflect.getMetadata(VERSION_METADATA, target) as unknown;
  const list = Array.isArray(version) ? version : [version];
  return list.filter((each): each is string => typeof each === 'string');
}

function countOf(key: string, target: object): number {
  const value = Reflect.getMetadata(key, target) as unknown;
  return Array.isArray(value) ? Math.max(1, value.length) : 1;
}

/** `@nestjs/swagger`'s default operation id. */
function defaultOperationId(controllerKey: string, methodKey: string, version?: string): string {
  const base = controllerKey ? `${controllerKey}_${methodKey}` : methodKey;
  return version ? `${base}_${version}` : base;
}

function oidcUrl(issuer: { readonly issuer: string }): string | undefined {
  try {
    return deriveMetadataUrls(issuer.issuer)[0];
  } catch {
    return undefined; // an issuer that is no URL (accounts.google.com as an alias's twin)
  }
}

function isTemplate(issuer: string): boolean {
  return issuer.includes('{');
}

/** A component name (OpenAPI 3: `^[a-zA-Z0-9.\-_]+$`) that reads as the issuer. */
function schemeName(issuer: string): string {
  const name = issuer
    .replace(/^https?:\/\//, '')
    .replace(/[^a-zA-Z0-9.\-_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return name === '' ? 'issuer' : name;
}

function uniqueName(name: string, taken: Readonly<Record<string, unknown>>): string {
  let unique = name;
  for (let n = 2; unique in taken || unique === BEARER; n++) unique = `${name}-${n}`;
  return unique;
}

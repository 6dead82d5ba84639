import type { INestApplicationContext } from '@nestjs/common';
import { deriveMetadataUrls } from '../discovery/metadata-source.js';
import { ERROR_ANSWERS, type AuthStatus, type JwksErrorCode } from '../errors/jwks-errors.js';
import type { HandlerRules } from '../guards/route-rules.js';
import { WiringCheck } from '../guards/wiring-check.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { routeIndex, routeOf, type JwksOpenApiOptions } from './operation-routes.js';

// Nothing here loads @nestjs/swagger (an optional peer): the document is read and written as the
// plain OpenAPI 3 object `SwaggerModule.createDocument()` returns.

/** The parts of an OpenAPI 3 document `addJwksSecurity` needs: what `SwaggerModule.createDocument()` returns. */
export interface OpenApiDocumentLike {
  /** The operations, by path and method; each operation under `JwtAuthGuard` gets its security. */
  paths: object;
  /** Where the security schemes are added (`components.securitySchemes`). */
  components?: object;
}

/**
 * What each route rule adds to an operation: the code a token that breaks it gets (its status from
 * `ERROR_ANSWERS` picks the 401 or 403 answer) and how the answer's description names what the rule
 * asks (nothing when the route does not have it). A new rule is one row.
 */
const RULES: ReadonlyArray<{
  readonly code: JwksErrorCode;
  readonly asks: (rules: HandlerRules) => string | undefined;
}> = [
  { code: 'INSUFFICIENT_SCOPE', asks: (r) => allOf('scopes', r.scopes) },
  { code: 'INSUFFICIENT_SCOPE', asks: (r) => oneOfEach('one of the scopes', r.anyScopes) },
  { code: 'INSUFFICIENT_ROLE', asks: (r) => allOf('roles', r.roles) },
  { code: 'ISSUER_NOT_ALLOWED', asks: (r) => oneOfEach('a token of', [allowedIssuers(r) ?? []]) },
  { code: 'INSUFFICIENT_USER_AUTHENTICATION', asks: (r) => oneOfEach('an acr of', r.acr) },
  {
    code: 'INSUFFICIENT_USER_AUTHENTICATION',
    asks: (r) => (r.maxAuthAge === undefined ? undefined : `a login ${r.maxAuthAge} s old at most`),
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
  const binding = bindingNote(settings);
  const bearer = () => {
    objects[BEARER] ??= {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: `A JWT access token of a trusted issuer${binding}`,
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
      description: `Access tokens of ${issuer.issuer}${binding}`,
    };
    byIssuer.set(issuer.issuer, name);
  }
  const dynamic = settings.resolveIssuer !== undefined;
  const fallback = dynamic || byIssuer.size === 0 ? bearer() : undefined;
  return { objects, byIssuer, fallback, bearer };
}

/**
 * What OpenAPI 3 has no scheme for, said in each scheme's description: how sender-constrained
 * tokens are presented (RFC 9449 §7.1, RFC 8705 §3), and when they are required. Empty otherwise.
 */
function bindingNote({ dpop, mtls }: ResolvedJwksOptions): string {
  const notes: string[] = [];
  if (dpop.configured) {
    const algs = [...dpop.algorithms].join(', ');
    notes.push(
      `${dpop.required ? 'DPoP-bound tokens only' : 'DPoP-bound tokens'} (RFC 9449): \`Authorization: DPoP <token>\` with a \`DPoP\` proof header (${algs})`,
    );
  }
  if (mtls.required) notes.push('certificate-bound tokens only (RFC 8705): over mutual TLS');
  return notes.length === 0 ? '' : `. ${notes.join('; ')}`;
}

/** The operation's security, responses and description of what its token must grant. */
function secure(operation: Operation, rules: HandlerRules, schemes: Schemes): void {
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
  // OpenAPI 3.0 §4.8.30: scopes are listed for oauth2 / openIdConnect schemes only; the
  // requirements of a list are alternatives, so each way to meet the `@AnyScope()`s is one.
  const requirements = [...names].flatMap((name) =>
    schemes.objects[name]?.type === 'openIdConnect'
      ? scopeSets(rules).map((scopes) => ({ [name]: scopes }))
      : [{ [name]: [] }],
  );
  // An empty requirement makes security optional: anonymous, or a valid token.
  operation.security = rules.optional ? [{}, ...requirements] : requirements;
  const asked = RULES.map((rule) => ({ code: rule.code, asks: rule.asks(rules) })).filter(
    (rule): rule is { code: JwksErrorCode; asks: string } => rule.asks !== undefined,
  );
  const responses = (operation.responses ??= {});
  for (const status of [401, 403, 503] as const) {
    const own = asked.filter(({ code }) => ERROR_ANSWERS[code].status === status);
    // An optional route answers a request without a token; only a bad token is refused.
    const general = CODES_BY_STATUS[status].filter(
      (code) => !(rules.optional && code === 'TOKEN_MISSING'),
    );
    const codes = [...new Set([...general, ...own.map(({ code }) => code)])];
    if (codes.length === 0 || responses[status] !== undefined) continue;
    responses[status] = refusal(status, codes, own.map(({ asks }) => asks).join('; '));
  }
}

/** Each set of scopes that meets the route: its `@Scopes()`, and one of each `@AnyScope()` list. */
function scopeSets(rules: HandlerRules): string[][] {
  let sets: string[][] = [[...rules.scopes]];
  for (const anyOf of rules.anyScopes) {
    sets = sets.flatMap((set) => anyOf.map((scope) => [...new Set([...set, scope])]));
  }
  return sets;
}

/** `scopes a, b` for a rule with values; `undefined` without. */
function allOf(what: string, values: readonly string[]): string | undefined {
  return values.length === 0 ? undefined : `${what} ${values.join(', ')}`;
}

/** `one of the scopes a or b; c or d` for lists that each need one of theirs. */
function oneOfEach(what: string, lists: ReadonlyArray<readonly string[]>): string | undefined {
  const named = lists.filter((list) => list.length > 0).map((list) => list.join(' or '));
  return named.length === 0 ? undefined : `${what} ${named.join('; ')}`;
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
function allowedIssuers(rules: HandlerRules): readonly string[] | undefined {
  if (rules.issuers.length === 0) return undefined;
  return rules.issuers.reduce((kept, list) => kept.filter((issuer) => list.includes(issuer)));
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

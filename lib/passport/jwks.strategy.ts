import {
  HttpException,
  Injectable,
  ServiceUnavailableException,
  type OnModuleInit,
} from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import type { PresentedRequest } from '../binding/sender-constraints.js';
import {
  DpopProofInvalidError,
  ERROR_ANSWERS,
  JwksError,
  PrincipalRefusedError,
  toError,
} from '../errors/jwks-errors.js';
import type { JwtPayload, JwtUser, VerifiedToken } from '../jws/jwt.types.js';
import { JwtVerifier, type Presented } from '../verification/jwt-verifier.js';
import {
  attachVerifiedToken,
  principalHookFor,
  registerPrincipalHook,
  type AuthRequest,
} from './principal-hooks.js';

// passport-jwt insists on a key source; ours is JwtVerifier, reached through `authenticate` below.
const keysComeFromJwtVerifier: SecretOrKeyProvider = (_request, _token, done) =>
  done(new Error('JwksStrategy verifies through JwtVerifier'));

// What the application's own validate() threw: its failures, never a token's (see isApplicationError).
const applicationErrors = new WeakSet<object>();

/**
 * Whether `error` was thrown by the application's own `validate()` and is neither an
 * `HttpException` (its answer) nor a `JwksError` (a refusal with a code): a failure of the
 * application, which guards pass on to its exception filters (Nest answers 500), never a 401.
 */
export function isApplicationError(error: unknown): error is Error {
  return typeof error === 'object' && error !== null && applicationErrors.has(error);
}

function thrownByValidate(error: unknown): unknown {
  if (error instanceof HttpException || error instanceof JwksError) return error;
  const thrown = typeof error === 'object' && error !== null ? error : toError(error);
  applicationErrors.add(thrown);
  return thrown;
}

/** A request that passed: the principal (`request.user`) and the token it came from. */
export interface Authenticated {
  readonly user: unknown;
  readonly verified: VerifiedToken;
}

/**
 * The principal hook: override `validate` in a subclass to turn verified claims into your own
 * principal, and provide it as `{ provide: JwksStrategy, useClass: MyStrategy }`. It needs only
 * exported names: `constructor(verifier: JwtVerifier, private readonly users: UsersService) {
 * super(verifier); }`.
 *
 * `JwtAuthGuard` calls it directly (no passport machinery per request); it is also a real
 * passport-jwt strategy, named `jwks` for `@nestjs/passport`'s `AuthGuard('jwks')` and
 * `AuthGuard(['jwks', 'other'])`, verifying through `JwtVerifier` either way.
 */
@Injectable()
export class JwksStrategy extends PassportStrategy(Strategy, 'jwks') {
  /** A subclass's `validate()` may change the claims it is given: it gets its own copy of frozen ones. */
  private readonly ownValidate = this.validate !== JwksStrategy.prototype.validate;

  constructor(readonly verifier: JwtVerifier) {
    super({
      jwtFromRequest: (request: unknown) => verifier.tokenFrom(request) ?? null,
      secretOrKeyProvider: keysComeFromJwtVerifier,
    });
    registerPrincipalHook(verifier, this);
  }

  /**
   * Maps the verified claims to the principal that becomes `request.user` (`@CurrentUser()`). May
   * be async, and may change the claims it is given (with `verifiedTokenCache` on, they are a copy
   * of the cached ones). A falsy result refuses the request (401 `PRINCIPAL_REFUSED`); an
   * `HttpException` thrown here is answered as is (e.g. 403), a `JwksError` as its code; any other
   * error is the application's own and goes to its exception filters (Nest answers 500).
   */
  validate(payload: JwtPayload & JwtUser, _verified?: VerifiedToken): unknown {
    return payload;
  }

  /**
   * Verifies `token` and maps it to a principal: the one path of the guard and of passport.
   * @throws JwksError with a stable code (`PRINCIPAL_REFUSED` for a falsy `validate`), or what
   * `validate` threw.
   */
  async authenticateToken(token: string): Promise<Authenticated> {
    return this.principalOf(await this.verifier.verify(token));
  }

  /**
   * {@link JwksStrategy.authenticateToken} for a token as presented (`Bearer` or `DPoP`) and, when
   * it came with an HTTP request, what binds it checked against that request (DPoP proof, client
   * certificate): the one path of the guard and of passport.
   * @throws as {@link JwksStrategy.authenticateToken}, and DPOP_PROOF_INVALID, DPOP_BINDING_MISMATCH,
   * CERTIFICATE_BINDING_MISMATCH, SHARED_STORE_UNAVAILABLE.
   * @internal (the guard's and passport's)
   */
  async authenticatePresented(
    presented: Presented,
    http: PresentedRequest | undefined,
  ): Promise<Authenticated> {
    if (http !== undefined) {
      return this.principalOf(await this.verifier.verifyPresented(http, presented));
    }
    // WebSockets and RPC carry no DPoP proof: verify() refuses bound tokens, and every token
    // under dpop.required or mtls.required.
    if (presented.scheme === 'DPoP')
      throw new DpopProofInvalidError('DPoP is checked over HTTP only');
    return this.authenticateToken(presented.token);
  }

  /**
   * The principal of a verified token (or of the development bypass's stand-in).
   * @throws PrincipalRefusedError (`PRINCIPAL_REFUSED`) for a falsy `validate`, or what it threw
   * (a thrown value that is no object, as an `Error`).
   */
  async principalOf(verified: VerifiedToken): Promise<Authenticated> {
    // The verified-token cache shares one deep-frozen result between requests: a validate() that
    // adds a field would throw on it. The default validate() changes nothing and copies nothing.
    const given =
      this.ownValidate && Object.isFrozen(verified.payload)
        ? { ...verified, payload: structuredClone(verified.payload) }
        : verified;
    let user: unknown;
    try {
      // JwtUser is what the application declares its provider's claims to be (module augmentation).
      user = await this.validate(given.payload as JwtPayload & JwtUser, given);
    } catch (error) {
      throw thrownByValidate(error);
    }
    if (!user) throw new PrincipalRefusedError(verified.issuer);
    return { user, verified };
  }

  /**
   * A registry of its own at construction: the module names only its one principal hook `jwks` in
   * passport's registry, once all are built (see `JwksPassportRegistration`).
   */
  getPassportInstance(): passport.Authenticator {
    return new passport.Passport();
  }

  /**
   * passport's entry point, for `AuthGuard('jwks')` next to other strategies: no token or a bad one
   * `fail`s (so the next strategy may try), an unavailable provider is a 503, and an
   * `HttpException` or an application error from `validate` is passed on.
   */
  override authenticate(request: unknown): void {
    // Handed an instance rather than a name, passport 0.7 sets each request's actions on the shared
    // strategy itself, and the next request overwrites them: take this request's now, before any await.
    const { success, fail, error } = this;
    const refuse = (thrown: unknown) => {
      if (thrown instanceof HttpException || isApplicationError(thrown)) return error(thrown);
      const status = thrown instanceof JwksError ? ERROR_ANSWERS[thrown.code].status : 401;
      if (status === 503) return error(new ServiceUnavailableException());
      return fail('Bearer error="invalid_token"', status);
    };
    let presented: Presented | undefined;
    try {
      presented = this.verifier.presentedIn(request);
    } catch (thrown) {
      return refuse(thrown);
    }
    if (presented === undefined) return fail('Bearer', 401);
    this.authenticatePresented(presented, httpRequest(request)).then(
      ({ user, verified }) => {
        // For JwksRulesGuard after AuthGuard('jwks'): the route's rules read the verified token.
        attachVerifiedToken(request as AuthRequest, verified);
        success(user, verified);
      },
      (thrown: unknown) => refuse(thrown),
    );
  }
}

/**
 * The module's one principal hook, found once every provider is built (at module init): the
 * `JwksStrategy` subclass the application provides for this module, else the module's own.
 * `JwtAuthGuard`, `JwksGraphqlWs` and passport's `jwks` all use it, however they were wired; two
 * different subclasses for one module stop the application at startup.
 */
@Injectable()
export class PrincipalHook implements OnModuleInit {
  private resolved: JwksStrategy | undefined;

  /** @internal Nest injects it with the module's own providers. */
  constructor(private readonly injected: JwksStrategy) {}

  /** @throws InvalidOptionsError (`OPTIONS_INVALID`) for two different subclasses. */
  onModuleInit(): void {
    this.resolved = principalHookFor(this.injected.verifier, this.injected, JwksStrategy);
  }

  /** The strategy whose `validate()` makes principals. */
  get strategy(): JwksStrategy {
    if (this.resolved === undefined) {
      throw new Error('The principal hook is asked for before JwksModule was initialised');
    }
    return this.resolved;
  }
}

/**
 * The request passport was handed, when it is an HTTP request (Express's or Fastify's): what binds a
 * token is checked against it. A GraphQL route's `getRequest()` hands the HTTP request too.
 */
function httpRequest(request: unknown): PresentedRequest | undefined {
  const { method, url, headers } = (request ?? {}) as Partial<PresentedRequest>;
  const http = typeof method === 'string' && typeof url === 'string' && typeof headers === 'object';
  return http && headers !== null ? (request as PresentedRequest) : undefined;
}

import { InvalidOptionsError } from '../errors/jwks-errors.js';
import type { VerifiedToken } from '../jws/jwt.types.js';
import type { JwtVerifier } from '../verification/jwt-verifier.js';

/** The object a token is read from and the result stored on, whatever the transport. */
export type AuthRequest = Record<string | symbol, unknown>;

/** Where a guard leaves the verified token; `Symbol.for` so two installed copies agree. */
const VERIFIED_TOKEN = Symbol.for('nestjs-jwks:verified-token');

/** Keeps the verified token on the request, for `@Issuer()` and the route's rules. */
export function attachVerifiedToken(request: AuthRequest, token: VerifiedToken): void {
  request[VERIFIED_TOKEN] = token;
}

/** The verified token a guard left on the request, if any. */
export function verifiedTokenOf(request: AuthRequest | undefined): VerifiedToken | undefined {
  return request?.[VERIFIED_TOKEN] as VerifiedToken | undefined;
}

// Keyed by the verifier, which is one per JwksModule instance: two apps in one process never share.
const registered = new WeakMap<JwtVerifier, object[]>();

/** Called by every `JwksStrategy` (the module's own, and each subclass a user provides) as it is built. */
export function registerPrincipalHook(verifier: JwtVerifier, hook: object): void {
  const hooks = registered.get(verifier);
  if (hooks === undefined) registered.set(verifier, [hook]);
  else hooks.push(hook);
}

/**
 * The one principal hook of a JwksModule instance, whatever strategy a guard was handed. A guard
 * wired with `APP_GUARD` + `useExisting` is the module's own instance and was built with the
 * module's default strategy; a subclass the user provided elsewhere must still apply there, never
 * be skipped in silence. Two different subclasses for one module would make the principal depend
 * on how a guard is wired: refused at startup.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) naming both classes and the fix.
 */
export function principalHookFor<T extends object>(
  verifier: JwtVerifier,
  injected: T,
  base: abstract new (...args: never[]) => T,
): T {
  const custom = (registered.get(verifier) ?? []).filter((hook) => hook.constructor !== base);
  const classes = [...new Set(custom.map((hook) => hook.constructor))];
  if (classes.length > 1) {
    const names = classes.map((type) => (type.name as string) || '(anonymous class)').join(', ');
    throw new InvalidOptionsError([
      `several JwksStrategy subclasses (${names}) are provided for one JwksModule, so the principal would depend on how each guard is wired; provide one subclass (it may delegate to others), or give each its own JwksModule`,
    ]);
  }
  if (classes.length === 0 || injected.constructor === classes[0]) return injected;
  return custom[0] as T;
}

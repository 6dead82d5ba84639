import { InvalidJwksError, InvalidKeyError, KeyNotFoundError } from '../errors/jwks-errors.js';
import { type JwsAlgorithm, algorithmMismatch } from '../jws/algorithms.js';
import { importJwk, type ImportedKey } from './import-jwk.js';

/** A key left out of a set: its kid, the detail, and the kind of reason (for the summary line). */
export interface SkippedKey {
  readonly kid: string | undefined;
  readonly reason: string;
  readonly kind: string;
}

/**
 * Most keys tried for one token when a set publishes several under one kid (a botched rotation;
 * RFC 7517 §4.5 only says kids SHOULD differ). Spring's Nimbus processor tries each; a bound keeps
 * a set stuffed with duplicates from costing a signature check per entry.
 */
export const MAX_CANDIDATES = 3;

/** One issuer's imported JWKS, indexed by `kid`; imported once, when the set arrives. */
export class KeySet {
  private readonly byKid = new Map<string, ImportedKey[]>();
  /** Kids under which the set publishes more than one usable key. */
  readonly duplicateKids: readonly string[];

  private constructor(
    readonly keys: readonly ImportedKey[],
    readonly skipped: readonly SkippedKey[],
  ) {
    for (const key of keys) {
      if (key.kid === undefined) continue;
      const sameKid = this.byKid.get(key.kid);
      if (sameKid) sameKid.push(key);
      else this.byKid.set(key.kid, [key]);
    }
    this.duplicateKids = [...this.byKid].filter(([, same]) => same.length > 1).map(([kid]) => kid);
  }

  /**
   * Imports a JWKS document (RFC 7517 §5).
   * @throws InvalidJwksError when it is not an object with a `keys` array.
   */
  static fromJwks(body: unknown, uri: string): KeySet {
    const keys = (body as { keys?: unknown } | null)?.keys;
    if (typeof body !== 'object' || body === null || !Array.isArray(keys)) {
      throw new InvalidJwksError(uri, 'no "keys" array');
    }
    const requireUse = keys.some((jwk) => (jwk as { use?: unknown } | null)?.use === 'enc');
    const imported: ImportedKey[] = [];
    const skipped: SkippedKey[] = [];
    for (const jwk of keys) {
      const result = importJwk(jwk, requireUse);
      if ('key' in result) imported.push(result.key);
      else skipped.push({ kid: kidOf(jwk), reason: result.skipped, kind: result.kind });
    }
    return new KeySet(imported, skipped);
  }

  /**
   * {@link select}, as keys to try or an error: the one place a selection outcome becomes a code.
   * @throws KeyNotFoundError, InvalidKeyError
   */
  require(
    issuer: string,
    kid: string | undefined,
    alg: JwsAlgorithm,
    refreshedAt: number,
  ): readonly ImportedKey[] {
    const selected = this.select(kid, alg);
    if (selected === undefined) throw new KeyNotFoundError(issuer, kid, new Date(refreshedAt));
    if (typeof selected === 'string') throw new InvalidKeyError(issuer, kid, selected);
    return selected;
  }

  /**
   * The keys to try for a token: those under its `kid` whose type and curve fit `alg` (at most
   * {@link MAX_CANDIDATES}); a string says why the keys with that kid cannot serve; `undefined`
   * means no such key. A token without `kid` gets a key only when exactly one fits, so an attacker
   * cannot steer which key is tried.
   */
  select(kid: string | undefined, alg: JwsAlgorithm): readonly ImportedKey[] | string | undefined {
    if (kid === undefined) {
      const fitting = this.keys.filter((key) => algorithmMismatch(alg, key) === undefined);
      return fitting.length === 1 ? fitting : undefined;
    }
    const candidates = this.byKid.get(kid);
    if (candidates === undefined) return undefined;
    // The common case, one key per kid, allocates nothing on the hot path.
    const first = candidates[0]!;
    if (candidates.length === 1) return algorithmMismatch(alg, first) ?? candidates;
    const fitting = candidates.filter((key) => algorithmMismatch(alg, key) === undefined);
    return fitting.length > 0 ? fitting.slice(0, MAX_CANDIDATES) : algorithmMismatch(alg, first);
  }
}

function kidOf(jwk: unknown): string | undefined {
  const kid = (jwk as { kid?: unknown } | null)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

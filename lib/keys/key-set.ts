import { InvalidJwksError } from '../errors/invalid-jwks.error.js';
import { InvalidKeyError } from '../errors/invalid-key.error.js';
import { KeyNotFoundError } from '../errors/key-not-found.error.js';
import type { JwsAlgorithm } from '../options/jws-algorithms.js';
import { algorithmMismatch } from './algorithm-fits-key.js';
import type { ImportedKey } from './imported-key.interface.js';
import { importJwk } from './import-jwk.js';

/** A key left out of a set, with the reason (logged once when the set arrives). */
export interface SkippedKey {
  readonly kid: string | undefined;
  readonly reason: string;
}

/** One issuer's imported JWKS, indexed by `kid`. */
export class KeySet {
  private readonly byKid = new Map<string, ImportedKey[]>();

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
    const imported: ImportedKey[] = [];
    const skipped: SkippedKey[] = [];
    for (const jwk of keys) {
      const result = importJwk(jwk);
      if ('key' in result) imported.push(result.key);
      else skipped.push({ kid: kidOf(jwk), reason: result.skipped });
    }
    return new KeySet(imported, skipped);
  }

  /**
   * The key for a token: by `kid`, of a type and curve that fit `alg`; a string says why the key with
   * that kid cannot serve; `undefined` means no such key. A token without `kid` gets a key only when
   * exactly one fits, so an attacker cannot steer which key is tried.
   */
  /**
   * {@link select}, as a key or an error: the one place a selection outcome becomes a code.
   * @throws KeyNotFoundError, InvalidKeyError
   */
  require(
    issuer: string,
    kid: string | undefined,
    alg: JwsAlgorithm,
    refreshedAt: number,
  ): ImportedKey {
    const selected = this.select(kid, alg);
    if (selected === undefined) throw new KeyNotFoundError(issuer, kid, new Date(refreshedAt));
    if (typeof selected === 'string') throw new InvalidKeyError(issuer, kid, selected);
    return selected;
  }

  select(kid: string | undefined, alg: JwsAlgorithm): ImportedKey | string | undefined {
    const candidates = kid === undefined ? this.keys : this.byKid.get(kid);
    if (candidates === undefined) return undefined;
    let found: ImportedKey | undefined;
    let fitting = 0;
    for (const key of candidates) {
      if (algorithmMismatch(alg, key) !== undefined) continue;
      found ??= key;
      fitting++;
    }
    if (kid === undefined) return fitting === 1 ? found : undefined;
    return found ?? algorithmMismatch(alg, candidates[0]!);
  }
}

function kidOf(jwk: unknown): string | undefined {
  const kid = (jwk as { kid?: unknown } | null)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

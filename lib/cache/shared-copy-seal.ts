import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { isRecord } from '../options/option-checks.js';

/** What a shared copy holds; bound into its MAC, so a copy of one kind never passes for another. */
export type SharedCopyKind = 'metadata' | 'jwks' | 'revoked' | 'revoked-version' | 'dpop-jti';

/** How a log line names each kind. */
export const COPY_NAMES: Readonly<Record<SharedCopyKind, string>> = {
  metadata: 'metadata',
  jwks: 'JWKS',
  revoked: 'revocations',
  'revoked-version': 'revocation version',
  'dpop-jti': 'DPoP proof record',
};

// Bound into every MAC too: a MAC the same secret made for anything else never verifies here.
const DOMAIN = 'nestjs-jwks:v1';

/** Why a stored copy is not taken: a reason of a few fixed words, summed per reason in the log. */
export type Unsealed = { readonly content: Record<string, unknown> } | { readonly ignored: string };

/**
 * `content` as stored: with `mac`, an HMAC-SHA256 by the first secret over a canonical JSON of its
 * kind, issuer and content (`sharedCacheSecret`), or as it is without a secret.
 */
export function seal<T extends object>(
  secrets: readonly KeyObject[],
  kind: SharedCopyKind,
  issuer: string,
  content: T,
): T & { mac?: string } {
  const secret = secrets[0];
  if (secret === undefined) return content;
  return { ...content, mac: macOf(secret, kind, issuer, content).toString('base64url') };
}

/**
 * The content of a stored copy (without `mac`) when its MAC verifies with any of the secrets, or
 * when there are none; `undefined` when nothing is stored; else why it is ignored. Whoever can
 * write the store cannot make an instance trust a key, a `jwks_uri` or a revocation list the
 * provider or an operator never gave.
 */
export function unseal(
  secrets: readonly KeyObject[],
  kind: SharedCopyKind,
  issuer: string,
  stored: unknown,
): Unsealed | undefined {
  if (stored === undefined || stored === null) return undefined;
  const { mac, ...content } = isRecord(stored) ? stored : {};
  if (secrets.length === 0) return isRecord(stored) ? { content } : undefined;
  if (!isRecord(stored) || typeof mac !== 'string') {
    return { ignored: 'it carries no MAC (written without sharedCacheSecret?)' };
  }
  return verifies(secrets, Buffer.from(mac, 'base64url'), kind, issuer, content)
    ? { content }
    : { ignored: 'its MAC does not verify with sharedCacheSecret' };
}

function verifies(
  secrets: readonly KeyObject[],
  mac: Buffer,
  kind: SharedCopyKind,
  issuer: string,
  content: object,
): boolean {
  try {
    return secrets.some((secret) => {
      const expected = macOf(secret, kind, issuer, content);
      return mac.length === expected.length && timingSafeEqual(mac, expected);
    });
  } catch {
    return false; // content no JSON serialiser can write (too deep, a BigInt): not ours
  }
}

function macOf(secret: KeyObject, kind: SharedCopyKind, issuer: string, content: object): Buffer {
  return createHmac('sha256', secret)
    .update(canonicalJson([DOMAIN, kind, issuer, content]))
    .digest();
}

/**
 * JSON with object keys sorted, and members JSON would drop dropped: the same text for the same
 * data however a store serialised it and in whatever order it gave the keys back.
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

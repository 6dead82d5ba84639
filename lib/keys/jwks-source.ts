import { createPublicKey } from 'node:crypto';
import { Inject, Injectable, type Logger } from '@nestjs/common';
import type { DocumentEntry, DocumentSource, FetchedEntry } from '../cache/document-source.js';
import { dependencyOf } from '../cache/load-policy.js';
import { type LoadPolicy } from '../cache/document-source.js';
import { IssuerDiscoveryService } from '../discovery/issuer-discovery.service.js';
import { JwksFetchFailedError, messageOf } from '../errors/jwks-errors.js';
import { JwksEventCallbacks } from '../events/jwks-event-callbacks.js';
import { JwksHttpClient } from '../http/jwks-http-client.js';
import { DeadlineExceeded, waitAtMost } from '../http/with-deadline.js';
import { TrustedIssuers } from '../issuers/trusted-issuers.js';
import type { JwksClientLike } from '../options/jwks-module-options.interface.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { KeySet, MAX_CANDIDATES } from './key-set.js';

/**
 * An issuer's key set, as the document engine fetches, checks and names it: from its `jwksClient`,
 * or from the `jwks_uri` discovery finds (or `jwksUri`); imported once, when it arrives, so a broken
 * set is refused before it reaches the shared store. Each set put in use is logged (what changed)
 * and reported to `events.onRefresh`.
 */
@Injectable()
export class JwksSource implements DocumentSource<KeySet> {
  readonly kind = 'jwks';
  readonly noun = 'keys';
  readonly document = 'JWKS';

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly issuers: TrustedIssuers,
    private readonly discovery: IssuerDiscoveryService,
    private readonly http: JwksHttpClient,
    private readonly events: JwksEventCallbacks,
  ) {}

  async fetch(issuer: string, policy: LoadPolicy): Promise<FetchedEntry<KeySet>> {
    const { requestHeaders, jwksClient } = this.issuers.settings(issuer);
    if (jwksClient !== undefined) {
      const body = await jwksFromClient(jwksClient, this.options.timeoutMs);
      const value = KeySet.fromJwks(body, JWKS_CLIENT_SOURCE);
      return { value, body, source: JWKS_CLIENT_SOURCE, maxAgeSeconds: undefined };
    }
    const uri = await this.discovery.getJwksUri(issuer, dependencyOf(policy));
    const fetched = await this.http.getJson(uri, { headers: requestHeaders });
    // Imported once, here: a broken set is refused before it reaches the shared store.
    const value = KeySet.fromJwks(fetched.body, uri);
    return { value, body: fetched.body, source: uri, maxAgeSeconds: fetched.maxAgeSeconds };
  }

  validate(_issuer: string, body: unknown, source: string): KeySet {
    return KeySet.fromJwks(body, source);
  }

  installed(
    issuer: string,
    entry: DocumentEntry<KeySet>,
    previous: KeySet | undefined,
    policy: LoadPolicy,
    logger: Logger,
  ): void {
    logKeySet(logger, issuer, entry.value, previous);
    this.events.refresh({
      issuer,
      source: entry.origin,
      uri: entry.document.source,
      reason: policy.reason,
      keys: entry.value.keys.length,
      skipped: entry.value.skipped.length,
      fetchedAt: entry.document.fetchedAt,
    });
  }
}

/** The source named in messages and logs for keys from a jwks-rsa client. */
const JWKS_CLIENT_SOURCE = 'jwks-rsa JwksClient';

/**
 * A JWKS document made of the keys a jwks-rsa client hands out (PEM), so they go through every rule
 * of the library's own import (size, curve, ROCA, ...) like keys it fetched itself. The client's
 * call is bounded by `timeoutMs` here, whatever its own settings.
 * @throws JwksFetchFailedError (`JWKS_FETCH_FAILED`) when the client fails or takes too long.
 */
async function jwksFromClient(client: JwksClientLike, timeoutMs: number): Promise<unknown> {
  let keys: unknown;
  try {
    keys = await waitAtMost(timeoutMs, client.getSigningKeys());
  } catch (error) {
    const reason = error instanceof DeadlineExceeded ? error.message : messageOf(error);
    throw new JwksFetchFailedError(JWKS_CLIENT_SOURCE, reason, { cause: error });
  }
  if (!Array.isArray(keys)) {
    throw new JwksFetchFailedError(JWKS_CLIENT_SOURCE, 'getSigningKeys() gave no array of keys');
  }
  return { keys: keys.map(toJwk) };
}

/**
 * One key as a JWK. One the client hands out that is no public key we can read becomes a JWK
 * without `kty`, which the import skips and counts like any unusable key: the others still serve.
 */
function toJwk(key: { kid?: unknown; alg?: unknown; getPublicKey?: unknown }): object {
  const named = {
    ...(typeof key.kid === 'string' ? { kid: key.kid } : {}),
    ...(typeof key.alg === 'string' ? { alg: key.alg } : {}),
  };
  try {
    const pem = (key.getPublicKey as () => string)();
    return { ...createPublicKey(pem).export({ format: 'jwk' }), ...named };
  } catch {
    return named;
  }
}

/** Most kids or reasons named in one line; the rest are counted. */
const MAX_NAMED = 5;

/**
 * What changed when a set arrives, in at most three lines however large the set: the keys new to
 * this instance, the entries it could not use (counted by reason), and kids published twice. A line
 * repeats only when its content changed since the previous set.
 */
function logKeySet(
  logger: Logger,
  issuer: string,
  keys: KeySet,
  previous: KeySet | undefined,
): void {
  const known = new Set(previous?.keys.map((key) => key.kid));
  const added = keys.keys.filter((key) => !known.has(key.kid)).map((key) => key.kid ?? '(no kid)');
  if (added.length > 0) logger.log(`Imported keys ${named(added)} of ${issuer}`);
  const ignored = ignoredSummary(issuer, keys);
  if (ignored !== undefined && ignored !== (previous && ignoredSummary(issuer, previous))) {
    logger.warn(ignored);
  }
  const duplicates = duplicateSummary(issuer, keys);
  if (duplicates !== undefined && duplicates !== (previous && duplicateSummary(issuer, previous))) {
    logger.warn(duplicates);
  }
}

function ignoredSummary(issuer: string, keys: KeySet): string | undefined {
  if (keys.skipped.length === 0) return undefined;
  const byKind = new Map<string, number>();
  for (const entry of keys.skipped) byKind.set(entry.kind, (byKind.get(entry.kind) ?? 0) + 1);
  const counts = [...byKind].sort((a, b) => b[1] - a[1]).map(([kind, count]) => `${count} ${kind}`);
  const total = keys.skipped.length + keys.keys.length;
  return `Ignored ${keys.skipped.length} of ${total} keys of ${issuer}: ${named(counts)}`;
}

function duplicateSummary(issuer: string, keys: KeySet): string | undefined {
  if (keys.duplicateKids.length === 0) return undefined;
  return `The JWKS of ${issuer} publishes several keys under kid ${named(keys.duplicateKids)}: each that fits a token's alg is tried (at most ${MAX_CANDIDATES})`;
}

function named(items: readonly string[]): string {
  const shown = items.slice(0, MAX_NAMED).join(', ');
  return items.length > MAX_NAMED ? `${shown} and ${items.length - MAX_NAMED} more` : shown;
}

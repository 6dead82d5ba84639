import type { Logger } from '@nestjs/common';
import { MAX_CANDIDATES, type KeySet } from './key-set.js';

/** Most kids or reasons named in one line; the rest are counted. */
const MAX_NAMED = 5;

/**
 * What changed when a set arrives, in at most three lines however large the set: the keys new to
 * this instance, the entries it could not use (counted by reason), and kids published twice. A line
 * repeats only when its content changed since the previous set.
 */
export function logKeySet(
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

import type { DocumentCache } from './document-cache.js';
import type { DocumentEntry, DocumentSource } from './document-source.interface.js';
import { refreshAheadAt } from './freshness.js';
import type { LoadPolicy } from './load-policy.js';

/** Another instance's copy from the shared store, if it still validates: another version may have written it. */
export async function readSharedCopy<T>(
  store: DocumentCache,
  source: DocumentSource<T>,
  issuer: string,
): Promise<DocumentEntry<T> | undefined> {
  const document = await store.get(source.kind, issuer);
  if (document === undefined) return undefined;
  try {
    const value = source.validate(issuer, document.body, document.source);
    return { value, document, origin: 'shared-cache' };
  } catch {
    return undefined;
  }
}

/**
 * Whether a load takes the shared copy instead of fetching: it must be newer than the copy in
 * memory, hold what the caller wants (an unknown kid), and be fresh unless the policy takes any
 * newer copy.
 */
export function takesShared<T>(
  shared: DocumentEntry<T>,
  memory: DocumentEntry<T> | undefined,
  policy: LoadPolicy,
  now: number,
  wanted?: (value: T) => boolean,
): boolean {
  if (shared.document.fetchedAt <= (memory?.document.fetchedAt ?? -Infinity)) return false;
  if (wanted !== undefined && !wanted(shared.value)) return false;
  return policy.shared === 'newer' || now < refreshAheadAt(shared.document);
}

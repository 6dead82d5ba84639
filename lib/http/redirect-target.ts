/** Most redirects followed for one provider request; a loop ends here. */
export const MAX_REDIRECTS = 3;

/**
 * Where a redirect leads, or why it is not followed: past {@link MAX_REDIRECTS}, without a valid
 * `Location`, or from https to anything else (a downgrade would hand the key set to anyone on the
 * path). The URL policy is checked again on the target by the caller.
 */
export function redirectTarget(from: URL, location: string | null, hop: number): URL | string {
  if (hop >= MAX_REDIRECTS) return `more than ${MAX_REDIRECTS} redirects`;
  const next = location === null ? null : URL.parse(location, from.href);
  if (next === null) return 'a redirect without a valid Location';
  if (from.protocol === 'https:' && next.protocol !== 'https:') {
    return `redirect from https to ${next.protocol} refused`;
  }
  return next;
}

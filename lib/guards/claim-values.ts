/** The values a claim grants: a space-separated string (RFC 8693 `scope`) or an array of strings. */
export function claimValues(claim: unknown, into = new Set<string>()): Set<string> {
  if (typeof claim === 'string') {
    for (const value of claim.split(' ')) if (value !== '') into.add(value);
  } else if (Array.isArray(claim)) {
    for (const value of claim) if (typeof value === 'string') into.add(value);
  }
  return into;
}

/** The required values not granted. */
export function missingValues(required: readonly string[], granted: ReadonlySet<string>): string[] {
  return required.filter((value) => !granted.has(value));
}

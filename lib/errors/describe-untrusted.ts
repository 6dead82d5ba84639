/**
 * A value from an unverified token, made safe for a message and a log line: JSON-quoted (so a
 * newline cannot forge a log entry) and cut to 200 characters.
 */
export function describeUntrusted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Anything thrown, as an `Error` (callbacks and passport expect one). */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** The message of anything thrown, for a log line. */
export function messageOf(thrown: unknown): string {
  return toError(thrown).message;
}

// RFC 6750 §2.1 with RFC 9110 §11.1: the scheme is case-insensitive; b64token has no spaces.
const BEARER = /^bearer +([^\s]+) *$/i;

/** The token of an `Authorization: Bearer <token>` value, or `undefined` when it is not one. */
export function parseBearer(value: string): string | undefined {
  return BEARER.exec(value)?.[1];
}

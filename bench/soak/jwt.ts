import { sign, type KeyObject } from 'node:crypto';

export function b64url(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return Buffer.from(text).toString('base64url');
}

/** A compact RS256 JWS, as a provider signs it. */
export function signRs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64url({ alg: 'RS256', typ: 'JWT', ...header })}.${b64url(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** An unsecured JWS (RFC 7515 `alg: none`): an empty signature that a verifier must never accept. */
export function unsecured(header: Record<string, unknown>, payload: Record<string, unknown>) {
  return `${b64url({ alg: 'none', typ: 'JWT', ...header })}.${b64url(payload)}.`;
}

import { describe, expect, it } from '@jest/globals';
import {
  IssuerUntrustedError,
  JwksError,
  JwksFetchFailedError,
  KeyNotFoundError,
  TokenExpiredError,
} from '../../../lib/index.js';

describe('errors', () => {
  it('carry a stable code, their class name and the facts', () => {
    const error = new KeyNotFoundError('https://idp', 'k1', new Date(0));
    expect(error).toBeInstanceOf(JwksError);
    expect(error).toMatchObject({
      code: 'KEY_NOT_FOUND',
      name: 'KeyNotFoundError',
      issuer: 'https://idp',
      kid: 'k1',
    });
    expect(error.message).toBe(
      'No key with kid "k1" in the JWKS of https://idp (refreshed at 1970-01-01T00:00:00.000Z)',
    );
    expect(new TokenExpiredError(new Date(0)).code).toBe('TOKEN_EXPIRED');
  });

  it('quote values from unverified tokens, so a newline cannot forge a log line, and bound them', () => {
    const forged = new KeyNotFoundError('https://idp', 'x\n[Nest] LOG forged', new Date(0));
    expect(forged.message).not.toContain('\n');
    expect(forged.message).toContain('"x\\n[Nest] LOG forged"');
    expect(new IssuerUntrustedError('i'.repeat(5000)).message.length).toBeLessThan(260);
  });

  it('name the URL and the cause of a fetch failure, and keep the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new JwksFetchFailedError('https://idp/jwks', 'timeout after 5000 ms', { cause });
    expect(error.message).toBe('Unable to fetch JWKS from https://idp/jwks: timeout after 5000 ms');
    expect(error.cause).toBe(cause);
  });
});

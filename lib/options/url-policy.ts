/**
 * RFC 8414 §2 requires `https` for `jwks_uri`. Plain `http` is tolerated only on loopback hosts and only
 * when `allowInsecureHttp` is set: anything else lets a network attacker swap the keys.
 * Returns why the URL is refused, or `undefined` when it is acceptable.
 */
export function urlPolicyViolation(url: URL, allowInsecureHttp: boolean): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `scheme ${url.protocol} is not supported (use https)`;
  if (!isLoopbackHost(url.hostname)) return `http is only allowed on loopback hosts; use https`;
  if (!allowInsecureHttp)
    return `http requires allowInsecureHttp: true (loopback development only)`;
  return undefined;
}

/** Parses a URL, returning `undefined` instead of throwing. */
export function parseUrl(value: string): URL | undefined {
  return URL.canParse(value) ? new URL(value) : undefined;
}

function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Why `value`, an issuer identifier that is an http(s) URL, is not one the standards allow, or
 * `undefined`. RFC 8414 §2 and OpenID Connect Discovery §3 forbid a query and a fragment (the
 * metadata URL is built by appending to the identifier); RFC 9110 §4.2.4 forbids userinfo in http(s)
 * URLs, and it would be written to logs. The value is not repeated: it may hold a secret.
 * Other strings (`accounts.google.com`, a URN) are exact-match names with an explicit `jwksUri`.
 */
export function issuerIdentifierViolation(value: string): string | undefined {
  const url = parseUrl(value);
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    return undefined;
  // `https://@host` parses with an empty username: the raw authority tells.
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/?#]*@/i.test(value)) {
    return 'has userinfo (user:password@): http(s) URLs carry no credentials (RFC 9110 §4.2.4), and an issuer identifier is no place for them; send them with requestHeaders';
  }
  // `https://host/?` parses with an empty search: the raw string tells.
  const part = value.includes('?') ? 'a query (?)' : value.includes('#') ? 'a fragment (#)' : '';
  if (part === '') return undefined;
  return `has ${part}: RFC 8414 §2 and OpenID Connect Discovery §3 forbid a query or fragment in an issuer identifier; use the exact iss of its tokens`;
}

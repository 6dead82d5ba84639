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

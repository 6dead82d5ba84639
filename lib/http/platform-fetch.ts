import type { FetchFunction } from '../options/jwks-module-options.interface.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * The platform's `fetch`, through the proxy the environment names (`HTTPS_PROXY`, `HTTP_PROXY`,
 * `NO_PROXY`, as curl reads them) when it names one: Node's own `fetch` ignores them. undici is
 * loaded only then.
 */
export function platformFetch(environment: NodeJS.ProcessEnv = process.env): FetchFunction {
  if (!PROXY_VARIABLES.some((name) => environment[name])) {
    return (input, init) => globalThis.fetch(input, init);
  }
  const proxied = import('undici').then(({ EnvHttpProxyAgent, fetch }) => {
    const dispatcher = new EnvHttpProxyAgent();
    return (input: URL, init: RequestInit) =>
      fetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  });
  return async (input, init) => (await proxied)(input, init);
}

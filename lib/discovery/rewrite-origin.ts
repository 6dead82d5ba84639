/**
 * `target` with the scheme, host and port of `origin`: for a provider reached at
 * `http://localhost:8080` that advertises its container name (`http://keycloak:8080/...`).
 */
export function rewriteOrigin(target: string, origin: string): string {
  const rewritten = new URL(target);
  const from = new URL(origin);
  rewritten.protocol = from.protocol;
  rewritten.hostname = from.hostname;
  rewritten.port = from.port; // '' when the discovery URL has the default port: drop the advertised one
  return rewritten.href;
}

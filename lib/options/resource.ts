import {
  checkStringList,
  checkUrl,
  isNonBlankString,
  optionObject,
  type Problems,
} from './option-checks.js';
import { parseUrl, urlPolicyViolation } from './url-policy.js';

/** The well-known path of protected resource metadata (RFC 9728 §3). */
export const METADATA_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** The API as a protected resource: its identifier, and where its metadata is served. */
export interface ResourceIdentity {
  /** The `resource` option, exactly: what tokens' `aud` and the metadata's `resource` name. */
  readonly uri: string;
  /** The metadata's path on the resource's origin (RFC 9728 §3.1: inserted before the path). */
  readonly metadataPath: string;
  /** The metadata's absolute URL: the `resource_metadata` of every challenge (RFC 9728 §5.1). */
  readonly metadataUrl: string;
}

/** Where the metadata of `resource` (a checked URL) lives. */
export function resourceOf(resource: string): ResourceIdentity {
  const url = new URL(resource);
  // RFC 9728 §3.1: a terminating slash right after the host is removed, then the well-known path
  // goes between the host and the path.
  const path = url.pathname === '/' ? '' : url.pathname;
  const metadataPath = `${METADATA_WELL_KNOWN}${path}`;
  return Object.freeze({
    uri: resource,
    metadataPath,
    metadataUrl: `${url.origin}${metadataPath}`,
  });
}

/**
 * The `resource` option: an absolute URL under the URL policy (https; http on loopback with
 * `allowInsecureHttp`), without userinfo, query or fragment (RFC 8707 §2: a fragment MUST NOT be
 * there and a query SHOULD NOT; RFC 9728 §3.1 builds the metadata URL from its path). It is
 * compared to `aud` exactly as written.
 */
export function checkResource(
  problems: Problems,
  value: unknown,
  key: string,
  options: { readonly allowInsecureHttp?: boolean },
): void {
  if (value === undefined) return;
  const url = typeof value === 'string' ? parseUrl(value) : undefined;
  if (url === undefined) {
    problems.push(
      `${key} must be an absolute URL, the API's canonical URI (https://api.example.com)`,
    );
    return;
  }
  const violation = urlPolicyViolation(url, options.allowInsecureHttp === true);
  if (violation !== undefined) problems.push(`${key}: ${violation}`);
  const raw = value as string;
  if (raw.includes('#')) problems.push(`${key} must have no fragment (RFC 8707 §2)`);
  if (raw.includes('?')) problems.push(`${key} must have no query (RFC 8707 §2, RFC 9728 §3.1)`);
  if (/^[a-z]+:\/\/[^/?#]*@/i.test(raw)) problems.push(`${key} must have no userinfo`);
}

const PROTECTED_RESOURCE_KEYS: ReadonlySet<string> = new Set([
  'authorizationServers',
  'scopesSupported',
  'resourceName',
  'resourceDocumentation',
  'metadataPath',
]);

export function checkProtectedResource(
  problems: Problems,
  given: unknown,
  key: string,
  options: { readonly resource?: string; readonly allowInsecureHttp?: boolean },
): void {
  const value = optionObject(problems, given, key, PROTECTED_RESOURCE_KEYS);
  if (value === undefined) return;
  if (options.resource === undefined) {
    problems.push(`${key} needs resource: the metadata describes the API that resource names`);
  }
  const insecure = options.allowInsecureHttp === true;
  const servers = value.authorizationServers;
  checkStringList(problems, `${key}.authorizationServers`, servers, 'issuer URLs');
  if (Array.isArray(servers)) {
    servers.forEach((server, index) =>
      checkUrl(problems, `${key}.authorizationServers[${index}]`, server, insecure),
    );
  }
  checkStringList(problems, `${key}.scopesSupported`, value.scopesSupported, 'scopes');
  if (value.resourceName !== undefined && !isNonBlankString(value.resourceName)) {
    problems.push(`${key}.resourceName must be a non-empty string`);
  }
  if (value.resourceDocumentation !== undefined) {
    checkUrl(problems, `${key}.resourceDocumentation`, value.resourceDocumentation, insecure);
  }
  if (value.metadataPath !== undefined && value.metadataPath !== false) {
    problems.push(`${key}.metadataPath can only be false (the application serves the document)`);
  }
}

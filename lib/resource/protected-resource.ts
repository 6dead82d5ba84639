import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { scopesNamed, RouteRules } from '../guards/route-rules.js';
import { TENANT_PLACEHOLDER } from '../options/issuer-options.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';

/** How long clients and proxies may keep the document: it changes with a deployment. */
const CACHE_CONTROL = 'public, max-age=3600';

/**
 * The protected resource metadata of this API (RFC 9728), served by the module itself at
 * `/.well-known/oauth-protected-resource` followed by the path of `resource` (§3.1), when
 * `resource` is set: no controller of the application's, no guard, no global prefix (a route of
 * the HTTP adapter, on the origin's root, registered before Nest's not-found handler). Clients,
 * MCP clients first among them, find here which authorization servers issue tokens for this API.
 */
@Injectable()
export class ProtectedResourceMetadata implements OnModuleInit {
  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly rules: RouteRules,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {}

  /** Registers the route once every route's scopes are known (module init, before `listen`). */
  onModuleInit(): void {
    const { resource, protectedResource } = this.options;
    const adapter = this.http?.httpAdapter;
    if (resource === undefined || protectedResource?.metadataPath === false) return;
    if (adapter === undefined || adapter === null) return; // a microservice or an app context
    const body = JSON.stringify(this.document());
    adapter.get(resource.metadataPath, (_request: unknown, response: unknown) => {
      adapter.setHeader(response, 'Content-Type', 'application/json');
      adapter.setHeader(response, 'Cache-Control', CACHE_CONTROL);
      adapter.reply(response, body, 200);
    });
  }

  /**
   * The document (RFC 9728 §2): `resource`, `authorization_servers` (the configured issuers, or
   * `protectedResource.authorizationServers`), `scopes_supported` (every scope a route names, or
   * `protectedResource.scopesSupported`), `bearer_methods_supported`, and the names given.
   */
  document(): Record<string, unknown> {
    const { resource, protectedResource: given = {} } = this.options;
    const servers =
      given.authorizationServers ??
      [...this.options.issuers.keys()].filter((issuer) => !issuer.includes(TENANT_PLACEHOLDER));
    const scopes =
      given.scopesSupported ?? this.rules.handlers().flatMap(({ rules }) => scopesNamed(rules));
    return {
      resource: resource?.uri,
      authorization_servers: [...new Set(servers)],
      scopes_supported: [...new Set(scopes)].sort(),
      bearer_methods_supported: ['header'],
      ...(given.resourceName === undefined ? {} : { resource_name: given.resourceName }),
      ...(given.resourceDocumentation === undefined
        ? {}
        : { resource_documentation: given.resourceDocumentation }),
    };
  }
}

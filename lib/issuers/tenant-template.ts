import { TENANT_PLACEHOLDER, type ResolvedIssuer } from '../options/issuer-options.js';
import type { IssuerMatch } from './trusted-issuers.js';

/**
 * A multi-tenant issuer such as Entra ID's `https://login.microsoftonline.com/{tenantid}/v2.0`:
 * matches an `iss` that fills the placeholder with one path segment, of an allowed tenant when the
 * issuer names them.
 */
export class TenantTemplate {
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(
    template: string,
    private readonly config: ResolvedIssuer,
  ) {
    const at = template.indexOf(TENANT_PLACEHOLDER);
    this.prefix = template.slice(0, at);
    this.suffix = template.slice(at + TENANT_PLACEHOLDER.length);
  }

  static isTemplate(issuer: string): boolean {
    return issuer.includes(TENANT_PLACEHOLDER);
  }

  match(iss: string): IssuerMatch | undefined {
    const { prefix, suffix } = this;
    if (iss.length <= prefix.length + suffix.length) return undefined;
    if (!iss.startsWith(prefix) || !iss.endsWith(suffix)) return undefined;
    const tenant = iss.slice(prefix.length, iss.length - suffix.length);
    if (/[/?#\s]/.test(tenant)) return undefined;
    const allowed = this.config.allowedTenants;
    if (allowed !== undefined && !allowed.has(tenant)) return undefined;
    return { config: this.config, tenant };
  }
}

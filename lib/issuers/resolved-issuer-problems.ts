import type { IssuerOptions } from '../options/jwks-module-options.interface.js';
import type { ResolvedJwksOptions } from '../options/resolved-jwks-options.js';
import { issuerProblems, TENANT_PLACEHOLDER } from '../options/validate-issuer-options.js';

/**
 * Why an answer of `resolveIssuer` for `iss` cannot be trusted: every rule of a configured issuer
 * (URLs, https, algorithms, an audience rule), and it must describe exactly that `iss`, with algorithms among the
 * module's (what tokens are first checked against) and no aliases or templates of its own.
 */
export function resolvedIssuerProblems(
  iss: string,
  options: IssuerOptions,
  module: ResolvedJwksOptions,
): string[] {
  const problems = issuerProblems(options, 'resolveIssuer(iss)', module);
  if (problems.length > 0) return problems;
  if (options.issuer !== iss) problems.push('its issuer is not the iss it was asked about');
  const outside = (options.algorithms ?? []).filter(
    (alg) => !module.moduleAlgorithms.includes(alg),
  );
  if (outside.length > 0) problems.push(`algorithms ${outside.join(', ')} are not the module's`);
  if (options.issuerAliases !== undefined || iss.includes(TENANT_PLACEHOLDER)) {
    problems.push('a resolved issuer has no aliases or templates');
  }
  return problems;
}

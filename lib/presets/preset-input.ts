import { InvalidOptionsError } from '../errors/invalid-options.error.js';

/**
 * Checks a preset's inputs where the mistake is made: each must be a non-empty string, and a host
 * name must be bare (`tenant.auth0.com`, not `https://tenant.auth0.com/`).
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) naming the preset and each input.
 */
export function checkPresetInput(
  preset: string,
  values: Readonly<Record<string, unknown>>,
  hosts: readonly string[] = [],
): void {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${preset}(): ${name} must be a non-empty string`);
    } else if (hosts.includes(name) && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(value)) {
      problems.push(
        `${preset}(): ${name} must be a host name, like tenant.example.com (got ${JSON.stringify(value)})`,
      );
    }
  }
  if (problems.length > 0) throw new InvalidOptionsError(problems);
}

import { InvalidOptionsError } from '../errors/jwks-errors.js';
import { isNonBlankString, isStringOrList } from '../options/option-checks.js';

/**
 * Checks a preset's inputs where the mistake is made: each must be a non-empty string (or, for
 * `lists`, a string or a non-empty list of them), and a host name must be bare (`tenant.auth0.com`,
 * not `https://tenant.auth0.com/`). A blank audience usually is an unset environment variable: the
 * issuer would then accept tokens minted for any other API of the same tenant.
 * @throws InvalidOptionsError (`OPTIONS_INVALID`) naming the preset and each input.
 */
export function checkPresetInput(
  preset: string,
  values: Readonly<Record<string, unknown>>,
  hosts: readonly string[] = [],
  lists: readonly string[] = [],
): void {
  const problems = presetInputProblems(preset, values, hosts, lists);
  if (problems.length > 0) throw new InvalidOptionsError(problems);
}

/** What {@link checkPresetInput} refuses, for a preset that adds rules of its own. */
export function presetInputProblems(
  preset: string,
  values: Readonly<Record<string, unknown>>,
  hosts: readonly string[] = [],
  lists: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (lists.includes(name)) {
      if (!isStringOrList(value))
        problems.push(`${preset}(): ${name} must be a non-empty string or list of them`);
    } else if (!isNonBlankString(value)) {
      problems.push(`${preset}(): ${name} must be a non-empty string`);
    } else if (hosts.includes(name) && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(value)) {
      problems.push(
        `${preset}(): ${name} must be a host name, like tenant.example.com (got ${JSON.stringify(value)})`,
      );
    }
  }
  return problems;
}

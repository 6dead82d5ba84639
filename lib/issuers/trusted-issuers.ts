import { Inject, Injectable, Logger } from '@nestjs/common';
import { LruMap } from '../cache/lru-map.js';
import { describeUntrusted, IssuerUntrustedError, messageOf } from '../errors/jwks-errors.js';
import { RepeatLog } from '../logging/repeat-log.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import {
  type ResolvedIssuer,
  resolveIssuerOptions,
  issuerProblems,
  TENANT_PLACEHOLDER,
} from '../options/issuer-options.js';
import { Clock } from '../time/clock.js';
import type { IssuerOptions } from '../options/jwks-module-options.interface.js';

/**
 * The one answer to "is this `iss` trusted, and with which options", for the verifier, discovery and
 * the key cache alike: configured issuers (their aliases and `{tenantid}` templates), then the
 * answers of `resolveIssuer`, kept in a bounded LRU. An `iss` nobody trusts never causes a network
 * call by being asked about.
 */
@Injectable()
export class TrustedIssuers {
  private readonly exact = new Map<string, IssuerMatch>();
  private readonly templates: TenantTemplate[] = [];
  /** Every issuer in use, configured or resolved, by its `issuer` (the engines' key). */
  private readonly byKey = new Map<string, ResolvedIssuer>();
  private readonly answers: LruMap<string, IssuerMatch>;
  /** Refusals, apart: made-up `iss` values must not evict trusted answers (and their keys). */
  private readonly refusals: LruMap<string, true>;
  private readonly asking = new Map<string, Promise<IssuerMatch | null>>();
  private readonly forgetters: Array<(issuer: string) => void> = [];
  private readonly log: RepeatLog;

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    clock: Clock,
  ) {
    this.log = new RepeatLog(new Logger(TrustedIssuers.name), clock);
    this.answers = new LruMap(options.maxIssuers, (iss) => {
      this.byKey.delete(iss);
      this.forgetters.forEach((forget) => forget(iss));
    });
    this.refusals = new LruMap(options.maxIssuers);
    for (const config of options.issuers.values()) {
      this.byKey.set(config.issuer, config);
      for (const iss of [config.issuer, ...config.issuerAliases]) {
        if (TenantTemplate.isTemplate(iss)) this.templates.push(new TenantTemplate(iss, config));
        else this.exact.set(iss, { config, tenant: undefined });
      }
    }
  }

  /**
   * Synchronously: the issuer `iss` names, `null` when it is not trusted, or `undefined` when only
   * `find` can tell (a `resolveIssuer` not asked about it yet).
   */
  known(iss: unknown): IssuerMatch | null | undefined {
    if (typeof iss !== 'string') return null;
    const match = this.exact.get(iss) ?? this.matchTemplate(iss);
    if (match !== undefined) return match;
    if (this.options.resolveIssuer === undefined) return null;
    return this.answers.get(iss) ?? (this.refusals.has(iss) ? null : undefined);
  }

  /**
   * The trusted issuer `iss` names, synchronously when known (the hot path awaits nothing), else
   * once `resolveIssuer` has answered.
   * @throws IssuerUntrustedError (`ISSUER_UNTRUSTED`), before any network call.
   */
  match(iss: unknown): IssuerMatch | Promise<IssuerMatch> {
    const known = this.known(iss);
    if (known === null) throw new IssuerUntrustedError(iss);
    if (known !== undefined) return known;
    return this.find(iss).then((resolved) => {
      if (resolved === null) throw new IssuerUntrustedError(iss);
      return resolved;
    });
  }

  /** {@link TrustedIssuers.known}, asking `resolveIssuer` when needed (once per `iss` at a time). */
  find(iss: unknown): Promise<IssuerMatch | null> {
    const known = this.known(iss);
    if (known !== undefined) return Promise.resolve(known);
    const name = iss as string;
    let asked = this.asking.get(name);
    // A flood of made-up issuers waits on no more questions at once than there are answers kept.
    if (asked === undefined && this.asking.size >= this.options.maxIssuers)
      return Promise.resolve(null);
    if (asked === undefined) {
      asked = this.askResolver(name).finally(() => this.asking.delete(name));
      this.asking.set(name, asked);
    }
    return asked;
  }

  /**
   * The settings of an issuer in use, by its configured `issuer`.
   * @throws IssuerUntrustedError (`ISSUER_UNTRUSTED`)
   */
  settings(issuer: string): ResolvedIssuer {
    const config = this.byKey.get(issuer);
    if (config === undefined) throw new IssuerUntrustedError(issuer);
    return config;
  }

  /** Every issuer in use, configured or resolved, by its configured name. */
  inUse(): Iterable<string> {
    return this.byKey.keys();
  }

  /** Every configured issuer (what is prefetched at bootstrap). */
  configured(): Iterable<ResolvedIssuer> {
    return this.options.issuers.values();
  }

  /** Calls `forget` with each resolved issuer evicted from the LRU, so its cached documents go too. */
  onForgotten(forget: (issuer: string) => void): void {
    this.forgetters.push(forget);
  }

  private matchTemplate(iss: string): IssuerMatch | undefined {
    for (const template of this.templates) {
      const match = template.match(iss);
      if (match !== undefined) return match;
    }
    return undefined;
  }

  private async askResolver(iss: string): Promise<IssuerMatch | null> {
    let options;
    try {
      options = await this.options.resolveIssuer!(iss);
    } catch (error) {
      this.log.note('threw', {
        level: 'error',
        first: () =>
          `resolveIssuer threw for ${describeUntrusted(iss)}, refused: ${messageOf(error)}`,
        repeats: (count, seconds) =>
          `resolveIssuer threw ${count} more times in the last ${seconds} s`,
      });
      return null; // not remembered: the next token asks again
    }
    const problems =
      options === undefined ? [] : resolvedIssuerProblems(iss, options, this.options);
    if (problems.length > 0) {
      this.log.note('invalid', {
        level: 'warn',
        first: () => `resolveIssuer's answer for an issuer is refused: ${problems.join('; ')}`,
        repeats: (count, seconds) => `${count} more answers refused so in the last ${seconds} s`,
      });
    }
    const config =
      options === undefined || problems.length > 0
        ? undefined
        : resolveIssuerOptions(options, this.options.issuerDefaults);
    if (config === undefined) {
      this.refusals.set(iss, true);
      return null;
    }
    const answer = { config, tenant: undefined };
    this.byKey.set(iss, config);
    this.answers.set(iss, answer);
    return answer;
  }
}

/** The trusted issuer a token's `iss` names. */
export interface IssuerMatch {
  readonly config: ResolvedIssuer;
  /**
   * For a `{tenantid}` issuer, the tenant the `iss` names: the token's tenant claim must be this
   * very tenant once its signature is verified.
   */
  readonly tenant: string | undefined;
}

/**
 * Why an answer of `resolveIssuer` for `iss` cannot be trusted: every rule of a configured issuer
 * (URLs, https, algorithms, an audience rule), and it must describe exactly that `iss`, with algorithms among the
 * module's (what tokens are first checked against) and no aliases or templates of its own.
 */
function resolvedIssuerProblems(
  iss: string,
  options: IssuerOptions,
  module: ResolvedJwksOptions,
): string[] {
  const problems = issuerProblems(options, 'resolveIssuer(iss)', module);
  if (problems.length > 0) return problems;
  if (options.issuer !== iss) problems.push('its issuer is not the iss it was asked about');
  const outside = (options.algorithms ?? []).filter((alg) => !module.algorithms.includes(alg));
  if (outside.length > 0) problems.push(`algorithms ${outside.join(', ')} are not the module's`);
  if (options.issuerAliases !== undefined || iss.includes(TENANT_PLACEHOLDER)) {
    problems.push('a resolved issuer has no aliases or templates');
  }
  return problems;
}

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

import type { JwsAlgorithm } from '../jws/algorithms.js';
import type { DpopOptions, DpopReplayStore, MtlsOptions } from './jwks-module-options.interface.js';
import {
  checkAlgorithms,
  checkNumber,
  checkUrl,
  isNonBlankString,
  isRecord,
  optionObject,
  type Problems,
} from './option-checks.js';

/** How DPoP proofs are checked (RFC 9449), resolved once. */
export interface ResolvedDpop {
  /** Whether the application configured DPoP (then announced in the metadata). */
  readonly configured: boolean;
  readonly required: boolean;
  /** The origin `htu` must name; `undefined` when neither `dpop.origin` nor `resource` says. */
  readonly origin: string | undefined;
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  readonly proofMaxAgeMs: number;
  readonly nonce: boolean;
  readonly replayCheck: 'memory' | 'strict';
  readonly replayStore: DpopReplayStore | undefined;
}

/** How certificate-bound tokens are checked (RFC 8705), resolved once. */
export interface ResolvedMtls {
  readonly configured: boolean;
  readonly required: boolean;
  /** The header a proxy puts the certificate in (lower case), or `undefined`: the TLS socket's. */
  readonly certificateHeader: string | undefined;
}

const DPOP_KEYS: ReadonlySet<string> = new Set([
  'required',
  'origin',
  'algorithms',
  'proofMaxAge',
  'nonce',
  'replayCheck',
  'replayStore',
]);
const MTLS_KEYS: ReadonlySet<string> = new Set(['required', 'certificateHeader']);

export function checkDpop(
  problems: Problems,
  given: unknown,
  key: string,
  options: { readonly resource?: unknown; readonly allowInsecureHttp?: boolean },
): void {
  const value = optionObject(problems, given, key, DPOP_KEYS);
  if (value === undefined) return;
  checkFlag(problems, `${key}.required`, value.required);
  checkFlag(problems, `${key}.nonce`, value.nonce);
  if (value.origin !== undefined) {
    checkUrl(problems, `${key}.origin`, value.origin, options.allowInsecureHttp === true);
  } else if (options.resource === undefined) {
    problems.push(
      `${key} needs origin or the module's resource: a proof's htu is checked against it, never against the request's Host`,
    );
  }
  checkAlgorithms(problems, `${key}.algorithms`, value.algorithms);
  checkNumber(problems, `${key}.proofMaxAge`, value.proofMaxAge, 1, false, 3600);
  if (
    value.replayCheck !== undefined &&
    value.replayCheck !== 'memory' &&
    value.replayCheck !== 'strict'
  ) {
    problems.push(`${key}.replayCheck must be 'memory' or 'strict'`);
  }
  const store = value.replayStore;
  if (store !== undefined && !(isRecord(store) && typeof store.claimOnce === 'function')) {
    problems.push(`${key}.replayStore must have claimOnce(key, ttlMs): Promise<boolean>`);
  }
}

export function resolveDpop(
  value: DpopOptions | undefined,
  resource: string | undefined,
  moduleAlgorithms: readonly JwsAlgorithm[],
): ResolvedDpop {
  const origin = value?.origin ?? resource;
  return Object.freeze({
    configured: value !== undefined,
    required: value?.required ?? false,
    origin: origin === undefined ? undefined : new URL(origin).origin,
    algorithms: new Set(value?.algorithms ?? moduleAlgorithms),
    proofMaxAgeMs: Math.round((value?.proofMaxAge ?? 60) * 1000),
    nonce: value?.nonce ?? false,
    replayCheck: value?.replayCheck ?? 'memory',
    replayStore: value?.replayStore,
  });
}

export function checkMtls(problems: Problems, given: unknown, key: string): void {
  const value = optionObject(problems, given, key, MTLS_KEYS);
  if (value === undefined) return;
  checkFlag(problems, `${key}.required`, value.required);
  const header = value.certificateHeader;
  if (header !== undefined && !(isNonBlankString(header) && /^[A-Za-z0-9-]+$/.test(header))) {
    problems.push(`${key}.certificateHeader must be a header name (x-ssl-client-cert)`);
  }
}

export function resolveMtls(value: MtlsOptions | undefined): ResolvedMtls {
  return Object.freeze({
    configured: value !== undefined,
    required: value?.required ?? false,
    certificateHeader: value?.certificateHeader?.toLowerCase(),
  });
}

function checkFlag(problems: Problems, path: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') problems.push(`${path} must be a boolean`);
}

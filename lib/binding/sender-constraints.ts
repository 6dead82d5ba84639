import { createHash, createHmac, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  CertificateBindingMismatchError,
  DpopBindingMismatchError,
  DpopProofInvalidError,
} from '../errors/jwks-errors.js';
import { boundTo } from '../issuers/issuer-rules.js';
import type { VerifiedToken } from '../jws/jwt.types.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { Clock } from '../time/clock.js';
import { checkDpopProof } from './dpop-proof.js';
import { DpopReplay } from './dpop-replay.js';

/** What a sender constraint is checked against: the HTTP request the token came with. */
export interface PresentedRequest {
  readonly method: string;
  /** The request target as received: path and query (`/notes?x=1`). */
  readonly url: string;
  /** Express's target before its routers rewrote `url` (mount paths): preferred when present. */
  readonly originalUrl?: string;
  readonly headers: Readonly<Record<string, unknown>>;
  /** The connection: its TLS client certificate, when Node terminates TLS. */
  readonly socket?: unknown;
}

/** How the token was presented: `Authorization: DPoP ...` (RFC 9449 §7.1) or as a bearer token. */
export type TokenScheme = 'DPoP' | 'Bearer';

/**
 * Holds tokens to what they are bound to, on the request they came with: a DPoP key (`cnf.jkt`, RFC
 * 9449 §4.3, §7) proven by the request's one `DPoP` proof, used once across the fleet; a client
 * certificate (`cnf["x5t#S256"]`, RFC 8705 §3) presented on the TLS connection or in the header a
 * proxy sets. `dpop.required` and `mtls.required` refuse tokens without the binding.
 */
@Injectable()
export class SenderConstraints {
  private readonly nonces: DpopNonces | undefined;
  private readonly nonceValid: ((nonce: unknown) => boolean) | undefined;

  /** @internal Nest injects it with the module's own providers. */
  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly replay: DpopReplay,
    private readonly clock: Clock,
  ) {
    const { nonce, proofMaxAgeMs } = options.dpop;
    const secret = options.sharedCacheSecret[0] ?? randomBytes(32);
    const nonces = nonce ? new DpopNonces(secret, proofMaxAgeMs, clock) : undefined;
    this.nonces = nonces;
    this.nonceValid = nonces === undefined ? undefined : (value) => nonces.valid(value);
  }

  /** Whether proofs may be checked across the fleet right now (for the health check). */
  get replayCheckedFleetWide(): boolean {
    return this.replay.fleetWide;
  }

  /** The `DPoP-Nonce` every answer to a DPoP request carries when nonces are on (RFC 9449 §8). */
  nonce(scheme: TokenScheme | undefined): string | undefined {
    return scheme === 'DPoP' || this.options.dpop.required ? this.nonces?.current() : undefined;
  }

  /**
   * Refuses `verified` unless what binds it holds on `request`, and unless the bindings the module
   * requires are there.
   * @throws DpopProofInvalidError, DpopBindingMismatchError, CertificateBindingMismatchError,
   * SharedStoreUnavailableError
   */
  async check(
    request: PresentedRequest,
    scheme: TokenScheme,
    token: string,
    verified: VerifiedToken,
  ): Promise<void> {
    const bound = boundTo(verified.payload);
    const { dpop, mtls } = this.options;
    if (bound?.x5t !== undefined) this.checkCertificate(request, bound.x5t);
    else if (mtls.required) throw new CertificateBindingMismatchError('the token is not bound');
    if (scheme === 'DPoP') {
      // §7.1: the DPoP scheme carries DPoP-bound tokens only.
      if (bound?.jkt === undefined) throw new DpopBindingMismatchError('the token is not bound');
      await this.checkProof(request, token, bound.jkt);
    } else if (bound?.jkt !== undefined) {
      throw new DpopBindingMismatchError('a DPoP-bound token sent as a Bearer token');
    } else if (dpop.required) {
      throw new DpopProofInvalidError('DPoP is required');
    }
  }

  /** Takes the one use of the request's one valid proof, made with the key of thumbprint `jkt`. */
  private async checkProof(request: PresentedRequest, token: string, jkt: string): Promise<void> {
    const { dpop, clockToleranceMs } = this.options;
    const header = request.headers.dpop;
    // §4.3: exactly one proof; a header repeated arrives joined by commas, or as an array.
    if (typeof header !== 'string' || header === '' || header.includes(',')) {
      throw new DpopProofInvalidError(
        header === undefined ? 'no DPoP header' : 'not one DPoP header',
      );
    }
    if (dpop.origin === undefined) {
      throw new DpopProofInvalidError('the module names no origin (dpop.origin or resource)');
    }
    const checked = checkDpopProof(header, {
      method: request.method.toUpperCase(),
      htu: `${dpop.origin}${pathOf(request.originalUrl ?? request.url)}`,
      accessToken: token,
      algorithms: dpop.algorithms,
      maxAgeMs: dpop.proofMaxAgeMs,
      toleranceMs: clockToleranceMs,
      now: this.clock.now(),
      nonceValid: this.nonceValid,
    });
    // Before the claim: proofs of a key other than the token's are refused without taking room in
    // the replay memory, so one who holds a stolen token cannot flood it with proofs of its own.
    if (checked.thumbprint !== jkt) {
      throw new DpopBindingMismatchError("the proof's key is not cnf.jkt");
    }
    await this.replay.claim(checked.thumbprint, checked.jti);
  }

  private checkCertificate(request: PresentedRequest, x5t: string): void {
    const presented = certificateThumbprint(request, this.options.mtls.certificateHeader);
    if (presented === undefined) {
      throw new CertificateBindingMismatchError('no client certificate on the request');
    }
    if (presented !== x5t) {
      throw new CertificateBindingMismatchError('the client certificate is not cnf["x5t#S256"]');
    }
  }
}

/** The path of a request target, without query and fragment (what `htu` names after the origin). */
function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  return end < 0 ? target : target.slice(0, end);
}

/**
 * The base64url SHA-256 of the DER client certificate (RFC 8705 §3.1): from `header` when a proxy
 * terminates TLS (Envoy's `x-forwarded-client-cert` with `Hash=` or `Cert=`, else a URL-encoded PEM
 * as nginx's `$ssl_client_escaped_cert`), else from the TLS socket. A header holding more than one
 * certificate presents none: a proxy that appends to a client's own header (Envoy's
 * `APPEND_FORWARD`, or a second header line) would otherwise let the client's element be read.
 */
function certificateThumbprint(request: PresentedRequest, header: string | undefined) {
  if (header === undefined) {
    const socket = request.socket as {
      getPeerCertificate?: (detailed: boolean) => { raw?: Buffer };
    };
    const raw = socket?.getPeerCertificate?.(false)?.raw;
    return raw === undefined ? undefined : sha256(raw);
  }
  const value = request.headers[header];
  if (typeof value !== 'string' || value === '' || hasSecondElement(value)) return undefined;
  try {
    const envoy = /(?:^|;)Hash=([0-9a-fA-F]{64})(?:;|$)/.exec(value);
    if (envoy !== null) return Buffer.from(envoy[1]!, 'hex').toString('base64url');
    const pem = decodeURIComponent(/(?:^|;)Cert="([^"]+)"/.exec(value)?.[1] ?? value);
    if (pem.indexOf('-----BEGIN', pem.indexOf('-----BEGIN') + 1) >= 0) return undefined;
    return sha256(new X509Certificate(pem).raw);
  } catch {
    return undefined; // a header that holds no certificate presents none
  }
}

/**
 * Whether a forwarded-certificate header holds more than one element: XFCC separates them with
 * commas outside quoted values (a `Subject="CN=a,O=b"` has its own), and Node joins a header sent
 * twice with `, `. A URL-encoded PEM has no comma.
 */
function hasSecondElement(value: string): boolean {
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (char === '\\' && quoted) index++;
    else if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) return true;
  }
  return false;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64url');
}

/**
 * Server nonces (RFC 9449 §8): one per window of `proofMaxAge`, the current and the previous one
 * accepted. Derived from `sharedCacheSecret` when there is one, so every instance of the fleet
 * gives out and accepts the same; else from a secret of this instance's.
 */
class DpopNonces {
  constructor(
    private readonly secret: KeyObject | Buffer,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  current(): string {
    return this.of(Math.floor(this.clock.now() / this.windowMs));
  }

  valid(nonce: unknown): boolean {
    if (typeof nonce !== 'string') return false;
    const window = Math.floor(this.clock.now() / this.windowMs);
    return nonce === this.of(window) || nonce === this.of(window - 1);
  }

  private of(window: number): string {
    return createHmac('sha256', this.secret).update(`dpop-nonce.${window}`).digest('base64url');
  }
}

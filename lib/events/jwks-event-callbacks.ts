import { Inject, Injectable, Logger } from '@nestjs/common';
import { messageOf } from '../errors/jwks-errors.js';
import type {
  FetchErrorEvent,
  FetchEvent,
  KeyLookupEvent,
  KeyNotFoundEvent,
  RefreshEvent,
  VerificationEvent,
} from '../options/jwks-events.interface.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';

/** Calls the user's `events` callbacks; one that throws is logged once and never breaks verification. */
@Injectable()
export class JwksEventCallbacks {
  private readonly logger = new Logger(JwksEventCallbacks.name);
  private warned = false;

  constructor(@Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions) {}

  fetchError(event: FetchErrorEvent): void {
    const events = this.options.events;
    if (events.onFetchError) this.call(() => events.onFetchError?.(event));
  }

  refresh(event: RefreshEvent): void {
    const events = this.options.events;
    if (events.onRefresh) this.call(() => events.onRefresh?.(event));
  }

  keyNotFound(event: KeyNotFoundEvent): void {
    const events = this.options.events;
    if (events.onKeyNotFound) this.call(() => events.onKeyNotFound?.(event));
  }

  fetch(event: FetchEvent): void {
    const events = this.options.events;
    if (events.onFetch) this.call(() => events.onFetch?.(event));
  }

  /** Whether anyone listens to verifications (the hot path measures nothing otherwise). */
  get verifications(): boolean {
    return this.options.events.onVerification !== undefined;
  }

  verification(event: VerificationEvent): void {
    const events = this.options.events;
    if (events.onVerification) this.call(() => events.onVerification?.(event));
  }

  /** Whether anyone listens to key lookups. */
  get keyLookups(): boolean {
    return this.options.events.onKeyLookup !== undefined;
  }

  keyLookup(event: KeyLookupEvent): void {
    const events = this.options.events;
    if (events.onKeyLookup) this.call(() => events.onKeyLookup?.(event));
  }

  private call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      if (this.warned) return;
      this.warned = true;
      this.logger.warn(`An events callback threw, ignored: ${messageOf(error)}`);
    }
  }
}

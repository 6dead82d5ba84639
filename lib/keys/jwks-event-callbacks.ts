import type { Logger } from '@nestjs/common';
import type {
  FetchErrorEvent,
  JwksEvents,
  KeyNotFoundEvent,
  RefreshEvent,
} from '../options/jwks-events.interface.js';
import { messageOf } from '../errors/to-error.js';

/** Calls the user's `events` callbacks; one that throws is logged once and never breaks verification. */
export class JwksEventCallbacks {
  private warned = false;

  constructor(
    private readonly events: Readonly<JwksEvents>,
    private readonly logger: Logger,
  ) {}

  fetchError(event: FetchErrorEvent): void {
    if (this.events.onFetchError) this.call(() => this.events.onFetchError?.(event));
  }

  refresh(event: RefreshEvent): void {
    if (this.events.onRefresh) this.call(() => this.events.onRefresh?.(event));
  }

  keyNotFound(event: KeyNotFoundEvent): void {
    if (this.events.onKeyNotFound) this.call(() => this.events.onKeyNotFound?.(event));
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

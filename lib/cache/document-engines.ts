import { Inject, Injectable, type Logger } from '@nestjs/common';
import { JwksEventCallbacks } from '../events/jwks-event-callbacks.js';
import { JWKS_OPTIONS, type ResolvedJwksOptions } from '../options/module-options.js';
import { Clock } from '../time/clock.js';
import { DocumentCache } from './document-cache.js';
import type { DocumentSource } from './document-source.interface.js';
import { RefreshingDocuments } from './refreshing-documents.js';

/** Makes the engine for each kind of document, all on this module's options, clock, store and events. */
@Injectable()
export class DocumentEngines {
  private readonly reported = new WeakSet<object>();

  constructor(
    @Inject(JWKS_OPTIONS) private readonly options: ResolvedJwksOptions,
    private readonly clock: Clock,
    private readonly store: DocumentCache,
    private readonly events: JwksEventCallbacks,
  ) {}

  create<T>(source: DocumentSource<T>, logger: Logger): RefreshingDocuments<T> {
    const { options, clock, store, events, reported } = this;
    return new RefreshingDocuments(source, { options, clock, store, events, logger, reported });
  }
}

import type { JsonWebKey } from 'node:crypto';
import type { LibraryKnobs } from './cli.js';
import type { Fault } from './phases.js';

/** Requests the provider received during one state, by endpoint. */
export interface Hits {
  metadata: number;
  jwks: number;
  other: number;
}

/** What the provider serves until told otherwise. */
export interface ProviderState {
  readonly metadata: Fault;
  readonly jwks: Fault;
  readonly keys: readonly JsonWebKey[];
}

/** The provider process's argument (JSON in argv[2]). */
export interface ProviderConfig {
  readonly maxAge: number;
  /** How late `slow` answers: twice the library's timeout, so the library gives up first. */
  readonly slowMs: number;
  readonly initial: ProviderState;
}

export type ToProvider =
  | { type: 'apply'; seq: number; state: ProviderState }
  /** Read the counts of the current state (at the end of the run) without changing it. */
  | { type: 'count'; seq: number }
  | { type: 'stop' };

export type FromProvider =
  | { type: 'listening'; port: number; at: number }
  /** `at` is when the new state took effect; `hits` counts what the previous state received. */
  | { type: 'applied'; seq: number; at: number; hits: Hits }
  | { type: 'counted'; seq: number; hits: Hits };

/** The app process's argument (JSON in argv[2]). */
export interface AppConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly library: LibraryKnobs;
  readonly gc: boolean;
  readonly verbose: boolean;
}

export type ToApp = { type: 'stop' };

export type FromApp =
  | { type: 'listening'; port: number }
  /** Every 500 ms, and once more when told to stop; bytes. */
  | { type: 'rss'; at: number; rss: number; heapUsed: number };

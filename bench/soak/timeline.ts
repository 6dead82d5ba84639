import type { Hits } from './messages.js';
import { isReachable, type PhaseKind } from './phases.js';

/**
 * One provider state as it happened. A switch is asked for at `sentAt` and applied by the provider
 * at `appliedAt`; in between either state may be in effect, so each rule takes the bound that makes
 * it tolerant, never the one that makes it strict.
 */
export interface ProviderSpan {
  readonly kind: PhaseKind;
  readonly sentAt: number;
  readonly appliedAt: number;
  /** Rotations applied once this state is in effect (see keys.ts). */
  readonly rotations: number;
  /** What the provider received in this state; known once the next state is applied. */
  hits: Hits;
}

/** A stretch during which both endpoints answered normally without a break. */
export interface ReachableRun {
  readonly from: number;
  /** When the next failing state may have begun; Infinity when none followed. */
  readonly to: number;
  /** The provider was reachable from its start: no failed fetch can still be in flight. */
  readonly initial: boolean;
}

/** When a key change (publication or removal) reached the provider. */
export interface KeyEvent {
  readonly sentAt: number;
  readonly appliedAt: number;
}

/** Every state the provider went through, in order, with the derived key and reachability history. */
export class Timeline {
  readonly spans: ProviderSpan[] = [];

  add(kind: PhaseKind, sentAt: number, appliedAt: number, rotations: number): ProviderSpan {
    const span = { kind, sentAt, appliedAt, rotations, hits: { metadata: 0, jwks: 0, other: 0 } };
    this.spans.push(span);
    return span;
  }

  reachableRuns(): ReachableRun[] {
    const runs: ReachableRun[] = [];
    let open: { from: number; initial: boolean } | undefined;
    this.spans.forEach((span, index) => {
      if (isReachable(span.kind)) {
        open ??= { from: span.appliedAt, initial: index === 0 };
      } else if (open !== undefined) {
        runs.push({ ...open, to: span.sentAt });
        open = undefined;
      }
    });
    if (open !== undefined) runs.push({ ...open, to: Number.POSITIVE_INFINITY });
    return runs;
  }

  /** When the provider began serving rotation count `rotations` (0: from its start). */
  rotationEvent(rotations: number): KeyEvent | undefined {
    const span = this.spans.find((candidate) => candidate.rotations >= rotations);
    return span && { sentAt: span.sentAt, appliedAt: span.appliedAt };
  }
}

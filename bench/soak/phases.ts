/** How one provider endpoint answers during a phase. */
export type Fault = 'ok' | 'hang' | 'http-500' | 'reset' | 'slow' | 'invalid-json';

/** A provider behaviour the orchestrator switches to, for both endpoints. */
export interface PhaseKind {
  readonly name: string;
  readonly metadata: Fault;
  readonly jwks: Fault;
  /** Publish a new key and drop the one superseded by the previous rotation (see keys.ts). */
  readonly rotate: boolean;
}

const phase = (name: string, metadata: Fault, jwks: Fault, rotate = false): PhaseKind => ({
  name,
  metadata,
  jwks,
  rotate,
});

/** The provider serves normally before the measured run, while the app boots and warms up. */
export const WARMUP = phase('warmup', 'ok', 'ok');

/**
 * The cycle, repeated for the whole run. `ok` first, as the baseline every other phase is compared
 * with, and `rotate` right after it, so even a short run sees a rotation while the provider is
 * reachable; then failures of both endpoints, then of one endpoint while the other answers.
 */
export const PHASE_CYCLE: readonly PhaseKind[] = [
  phase('ok', 'ok', 'ok'),
  phase('rotate', 'ok', 'ok', true),
  phase('hang', 'hang', 'hang'),
  phase('http-500', 'http-500', 'http-500'),
  phase('reset', 'reset', 'reset'),
  phase('slow', 'slow', 'slow'),
  phase('invalid-json', 'invalid-json', 'invalid-json'),
  phase('meta-hang', 'hang', 'ok'),
  phase('meta-500', 'http-500', 'ok'),
  phase('jwks-hang', 'ok', 'hang'),
  phase('jwks-invalid', 'ok', 'invalid-json'),
];

/** Both endpoints answer normally: the only state in which keys are expected to change in memory. */
export function isReachable(kind: PhaseKind): boolean {
  return kind.metadata === 'ok' && kind.jwks === 'ok';
}

/** One planned phase of the measured run: what the provider does, for how long. */
export interface PlannedPhase {
  readonly index: number;
  readonly kind: PhaseKind;
  readonly seconds: number;
}

/** The phases of a run of `seconds`, cycling; the last one is cut short to end the run on time. */
export function planPhases(seconds: number, phaseSeconds: number): PlannedPhase[] {
  const phases: PlannedPhase[] = [];
  for (let start = 0; start < seconds - 1e-9; start += phaseSeconds) {
    const index = phases.length;
    const kind = PHASE_CYCLE[index % PHASE_CYCLE.length]!;
    phases.push({ index: index + 1, kind, seconds: Math.min(phaseSeconds, seconds - start) });
  }
  return phases;
}

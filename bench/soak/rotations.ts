import { droppedGeneration, newestGeneration } from './keys.js';
import type { RequestLog } from './request-log.js';
import type { Timeline } from './timeline.js';
import { TOKEN_CLASSES } from './tokens.js';

/** How long the app took, as observed, to follow one rotation; seconds after it was applied. */
export interface RotationFigures {
  readonly rotation: number;
  /** When the provider applied it, seconds from the run start. */
  readonly atS: number;
  /** The last request that still got 200 with the key this rotation dropped (null: none). */
  readonly droppedKeyLastAcceptedAfterS: number | null;
  /** The last request that still got a refusal with the key this rotation published (null: none). */
  readonly newKeyLastRefusedAfterS: number | null;
}

const ROTATED = TOKEN_CLASSES.indexOf('rotated');
const DROPPED = TOKEN_CLASSES.indexOf('dropped');

/**
 * The observed counterpart of the outcome rules' grace: for each rotation, how late the dropped key
 * was still trusted and the new key still refused. Evidence of how tight the rules are.
 */
export function rotationFigures(
  log: RequestLog,
  timeline: Timeline,
  runStartAt: number,
): RotationFigures[] {
  const figures: RotationFigures[] = [];
  for (let rotation = 1; ; rotation++) {
    const event = timeline.rotationEvent(rotation);
    if (event === undefined) return figures;
    const accepted = (status: number) => status === 200;
    const refused = (status: number) => status >= 400;
    const lastAccepted = lastSent(log, DROPPED, droppedGeneration(rotation), accepted);
    const lastRefused = lastSent(log, ROTATED, newestGeneration(rotation), refused);
    const after = (at: number) =>
      Number.isFinite(at) ? Math.round(at - event.appliedAt) / 1000 : null;
    figures.push({
      rotation,
      atS: Math.round(event.appliedAt - runStartAt) / 1000,
      droppedKeyLastAcceptedAfterS: after(lastAccepted),
      newKeyLastRefusedAfterS: after(lastRefused),
    });
  }
}

/** When the last request of `cls` with key `generation` and a status that `matches` was sent. */
function lastSent(
  log: RequestLog,
  cls: number,
  generation: number,
  matches: (status: number) => boolean,
): number {
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < log.size; i++) {
    if (log.cls[i] !== cls || log.generation[i] !== generation) continue;
    if (matches(log.status[i]!)) last = Math.max(last, log.sentAt[i]!);
  }
  return last;
}

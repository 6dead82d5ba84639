import type { BenchAlg } from './algorithms.js';
import type { Section } from './cli.js';
import { runFloodSection } from './flood.js';
import { runHttpSection } from './http-section.js';
import type { BenchKey } from './keys.js';
import { runMemorySection } from './memory-section.js';
import type { Profile } from './profile.js';
import { printFlood, printHttp, printMemory, printVerify } from './report.js';
import { floodTargets, httpTargets, memoryTargets, verifyTargets, type Target } from './targets.js';
import { runVerifySection } from './verify-section.js';

export interface SectionOutcome {
  /** Every raw figure, for results.json. */
  readonly data: unknown;
  readonly targets: readonly Target[];
}

type SectionRunner = (keys: readonly BenchKey[], profile: Profile) => Promise<SectionOutcome>;

/** Each section runs, prints its table as soon as it is done, and judges its own targets. */
export const SECTION_RUNNERS: Readonly<Record<Section, SectionRunner>> = {
  verify: async (keys, profile) => {
    const results = await runVerifySection(keys, profile);
    printVerify(results);
    return { data: results, targets: verifyTargets(results) };
  },
  http: async (keys, profile) => {
    const results = await runHttpSection(keyOf(keys, 'RS256'), profile);
    printHttp(results);
    return { data: results, targets: httpTargets(results) };
  },
  flood: async (keys, profile) => {
    const results = await runFloodSection(keyOf(keys, 'ES256'), profile);
    printFlood(results);
    return { data: results, targets: floodTargets(results) };
  },
  memory: async (_keys, profile) => {
    const results = await runMemorySection(profile);
    printMemory(results);
    return { data: results, targets: memoryTargets(results) };
  },
};

function keyOf(keys: readonly BenchKey[], alg: BenchAlg): BenchKey {
  return keys.find((key) => key.alg === alg)!;
}

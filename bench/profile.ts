/** How long each part runs: `full` is the published run (under 5 minutes on 2 cores), `quick` a smoke test. */
export interface Profile {
  readonly name: 'full' | 'quick';
  readonly verifyRounds: number;
  /** Time per contender per round. */
  readonly sliceMs: number;
  readonly warmMs: number;
  readonly distinctTokens: number;
  /** `verifiedTokenCache.max` of the "cache on" verifier and fast-jwt's cache size. */
  readonly verifyCacheMax: number;
  readonly httpRounds: number;
  readonly httpSeconds: number;
  readonly httpWarmupSeconds: number;
  readonly connections: number;
  readonly floodRequests: number;
  readonly floodCooldownS: number;
  /** The paced flood: a short cooldown, so it elapses several times while unknown kids keep coming. */
  readonly pacedCooldownS: number;
  readonly pacedSeconds: number;
  readonly memoryTokens: number;
  /** One child per `max`: one that holds every token, one that must evict. */
  readonly memoryMaxes: readonly number[];
}

const FULL: Profile = {
  name: 'full',
  verifyRounds: 5,
  sliceMs: 150,
  warmMs: 50,
  distinctTokens: 1000,
  verifyCacheMax: 10_000,
  httpRounds: 3,
  httpSeconds: 3,
  httpWarmupSeconds: 1,
  connections: 50,
  floodRequests: 10_000,
  floodCooldownS: 30,
  pacedCooldownS: 1,
  pacedSeconds: 4,
  memoryTokens: 100_000,
  memoryMaxes: [100_000, 10_000],
};

const QUICK: Profile = {
  ...FULL,
  name: 'quick',
  verifyRounds: 2,
  sliceMs: 30,
  warmMs: 10,
  httpRounds: 1,
  httpSeconds: 1,
  httpWarmupSeconds: 0.5,
  pacedSeconds: 2,
  memoryTokens: 20_000,
  memoryMaxes: [20_000, 2_000],
};

export function profileOf(quick: boolean): Profile {
  return quick ? QUICK : FULL;
}

import { Session } from 'node:inspector/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
}

/** A function's share of the samples taken while it was on top of the stack. */
export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly share: number;
}

/** Runs `work` under the V8 sampling profiler (as `--cpu-prof` would) and returns self time per function. */
export async function profileSelfTime(work: () => Promise<void>): Promise<SelfTime[]> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  await work();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  return selfTimes(profile);
}

function selfTimes(profile: Profile): SelfTime[] {
  const byFunction = new Map<string, { name: string; where: string; hits: number }>();
  let total = 0;
  for (const { callFrame, hitCount = 0 } of profile.nodes) {
    total += hitCount;
    const name = callFrame.functionName || '(anonymous)';
    const file = callFrame.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/');
    const where = file === '' ? '' : `${file}:${callFrame.lineNumber + 1}`;
    const key = `${name} ${where}`;
    const entry = byFunction.get(key) ?? { name, where, hits: 0 };
    entry.hits += hitCount;
    byFunction.set(key, entry);
  }
  return [...byFunction.values()]
    .map(({ name, where, hits }) => ({ name, where, share: hits / total }))
    .sort((a, b) => b.share - a.share);
}

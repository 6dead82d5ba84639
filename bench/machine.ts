import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** Where and when the figures were taken: they mean nothing without it. */
export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average at the start: above ~0.8 on 2 cores, something else was running. */
  readonly loadAverage: number;
  readonly date: string;
}

export function describeMachine(): Machine {
  const processors = cpus();
  return {
    cores: processors.length,
    cpu: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: loadavg()[0]!,
    date: new Date().toISOString(),
  };
}

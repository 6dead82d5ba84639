import autocannon from 'autocannon';

/** One autocannon run against one route. */
export interface LoadSample {
  /** Successful (2xx) responses per second. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers, socket errors and timeouts: any of them makes the run suspect. */
  readonly failures: number;
}

export async function load(
  url: string,
  token: string,
  seconds: number,
  connections: number,
): Promise<LoadSample> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    // Every route gets the same request, token included, so only the guard differs.
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** Answers the route once with and once without the token, to prove the guard is really there. */
export async function checkRoute(url: string, token: string, guarded: boolean): Promise<void> {
  const withToken = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const without = await fetch(url);
  const expected = guarded ? 401 : 200;
  if (withToken.status !== 200 || without.status !== expected) {
    throw new Error(
      `${url}: ${withToken.status} with the token (expected 200), ${without.status} without (expected ${expected})`,
    );
  }
}

import type { BenchKey } from './keys.js';
import { startChild } from './child.js';
import {
  PLATFORMS,
  ROUTES,
  type HttpAppConfig,
  type HttpAppReady,
  type Platform,
  type Route,
} from './http-config.js';
import { checkRoute, load, type LoadSample } from './http-load.js';
import { startJwksServer } from './jwks-server.js';
import { jwksOf } from './keys.js';
import { note } from './print.js';
import type { Profile } from './profile.js';
import { ratio, rotate, summarize, type Summary } from './stats.js';
import { benchClaims, signToken } from './tokens.js';

export interface HttpCell {
  readonly platform: Platform;
  readonly route: Route;
  readonly rps: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
  /** Over all rounds: non-2xx, errors, timeouts. */
  readonly failures: number;
  readonly toLimit: number | undefined;
  readonly toOpen: number | undefined;
  readonly toRecipe: number | undefined;
}

export interface HttpResults {
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
  readonly cells: readonly HttpCell[];
}

/**
 * Per platform, one app process with every route; autocannon runs here, in this process. Each
 * round loads every route once, in an order rotated per round. One repeated RS256 token: the
 * cache-on route is meant to profit from the repetition.
 */
export async function runHttpSection(rs256: BenchKey, profile: Profile): Promise<HttpResults> {
  const server = await startJwksServer(jwksOf([rs256]));
  const token = signToken(rs256, benchClaims(0));
  const cells: HttpCell[] = [];
  try {
    for (const platform of PLATFORMS) {
      const config: HttpAppConfig = {
        platform,
        jwksUri: server.url,
        limitJwk: rs256.publicJwk,
        cacheMax: profile.verifyCacheMax,
      };
      const app = startChild<HttpAppReady>('./http-app.js', config);
      try {
        const { port } = await app.first;
        cells.push(
          ...(await measurePlatform(platform, `http://127.0.0.1:${port}`, token, profile)),
        );
      } finally {
        await app.stop();
      }
    }
  } finally {
    await server.close();
  }
  const { httpRounds: rounds, httpSeconds: seconds, connections } = profile;
  return { rounds, seconds, connections, cells };
}

async function measurePlatform(
  platform: Platform,
  base: string,
  token: string,
  profile: Profile,
): Promise<HttpCell[]> {
  const urlOf = (route: Route) => `${base}/${route}`;
  for (const route of ROUTES) await checkRoute(urlOf(route), token, route !== 'open');
  note(`http ${platform}: warming every route`);
  for (const route of ROUTES) {
    await load(urlOf(route), token, profile.httpWarmupSeconds, profile.connections);
  }
  const samples = new Map<Route, LoadSample[]>(ROUTES.map((route) => [route, []]));
  for (let round = 0; round < profile.httpRounds; round++) {
    note(`http ${platform}: round ${round + 1}/${profile.httpRounds}`);
    for (const route of rotate(ROUTES, round)) {
      const sample = await load(urlOf(route), token, profile.httpSeconds, profile.connections);
      samples.get(route)!.push(sample);
    }
  }
  return cellsOf(platform, samples);
}

function cellsOf(platform: Platform, samples: Map<Route, LoadSample[]>): HttpCell[] {
  const rps = (route: Route) => summarize(samples.get(route)!.map((sample) => sample.rps));
  const [limit, open, recipe] = [rps('limit'), rps('open'), rps('recipe')];
  return ROUTES.map((route) => {
    const runs = samples.get(route)!;
    const own = rps(route);
    return {
      platform,
      route,
      rps: own,
      p50Ms: summarize(runs.map((sample) => sample.p50Ms)),
      p99Ms: summarize(runs.map((sample) => sample.p99Ms)),
      failures: runs.reduce((sum, sample) => sum + sample.failures, 0),
      toLimit: ratio(own, limit),
      toOpen: ratio(own, open),
      toRecipe: ratio(own, recipe),
    };
  });
}

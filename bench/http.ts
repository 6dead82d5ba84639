import autocannon from 'autocannon';
import { anyMessage, Child } from './child-process.js';
import type { Profile, SectionResult, Target } from './harness.js';
import type { HttpAppConfig } from './http-app.js';
import { benchToken, publishedKeys, startBenchIssuer } from './issuer.js';
import { ms, note, print, range, rate, table, times } from './report.js';
import { ratio, rotate, summarize } from './stats.js';

const PLATFORMS = ['express', 'fastify'] as const;
type Platform = (typeof PLATFORMS)[number];

/** The routes of the app under load (http-app.ts), from no guard to the usual passport recipe. */
const ROUTES = {
  open: '/open     unguarded',
  limit: '/limit    split + crypto.verify guard',
  guarded: '/guarded  JwtAuthGuard, cache off',
  cached: '/cached   JwtAuthGuard, cache on',
  recipe: "/recipe   AuthGuard('jwt') recipe",
} as const;
type Route = keyof typeof ROUTES;
const ROUTE_NAMES = Object.keys(ROUTES) as Route[];

type HttpCell = Awaited<ReturnType<typeof measurePlatform>>[number];

const HTTP_LIMIT_SHARE = 0.9;
const HTTP_OPEN_SHARE = 0.95;
const HTTP_OVER_RECIPE = 2.5;
const READY_MS = 60_000;
const APP = new URL('./http-app.js', import.meta.url);

/**
 * Requests per second through a Nest app, Express then Fastify, each in its own process with every
 * route; autocannon runs here. Each round loads every route once, in an order rotated per round.
 * One repeated RS256 token: the cache-on route is meant to profit from the repetition.
 */
export async function runHttp(profile: Profile): Promise<SectionResult> {
  const issuer = await startBenchIssuer(['RS256']);
  const token = benchToken(issuer, 'RS256', 0);
  const limitJwk = (await publishedKeys(issuer))[0]!.jwk;
  const cells: HttpCell[] = [];
  try {
    for (const platform of PLATFORMS) {
      const { verifyCacheMax: cacheMax } = profile;
      const config: HttpAppConfig = {
        platform,
        issuer: issuer.issuerOptions(),
        limitJwk,
        cacheMax,
      };
      const app = new Child<{ port: number }>('app', APP, config);
      try {
        const base = `http://127.0.0.1:${(await app.next(anyMessage, READY_MS)).port}`;
        cells.push(...(await measurePlatform(platform, base, token, profile)));
      } finally {
        await app.stop();
      }
    }
  } finally {
    await issuer.close();
  }
  printHttp(cells, profile);
  return { data: { profile, cells }, targets: httpTargets(cells) };
}

async function measurePlatform(platform: Platform, base: string, token: string, profile: Profile) {
  const urlOf = (route: Route) => `${base}/${route}`;
  for (const route of ROUTE_NAMES) await checkRoute(urlOf(route), token, route !== 'open');
  note(`http ${platform}: warming every route`);
  for (const route of ROUTE_NAMES)
    await load(urlOf(route), token, profile.httpWarmupSeconds, profile);
  const samples = new Map(ROUTE_NAMES.map((route) => [route, [] as LoadSample[]]));
  for (let round = 0; round < profile.httpRounds; round++) {
    note(`http ${platform}: round ${round + 1}/${profile.httpRounds}`);
    for (const route of rotate(ROUTE_NAMES, round)) {
      samples.get(route)!.push(await load(urlOf(route), token, profile.httpSeconds, profile));
    }
  }
  const of = (route: Route, figure: (sample: LoadSample) => number) =>
    summarize(samples.get(route)!.map(figure));
  const rps = (route: Route) => of(route, (sample) => sample.rps);
  return ROUTE_NAMES.map((route) => ({
    platform,
    route,
    rps: rps(route),
    p50Ms: of(route, (sample) => sample.p50Ms),
    p99Ms: of(route, (sample) => sample.p99Ms),
    failures: samples.get(route)!.reduce((sum, sample) => sum + sample.failures, 0),
    toLimit: ratio(rps(route), rps('limit')),
    toOpen: ratio(rps(route), rps('open')),
    toRecipe: ratio(rps(route), rps('recipe')),
  }));
}

/** One autocannon run against one route. */
type LoadSample = Awaited<ReturnType<typeof load>>;

async function load(url: string, token: string, seconds: number, profile: Profile) {
  const result = await autocannon({
    url,
    connections: profile.connections,
    duration: seconds,
    // Every route gets the same request, token included, so only the guard differs.
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    /** Successful (2xx) responses per second. */
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    /** Non-2xx answers, socket errors and timeouts: any of them makes the run suspect. */
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** Answers the route once with and once without the token, to prove the guard is really there. */
async function checkRoute(url: string, token: string, guarded: boolean): Promise<void> {
  const withToken = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const without = await fetch(url);
  const expected = guarded ? 401 : 200;
  if (withToken.status !== 200 || without.status !== expected) {
    throw new Error(
      `${url}: ${withToken.status} with the token (expected 200), ${without.status} without (expected ${expected})`,
    );
  }
}

function printHttp(cells: readonly HttpCell[], profile: Profile): void {
  print(
    `\nHTTP, RS256, one repeated token: autocannon, ${profile.connections} connections, median of ${profile.httpRounds} interleaved rounds of ${profile.httpSeconds} s; app in its own process`,
  );
  const rows = cells.flatMap((cell, index) => [
    ...(index > 0 && cell.route === 'open' ? [['']] : []),
    [
      cell.route === 'open' ? cell.platform : '',
      ROUTES[cell.route],
      rate(cell.rps.median),
      range(cell.rps),
      ms(cell.p50Ms.median),
      ms(cell.p99Ms.median),
      times(cell.toLimit),
      times(cell.toOpen),
      times(cell.toRecipe),
      String(cell.failures),
    ],
  ]);
  const header = 'platform|route|req/s|min–max|p50|p99|×limit|×open|×recipe|non-2xx';
  print(table(header, rows, 'llrrrrrrrr'));
}

function httpTargets(cells: readonly HttpCell[]): Target[] {
  const express = (route: Route) =>
    cells.find((cell) => cell.platform === 'express' && cell.route === route)!;
  const [guarded, cached] = [express('guarded'), express('cached')];
  return [
    {
      name: `Express JwtAuthGuard, cache off ≥ ${HTTP_LIMIT_SHARE} × /limit`,
      observed: times(guarded.toLimit),
      pass: (guarded.toLimit ?? 0) >= HTTP_LIMIT_SHARE,
    },
    {
      name: `Express JwtAuthGuard, cache on ≥ ${HTTP_OPEN_SHARE} × /open (unguarded)`,
      observed: times(cached.toOpen),
      pass: (cached.toOpen ?? 0) >= HTTP_OPEN_SHARE,
    },
    {
      // Judged with the cache off (the default, and the recipe has no such cache); cache on shown.
      name: `Express JwtAuthGuard, cache off ≥ ${HTTP_OVER_RECIPE} × the recipe`,
      observed: `${times(guarded.toRecipe)} (cache on: ${times(cached.toRecipe)})`,
      pass: (guarded.toRecipe ?? 0) >= HTTP_OVER_RECIPE,
    },
  ];
}

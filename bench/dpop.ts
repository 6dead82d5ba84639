import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from '../lib/index.js';
import { jwsCryptoParams } from '../lib/jws/algorithms.js';
import { createDpopKey, createDpopProof, type DpopKey } from '../lib/testing/index.js';
import { measureRedisCost, printRedisCost } from './dpop-redis.js';
import type { Profile, SectionResult, Target } from './harness.js';
import { AUDIENCE, benchJwksOptions, createVerifier, startBenchIssuer } from './issuer.js';
import { count, note, print, range, rate, table, times } from './report.js';
import { ratio, rotate, summarize, type Summary } from './stats.js';

const CONTENDERS = {
  limit: 'limit: crypto.verify of the token and of the proof',
  'bearer-limit': 'crypto.verify of the token alone',
  bearer: 'verifyRequest, Bearer',
  dpop: 'verifyRequest, DPoP',
  'dpop-on': 'verifyRequest, DPoP, verifiedTokenCache on',
} as const;
type ContenderId = keyof typeof CONTENDERS;

/** Target: a DPoP request costs at most this much more than its two bare signature checks. */
const OVER_LIMIT = 1.1;
const URL_PATH = '/notes';
const HTU = `${AUDIENCE}${URL_PATH}`;

/** One request: a Bearer one, or a DPoP one whose proof is used once. */
interface Request {
  readonly token: string;
  readonly proof?: string;
}

interface Contender {
  readonly id: ContenderId;
  /** Requests for one slice, made before it is timed: a proof is single-use, and signing is the client's cost. */
  requests(): Request[];
  check(request: Request): unknown;
}

/**
 * What a DPoP-bound request costs (RFC 9449): `JwtVerifier.verifyRequest` with an RS256 token and
 * a fresh ES256 proof, beside the same with a Bearer token and beside the limit, the two bare
 * `crypto.verify` calls (token, then proof) that no complete check can skip. Each contender checks
 * `dpopRequests` requests per round, in interleaved rounds; the replay check is in it (the
 * in-memory store: one instance).
 */
export async function runDpop(profile: Profile): Promise<SectionResult> {
  const issuer = await startBenchIssuer(['RS256']);
  const options = (cache: { max: number } | false) =>
    benchJwksOptions(issuer.issuerOptions(), {
      resource: AUDIENCE,
      dpop: {},
      verifiedTokenCache: cache,
    });
  const off = await createVerifier(options(false));
  const on = await createVerifier(options({ max: profile.verifyCacheMax }));
  try {
    const dpopKey = createDpopKey('ES256');
    const tokens = Array.from({ length: profile.dpopTokens }, (_, index) => {
      const claims = { sub: `user-${index}`, azp: 'bench-client', scope: 'read:notes' };
      return {
        bearer: issuer.sign(claims, { alg: 'RS256', expiresIn: 3600 }),
        bound: issuer.sign(claims, { alg: 'RS256', expiresIn: 3600, dpopKey }),
      };
    });
    const tokenKey = await issuerKey(issuer.jwksUri);
    const limit = rawCheck('RS256', tokenKey);
    const proofLimit = rawCheck(dpopKey.alg, createPublicKey(dpopKey.privateKey));
    const bound = () =>
      dpopRequests(
        dpopKey,
        tokens.map((token) => token.bound),
        profile,
      );
    const bearer = () =>
      Array.from({ length: profile.dpopRequests }, (_, index) => ({
        token: tokens[index % tokens.length]!.bearer,
      }));
    const presented = ({ token, proof }: Request) => ({
      method: 'GET',
      url: URL_PATH,
      headers:
        proof === undefined
          ? { authorization: `Bearer ${token}` }
          : { authorization: `DPoP ${token}`, dpop: proof },
    });
    const contenders: Contender[] = [
      {
        id: 'limit',
        requests: bound,
        check: (request) => limit(request.token) && proofLimit(request.proof!),
      },
      { id: 'bearer-limit', requests: bearer, check: (request) => limit(request.token) },
      { id: 'bearer', requests: bearer, check: (r) => off.verifier.verifyRequest(presented(r)) },
      { id: 'dpop', requests: bound, check: (r) => off.verifier.verifyRequest(presented(r)) },
      { id: 'dpop-on', requests: bound, check: (r) => on.verifier.verifyRequest(presented(r)) },
    ];
    const samples = await measureRounds(contenders, profile);
    const cells = Object.fromEntries(
      contenders.map(({ id }) => [id, summarize(samples.get(id)!)]),
    ) as Record<ContenderId, Summary>;
    printDpop(cells, profile);
    const boundTokens = tokens.map((token) => token.bound);
    const redis = await measureRedisCost(issuer.issuerOptions(), boundTokens, dpopKey, profile);
    printRedisCost(redis);
    return { data: { profile, cells, redis }, targets: dpopTargets(cells) };
  } finally {
    await Promise.all([off.close(), on.close()]);
    await issuer.close();
  }
}

/** The issuer's RS256 public key, as a verifier holds it once imported. */
async function issuerKey(jwksUri: string): Promise<KeyObject> {
  const { keys } = (await (await fetch(jwksUri)).json()) as { keys: Record<string, unknown>[] };
  return createPublicKey({ key: keys[0] as never, format: 'jwk' });
}

/** The bare check of a compact JWS: its signature with `crypto.verify` on a prepared key, nothing else. */
function rawCheck(alg: JwsAlgorithm, key: KeyObject): (jws: string) => true {
  const prepared = jwsCryptoParams(alg, key);
  return (jws) => {
    const dot = jws.lastIndexOf('.');
    const signature = Buffer.from(jws.slice(dot + 1), 'base64url');
    if (cryptoVerify(prepared.hash, Buffer.from(jws.slice(0, dot)), prepared.key, signature)) {
      return true;
    }
    throw new Error('raw: signature invalid');
  };
}

/** A slice's DPoP requests: the tokens in turn, each with a proof of its own, made now. */
function dpopRequests(key: DpopKey, tokens: readonly string[], profile: Profile): Request[] {
  return Array.from({ length: profile.dpopRequests }, (_, index) => {
    const token = tokens[index % tokens.length]!;
    return { token, proof: createDpopProof(key, { url: HTU, accessToken: token }) };
  });
}

/** Checks per second of every contender, one sample per round, in an order rotated per round. */
async function measureRounds(contenders: readonly Contender[], profile: Profile) {
  const samples = new Map(contenders.map(({ id }) => [id, [] as number[]]));
  note('dpop: warming');
  for (const contender of contenders) await measure(contender);
  for (let round = 0; round < profile.verifyRounds; round++) {
    note(`dpop: round ${round + 1}/${profile.verifyRounds}`);
    for (const contender of rotate(contenders, round)) {
      samples.get(contender.id)!.push(await measure(contender));
    }
  }
  return samples;
}

async function measure(contender: Contender): Promise<number> {
  const requests = contender.requests();
  const start = performance.now();
  // Awaited each, as a guard does; the bare checks are synchronous and await nothing.
  for (const request of requests) await contender.check(request);
  return (requests.length / (performance.now() - start)) * 1000;
}

function printDpop(cells: Readonly<Record<ContenderId, Summary>>, profile: Profile): void {
  print(
    `\nDPoP (RFC 9449): checks per second, one thread, RS256-2048 tokens (${count(profile.dpopTokens)}) and ES256 P-256 proofs, one proof per request; median of ${profile.verifyRounds} interleaved rounds of ${count(profile.dpopRequests)} requests, min–max`,
  );
  const rows = (Object.keys(CONTENDERS) as ContenderId[]).map((id) => [
    CONTENDERS[id],
    rate(cells[id].median),
    range(cells[id]),
    times(ratio(cells[id], cells.limit)),
    times(ratio(cells[id], cells['bearer-limit'])),
  ]);
  print(table('contender|checks/s|min–max|×limit|×token alone', rows, 'lrrrr'));
}

function dpopTargets(cells: Readonly<Record<ContenderId, Summary>>): Target[] {
  const cost = cells.limit.median / cells.dpop.median;
  return [
    {
      name: `a DPoP request (verifyRequest, cache off) costs ≤ ${OVER_LIMIT} × its two bare signature checks`,
      observed: `${times(cost)} (${rate(cells.dpop.median)}/s beside ${rate(cells.limit.median)}/s)`,
      pass: cost <= OVER_LIMIT,
    },
  ];
}

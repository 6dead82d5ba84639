import {
  generateKeyPairSync,
  randomBytes,
  randomInt,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { signCompact } from '../../lib/jws/algorithms.js';

/** Each class of token and its percent of the traffic; stable is the largest, for a steady p99. */
const WEIGHTS = {
  stable: 35,
  rotated: 14,
  dropped: 14,
  forged: 7,
  expired: 7,
  'wrong-audience': 7,
  'alg-none': 4,
  garbage: 3,
  'unknown-kid': 9,
};
export type TokenClass = keyof typeof WEIGHTS;
export const TOKEN_CLASSES = Object.keys(WEIGHTS) as TokenClass[];
const CUMULATIVE = TOKEN_CLASSES.map((_, index) =>
  TOKEN_CLASSES.slice(0, index + 1).reduce((sum, name) => sum + WEIGHTS[name], 0),
);

export const AUDIENCE = 'https://api.soak.test';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
}

/**
 * The keys of a run. `stable` is always published (its tokens must always pass). `attacker` is never
 * published; it signs forgeries under the stable kid. `rotating[g]` is generation g of a graceful
 * rotation: two generations are published at a time; rotation r publishes `rotating[r + 2]` and
 * drops `rotating[r]`, so a key is announced one rotation before it signs and removed one after.
 * `rotating[0]` was never published: until the first rotation it stands in for the dropped key.
 */
export class KeyRing {
  readonly stable = rsaKey('stable');
  readonly attacker = rsaKey('attacker');
  readonly rotating: readonly SigningKey[];

  constructor(rotations: number) {
    this.rotating = Array.from({ length: rotations + 3 }, (_, g) => rsaKey(`gen${g}`));
  }

  /** The public JWKs the provider serves after `rotations` rotations. */
  published(rotations: number): JsonWebKey[] {
    const current = [this.rotating[rotations + 1]!, this.rotating[rotations + 2]!];
    return [this.stable, ...current].map((key) => key.publicJwk);
  }
}

/** The generation whose tokens a "rotated key" request carries after `rotations` rotations. */
export const newestGeneration = (rotations: number) => rotations + 2;
/** The generation whose tokens a "dropped key" request carries after `rotations` rotations. */
export const droppedGeneration = (rotations: number) => rotations;

/** A token picked for one request: its class (index in TOKEN_CLASSES) and key generation, or -1. */
export interface PickedToken {
  readonly cls: number;
  readonly generation: number;
  readonly token: string;
}

const POOL = 200;

/**
 * Tokens signed before the load starts (RS256 signing costs about a millisecond, which would make
 * the load generator the bottleneck), drawn at random per request in the class proportions.
 * `rotation.rotations` is what the provider has applied: the orchestrator moves it, `next` reads it.
 */
export class TokenSource {
  private readonly fixed: Map<TokenClass, string[]>;
  private readonly generations: string[][];
  private readonly stableTail: string;

  constructor(
    ring: KeyRing,
    issuer: string,
    lifetimeSeconds: number,
    private readonly rotation: { rotations: number },
  ) {
    const now = Math.floor(Date.now() / 1000);
    const claims = (i: number) => ({
      iss: issuer,
      aud: AUDIENCE,
      sub: `soak-user-${i}`,
      iat: now,
      exp: now + lifetimeSeconds,
    });
    const sign = (kid: string, payload: object, key: KeyObject) =>
      signCompact({ alg: 'RS256', typ: 'JWT', kid }, payload, 'RS256', key);
    const pool = (make: (i: number) => string, size = POOL) =>
      Array.from({ length: size }, (_, i) => make(i));
    const { kid, privateKey } = ring.stable;
    const stableKid = (payload: (i: number) => object, key = privateKey) =>
      pool((i) => sign(kid, payload(i), key));
    this.fixed = new Map([
      ['stable', stableKid(claims)],
      // The right kid, the wrong private key: what a forger without the provider's key can make.
      ['forged', stableKid(claims, ring.attacker.privateKey)],
      // Expired an hour ago, far beyond any clock tolerance.
      ['expired', stableKid((i) => ({ ...claims(i), iat: now - 7200, exp: now - 3600 }))],
      ['wrong-audience', stableKid((i) => ({ ...claims(i), aud: 'https://other.soak.test' }))],
      // RFC 7515 `alg: none`: an empty signature that a verifier must never accept.
      [
        'alg-none',
        pool((i) => `${b64url({ alg: 'none', typ: 'JWT', kid })}.${b64url(claims(i))}.`),
      ],
    ]);
    this.stableTail = this.stableToken().split('.').slice(1).join('.');
    this.fixed.set(
      'garbage',
      pool((i) => garbage(i, this.stableTail)),
    );
    this.generations = ring.rotating.map((key) =>
      pool((i) => sign(key.kid, claims(i), key.privateKey), POOL / 2),
    );
  }

  next(): PickedToken {
    const roll = randomInt(100);
    const cls = CUMULATIVE.findIndex((bound) => roll < bound);
    const name = TOKEN_CLASSES[cls]!;
    if (name === 'unknown-kid') return { cls, generation: -1, token: this.unknownKid() };
    if (name === 'rotated' || name === 'dropped') {
      const { rotations } = this.rotation;
      const generation =
        name === 'rotated' ? newestGeneration(rotations) : droppedGeneration(rotations);
      return { cls, generation, token: draw(this.generations[generation]!) };
    }
    return { cls, generation: -1, token: draw(this.fixed.get(name)!) };
  }

  /** A token that must always pass: what the harness waits for before it starts the load. */
  stableToken(): string {
    return this.fixed.get('stable')![0]!;
  }

  /** A kid never seen before on every request; the signature is refused long before it matters. */
  private unknownKid(): string {
    const header = { alg: 'RS256', typ: 'JWT', kid: randomBytes(8).toString('hex') };
    return `${b64url(header)}.${this.stableTail}`;
  }
}

function rsaKey(label: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `${label}-${randomBytes(4).toString('hex')}`;
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

function draw(pool: readonly string[]): string {
  return pool[randomInt(pool.length)]!;
}

/** Shapes a parser must refuse: no dots, random segments, a header or payload that is not JSON. */
function garbage(i: number, stableTail: string): string {
  const noise = (bytes: number) => randomBytes(bytes).toString('base64url');
  const [payload, signature] = stableTail.split('.');
  switch (i % 5) {
    case 0:
      return noise(8 + randomInt(200));
    case 1:
      return `${noise(24)}.${noise(48)}.${noise(64)}`;
    case 2:
      return `${b64url('{"alg":"RS256",')}.${payload}.${signature}`;
    case 3:
      return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url('not json')}.${signature}`;
    default:
      return `${noise(24)}.${noise(48)}`;
  }
}

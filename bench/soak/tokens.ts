import { randomBytes, randomInt } from 'node:crypto';
import { b64url, signRs256, unsecured } from './jwt.js';
import { droppedGeneration, newestGeneration, type KeyRing } from './keys.js';

export const TOKEN_CLASSES = [
  'stable',
  'rotated',
  'dropped',
  'forged',
  'expired',
  'wrong-audience',
  'alg-none',
  'garbage',
  'unknown-kid',
] as const;

export type TokenClass = (typeof TOKEN_CLASSES)[number];

/** Percent of the traffic per class. The stable class is the largest, for a steady p99. */
const WEIGHTS: Readonly<Record<TokenClass, number>> = {
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

const CUMULATIVE = TOKEN_CLASSES.map((_, index) =>
  TOKEN_CLASSES.slice(0, index + 1).reduce((sum, name) => sum + WEIGHTS[name], 0),
);

export const AUDIENCE = 'https://api.soak.test';

/** How many rotations the provider has applied; the orchestrator moves it, the load reads it. */
export interface RotationState {
  rotations: number;
}

/** A token picked for one request: its class (index in TOKEN_CLASSES) and key generation, or -1. */
export interface PickedToken {
  readonly cls: number;
  readonly generation: number;
  readonly token: string;
}

/**
 * Tokens signed before the load starts (RS256 signing costs about a millisecond, which would make
 * the load generator the bottleneck), drawn at random per request in the class proportions.
 */
export class TokenSource {
  private readonly fixed = new Map<TokenClass, string[]>();
  private readonly generations: string[][];
  private readonly stableTail: string;

  constructor(
    ring: KeyRing,
    issuer: string,
    lifetimeSeconds: number,
    private readonly rotation: RotationState,
    perClass = 200,
  ) {
    const now = Math.floor(Date.now() / 1000);
    const claims = (i: number): Claims => ({
      iss: issuer,
      aud: AUDIENCE,
      sub: `soak-user-${i}`,
      iat: now,
      exp: now + lifetimeSeconds,
    });
    for (const [cls, make] of fixedClasses(ring, claims, now)) {
      this.fixed.set(cls, many(perClass, make));
    }
    this.stableTail = this.fixed.get('stable')![0]!.split('.').slice(1).join('.');
    this.fixed.set(
      'garbage',
      many(perClass, (i) => garbage(i, this.stableTail)),
    );
    this.generations = ring.rotating.map((key) =>
      many(perClass / 2, (i) => signRs256({ kid: key.kid }, claims(i), key.privateKey)),
    );
  }

  next(): PickedToken {
    const roll = randomInt(100);
    const cls = CUMULATIVE.findIndex((bound) => roll < bound);
    const name = TOKEN_CLASSES[cls]!;
    if (name === 'unknown-kid') return { cls, generation: -1, token: this.unknownKid() };
    if (name === 'rotated' || name === 'dropped') {
      const rotations = this.rotation.rotations;
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

type Claims = Record<string, unknown>;

/** How each class with a fixed pool is made; all but alg-none name the stable key's kid. */
function fixedClasses(
  ring: KeyRing,
  claims: (i: number) => Claims,
  now: number,
): [TokenClass, (i: number) => string][] {
  const header = { kid: ring.stable.kid };
  const byStable = (payload: Claims) => signRs256(header, payload, ring.stable.privateKey);
  return [
    ['stable', (i) => byStable(claims(i))],
    // The right kid, the wrong private key: what a forger without the provider's key can make.
    ['forged', (i) => signRs256(header, claims(i), ring.attacker.privateKey)],
    // Expired an hour ago, far beyond any clock tolerance.
    ['expired', (i) => byStable({ ...claims(i), iat: now - 7200, exp: now - 3600 })],
    ['wrong-audience', (i) => byStable({ ...claims(i), aud: 'https://other.soak.test' })],
    ['alg-none', (i) => unsecured(header, claims(i))],
  ];
}

function many(count: number, make: (i: number) => string): string[] {
  return Array.from({ length: count }, (_, i) => make(i));
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

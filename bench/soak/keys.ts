import { generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';

/** An RSA key pair: the private half signs tokens here, the public half is what the provider serves. */
export interface SigningKey {
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
export interface KeyRing {
  readonly stable: SigningKey;
  readonly attacker: SigningKey;
  readonly rotating: readonly SigningKey[];
}

export function generateKeyRing(rotations: number): KeyRing {
  return {
    stable: generateRsaKey('stable'),
    attacker: generateRsaKey('attacker'),
    rotating: Array.from({ length: rotations + 3 }, (_, generation) =>
      generateRsaKey(`gen${generation}`),
    ),
  };
}

/** The generation whose tokens a "rotated key" request carries after `rotations` rotations. */
export function newestGeneration(rotations: number): number {
  return rotations + 2;
}

/** The generation whose tokens a "dropped key" request carries after `rotations` rotations. */
export function droppedGeneration(rotations: number): number {
  return rotations;
}

/** The public JWKs the provider serves after `rotations` rotations. */
export function publishedKeys(ring: KeyRing, rotations: number): JsonWebKey[] {
  const generations = [rotations + 1, rotations + 2].map(
    (generation) => ring.rotating[generation]!,
  );
  return [ring.stable, ...generations].map((key) => key.publicJwk);
}

function generateRsaKey(label: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `${label}-${randomBytes(4).toString('hex')}`;
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

// Small primes of the ROCA test (CVE-2017-15361): Infineon's flawed generator made every modulus n
// fall, modulo each of them, into the subgroup that 65537 generates. A random modulus passes for all
// of them with negligible probability; such keys can be factored, so a signature by them proves nothing.
const PRIMES = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101,
  103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

let subgroups: ReadonlyArray<ReadonlySet<number>> | undefined;

/** Whether an RSA modulus (big-endian bytes) has the ROCA fingerprint. */
export function hasRocaFingerprint(modulus: Buffer): boolean {
  const n = BigInt(`0x${modulus.toString('hex') || '0'}`);
  subgroups ??= PRIMES.map(powersOf65537);
  return PRIMES.every((prime, index) => subgroups![index]!.has(Number(n % BigInt(prime))));
}

function powersOf65537(prime: number): ReadonlySet<number> {
  const generator = 65537 % prime;
  const powers = new Set<number>();
  for (let value = 1; !powers.has(value); value = (value * generator) % prime) powers.add(value);
  return powers;
}

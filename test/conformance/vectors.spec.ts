import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JwksError, JwksModule, JwtVerifier, type JwsAlgorithm } from '../../lib/index.js';
import { importJwk } from '../../lib/keys/import-jwk.js';
import { JWS_ALGORITHMS, verifySignature } from '../../lib/jws/algorithms.js';

// Independent vectors, kept as published with their licences: see vectors/README.md.
// (jest's ESM runtime has import.meta.url, not import.meta.dirname)
const VECTORS = fileURLToPath(new URL('vectors', import.meta.url));
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/** Where a strict verifier disagrees with the vector, and is right (the vectors' README lists them). */
const QUIRKS: Record<number, { ours: 'valid' | 'invalid'; reason: string }> = {
  346: {
    ours: 'invalid',
    reason: 'key alg PS256, token PS384: a JWK alg binds the key to one algorithm',
  },
  350: {
    ours: 'invalid',
    reason: 'key alg PS256, token PS384: a JWK alg binds the key to one algorithm',
  },
  347: { ours: 'invalid', reason: 'key alg "ES521" is not a registered name: the key is not used' },
  351: { ours: 'invalid', reason: 'key alg "ES521" is not a registered name: the key is not used' },
  367: { ours: 'valid', reason: 'byte-identical to a valid case, yet marked invalid' },
  370: { ours: 'valid', reason: 'byte-identical to a valid case, yet marked invalid' },
  372: { ours: 'invalid', reason: 'a literal "?" in a segment is not base64url' },
  373: { ours: 'invalid', reason: 'a literal "?" in a segment is not base64url' },
};

interface Tally {
  run: number;
  agreed: number;
  quirks: number;
  rejectedByDesign: number;
  disagreements: string[];
}
const tally = (): Tally => ({
  run: 0,
  agreed: 0,
  quirks: 0,
  rejectedByDesign: 0,
  disagreements: [],
});
const read = (path: string) => JSON.parse(readFileSync(join(VECTORS, path), 'utf8'));
const asPublic = (jwk: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.includes(name)));
const pemToJwk = (pem: string) => createPublicKey(pem).export({ format: 'jwk' });
const isSymmetric = (jwk: Record<string, unknown>) => jwk.kty === 'oct';

describe('Conformance against independent vectors', () => {
  let moduleRef: TestingModule;
  let verifier: JwtVerifier;
  const all = [...JWS_ALGORITHMS] as JwsAlgorithm[];
  const report: Record<string, Tally> = {};

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        JwksModule.forRoot({
          // verifyWithKeySet checks no claims: the issuer is only there for the module to start.
          issuers: [
            {
              issuer: 'https://vectors.test',
              jwksUri: 'https://vectors.test/jwks',
              audience: 'https://api.vectors.test',
            },
          ],
          algorithms: all,
          prefetch: false,
        }),
      ],
    }).compile();
    verifier = moduleRef.get(JwtVerifier);
  });
  afterAll(async () => {
    await moduleRef.close();
    process.stdout.write(`\nConformance report:\n${JSON.stringify(report, null, 2)}\n`);
  });

  /** Our verdict on a compact JWS with a key set: 'valid' or the error code. */
  const verdict = (jws: string, keys: unknown[]): string => {
    try {
      verifier.verifyWithKeySet(jws, { keys }, all);
      return 'valid';
    } catch (error) {
      if (error instanceof JwksError) return error.code;
      throw error;
    }
  };

  function judge(
    t: Tally,
    id: string | number,
    expected: string,
    ours: string,
    symmetric: boolean,
  ) {
    t.run++;
    const ourResult = ours === 'valid' ? 'valid' : 'invalid';
    const quirk = typeof id === 'number' ? QUIRKS[id] : undefined;
    if (symmetric) {
      if (ourResult === 'invalid') t.rejectedByDesign++;
      else t.disagreements.push(`${id}: an HMAC token was accepted`);
    } else if (quirk) {
      if (ourResult === quirk.ours) t.quirks++;
      else t.disagreements.push(`${id}: quirk expected ${quirk.ours}, got ${ours}`);
    } else if (expected === 'acceptable' || expected === ourResult) {
      t.agreed++;
    } else {
      t.disagreements.push(`${id}: expected ${expected}, got ${ours}`);
    }
  }

  it('Wycheproof JSON Web Signature (401 cases)', () => {
    const t = (report.wycheproofJws = tally());
    for (const group of read('wycheproof/json_web_signature_test.json').testGroups) {
      const key = group.public ?? group.private;
      for (const test of group.tests) {
        judge(t, test.tcId, test.result, verdict(test.jws, [asPublic(key)]), isSymmetric(key));
      }
    }
    expect(t.disagreements).toEqual([]);
    expect(t.run).toBe(401);
  });

  it('Wycheproof JSON Web Key sets (26 cases)', () => {
    const t = (report.wycheproofJwk = tally());
    for (const group of read('wycheproof/json_web_key_test.json').testGroups) {
      const keys = (group.public ?? group.private).keys as Record<string, unknown>[];
      for (const test of group.tests) {
        const header = JSON.parse(Buffer.from(test.jws.split('.')[0], 'base64url').toString());
        judge(
          t,
          `jwk-${test.tcId}`,
          test.result,
          verdict(test.jws, keys.map(asPublic)),
          /^HS/.test(header.alg),
        );
      }
    }
    expect(t.disagreements).toEqual([]);
    expect(t.run).toBe(26);
  });

  it.each<[string, JwsAlgorithm]>([
    ['ed25519_test.json', 'EdDSA'],
    ['ecdsa_secp256r1_sha256_p1363_test.json', 'ES256'],
    ['rsa_pss_2048_sha256_mgf1_32_test.json', 'PS256'],
    ['rsa_signature_2048_sha256_test.json', 'RS256'],
  ] as const)(
    'Wycheproof raw signatures %s through key import and the %s verifier',
    (file, alg) => {
      const t = (report[file] = tally());
      for (const group of read(`wycheproof/primitives/${file}`).testGroups) {
        const jwk = group.publicKeyJwk ?? group.keyJwk ?? pemToJwk(group.publicKeyPem);
        const imported = importJwk({ ...jwk, alg: undefined });
        if (!('key' in imported)) throw new Error(`${file}: key not imported: ${imported.skipped}`);
        for (const test of group.tests) {
          const ok = verifySignature(
            alg,
            imported.key.key,
            Buffer.from(test.msg, 'hex'),
            Buffer.from(test.sig, 'hex'),
          );
          judge(t, `${file}#${test.tcId}`, test.result, ok ? 'valid' : 'SIGNATURE_INVALID', false);
        }
      }
      expect(t.disagreements).toEqual([]);
      expect(t.run).toBeGreaterThan(100);
    },
  );

  it('RFC 7520 cookbook and RFC 8037 Ed25519 examples', () => {
    const t = (report.cookbook = tally());
    const files = readdirSync(join(VECTORS, 'jose-cookbook/jws')).map(
      (f) => `jose-cookbook/jws/${f}`,
    );
    for (const file of [...files, 'jose-cookbook/curve25519/jws.json']) {
      const example = read(file);
      const compact = example.output?.compact as string | undefined;
      if (compact === undefined) continue; // 4.6, 4.7, 4.8: JSON serialization only
      const key = example.input.key as Record<string, unknown>;
      // 4.5 is detached content: without the payload the compact form cannot verify.
      const expected = file.includes('4_5') ? 'invalid' : 'valid';
      judge(t, file, expected, verdict(compact, [asPublic(key)]), isSymmetric(key));
    }
    expect(t.disagreements).toEqual([]);
    expect(t.run).toBeGreaterThanOrEqual(6);
  });

  it('RFC 7515 A.2-A.4 and RFC 8037 A.4 examples', () => {
    const t = (report.rfcExamples = tally());
    for (const vector of read('rfc_jws_examples.json').vectors) {
      const jwk = vector.jwk_public ?? vector.jwk;
      judge(t, vector.id, 'valid', verdict(vector.compact, [asPublic(jwk)]), isSymmetric(jwk));
    }
    expect(t.disagreements).toEqual([]);
    expect(t.run).toBeGreaterThanOrEqual(4);
  });
});

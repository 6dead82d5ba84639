import { readFileSync } from 'node:fs';

const PACKAGES = [
  '@nestjs/core',
  'express',
  'fastify',
  'fast-jwt',
  'jose',
  'jsonwebtoken',
  'jwks-rsa',
  'passport-jwt',
  'autocannon',
];

/** The installed version of each contender and platform: the figures are for these. */
export function contenderVersions(): Record<string, string> {
  return Object.fromEntries(PACKAGES.map((name) => [name, versionOf(name)]));
}

function versionOf(name: string): string {
  // Read from the file: not every package exports its package.json.
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  try {
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

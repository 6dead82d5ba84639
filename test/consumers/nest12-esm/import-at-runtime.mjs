// A NestJS 12 ESM application imports the packed nestjs-jwks and verifies a token through it under
// Nest 12 (runtime-check.cjs, copied here).
import 'reflect-metadata';
import runtimeCheck from './runtime-check.cjs';

await runtimeCheck(await import('nestjs-jwks'), await import('nestjs-jwks/testing'));
console.log('nest12-esm: import "nestjs-jwks" and a token verified under Nest 12: ok');

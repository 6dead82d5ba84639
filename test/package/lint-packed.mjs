// The package.json and the types as packed, checked by publint and arethetypeswrong (both run
// `npm pack` themselves; dist/ must be built).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const checks = [
  // Suggestions count as errors.
  [bin('publint'), ['--strict']],
  // The package is ESM only ("type": "module", an `exports` map with "." and "./testing"), and
  // CommonJS applications load it with require(), which Node >= 20.19 allows for ESM (the engines
  // field asks for it), as TypeScript >= 5.8 does under `module: nodenext` (test:consumers compiles
  // and runs such an application). So:
  // - `--profile node16`: moduleResolution node10 (TypeScript's pre-`exports` resolution) is not
  //   analysed: it cannot see "./testing", and a CommonJS-era setup cannot load ESM anyway;
  // - `--ignore-rules cjs-resolves-to-esm`: a require() that resolves to ESM is how CommonJS
  //   applications load this package, not a mistake; attw still checks everything else from
  //   CommonJS (types found, types and JavaScript of the same format, named exports).
  // `--profile esm-only` would skip CommonJS resolution altogether, and with it those checks.
  [bin('attw'), ['--pack', '.', '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm']],
];

for (const [command, args] of checks) {
  const { status, error } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (error !== undefined || status !== 0) {
    console.error(`${command} ${args.join(' ')}: ${error?.message ?? `exit code ${status}`}`);
    process.exit(1);
  }
}
console.log('publint --strict and attw: ok');

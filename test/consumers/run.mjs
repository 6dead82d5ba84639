// Consumer type test: the packed package (`npm pack` of the built dist/, as published) in small
// applications of its own, each with its own package.json and package-lock.json: nest11-cjs (NestJS
// 11, CommonJS) and nest12-esm (NestJS 12, ESM). For each one it
// - installs the consumer with `npm ci` (when its lockfile changed since the last install),
// - extracts the tarball into its node_modules/nestjs-jwks (not in its package.json or lockfile,
//   so `npm ci` stays deterministic),
// - checks that the consumer's packages satisfy the packed package's dependencies and peers,
// - checks that use-public-api.ts imports every export of every entry point ("." and
//   "./testing"); its tsconfig's noUnusedLocals makes each import used,
// - compiles use-public-api.ts with the consumer's own TypeScript (strict, skipLibCheck: false, so
//   the published .d.ts files are checked too), failing on any diagnostic or on any file the compiler
//   found outside the consumer,
// - runs its *-at-runtime.cjs / .mjs files with Node (require() and import of the package),
// - runs the README's testing example (src/profile.spec.ts) with `npm test` and the README's
//   jest.config.js for its kind of application (ES module or CommonJS),
// - runs the README's Quick start (src/main.ts) and calls it with the token it prints.
// The README's files are written into each consumer from the README itself (and type-checked with
// use-public-api.ts), so they cannot drift from what runs. use-public-api.ts and runtime-check.cjs
// are the same for every consumer: they live in shared/ and are copied into each.
//
// Each consumer runs in a copy outside the repository (in the OS temp directory, kept between runs
// with its node_modules): inside it, Node and TypeScript would look up packages in the repository's
// own node_modules (Nest 12, every @types package) and hide one a consumer lacks.
//
// Usage: npm run build && npm run test:consumers [-- --fresh] [-- nest11-cjs ...]
//   --fresh   npm ci even when the lockfile is unchanged
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const fresh = args.includes('--fresh');
const only = args.filter((arg) => !arg.startsWith('--'));
const consumers = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'package.json')))
  .map((entry) => entry.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();
if (only.some((name) => !consumers.includes(name))) {
  fail(`unknown consumer among ${only.join(', ')}; known: ${readdirSync(here).join(', ')}`);
}
for (const file of ['dist/lib/index.js', 'dist/lib/index.d.ts']) {
  if (!existsSync(join(root, file))) fail(`${file} is missing: run \`npm run build\` first`);
}

// Child processes: not the root's `npm run` context (its package and lifecycle variables).
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) =>
      !/^npm_(package|lifecycle)_/i.test(name) && !/^npm_config_local_prefix$/i.test(name),
  ),
);
const readme = readmeFiles(readFileSync(join(root, 'README.md'), 'utf8'));
const started = performance.now();
const pack = mkdtempSync(join(tmpdir(), 'nestjs-jwks-consumers-pack-'));
let failed = false;
try {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', pack], root);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.output}`);
  const [{ filename }] = JSON.parse(packed.stdout);
  const tarball = join(pack, filename);
  const extracted = join(pack, 'package');
  mkdirSync(extracted);
  const untar = await run('tar', ['-xzf', tarball, '-C', extracted, '--strip-components=1'], pack);
  if (untar.code !== 0) throw new Error(`tar failed:\n${untar.output}`);
  const manifest = JSON.parse(readFileSync(join(extracted, 'package.json'), 'utf8'));
  const entries = entryPoints(manifest, extracted);
  console.log(
    `npm pack: ${filename} (${elapsed(started)}); entry points: ${entries
      .map(({ specifier, names }) => `${specifier} (${names.size} exports)`)
      .join(', ')}`,
  );

  // One directory per checkout, so two clones tested at once do not share installs.
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 12);
  const base = join(tmpdir(), `nestjs-jwks-consumers-${hash}`);
  for (let dir = base; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dirname(dir), 'node_modules'))) {
      throw new Error(`${join(dirname(dir), 'node_modules')} exists: ${base} would see it`);
    }
  }
  const results = await Promise.all(
    consumers.map((name) => check(name, join(base, name), tarball, manifest, entries)),
  );
  for (const { name, lines, ok } of results) {
    console.log(`\n== ${name}: ${ok ? 'ok' : 'FAILED'}\n${lines.join('\n')}`);
    failed ||= !ok;
  }
} catch (error) {
  console.error(`test:consumers: ${error instanceof Error ? error.message : String(error)}`);
  failed = true;
} finally {
  rmSync(pack, { recursive: true, force: true });
}
console.log(`\nconsumers: ${failed ? 'FAILED' : 'ok'} (${elapsed(started)})`);
process.exitCode = failed ? 1 : 0;

/** Installs, fills and checks one consumer; its report as lines. */
async function check(name, work, tarball, manifest, entries) {
  const source = join(here, name);
  const lines = [`(in ${work})`];
  const step = (text) => lines.push(`  ${text}`);
  const refuse = (text) => ({ name, lines: [...lines, text], ok: false });

  // The consumer's files, fresh; its node_modules, kept while its lockfile is the same.
  mkdirSync(work, { recursive: true });
  for (const entry of readdirSync(work)) {
    if (entry !== 'node_modules') rmSync(join(work, entry), { recursive: true, force: true });
  }
  cpSync(source, work, {
    recursive: true,
    filter: (path) => !relative(source, path).split(sep).includes('node_modules'),
  });
  // What every consumer compiles and runs the same way: one copy in shared/.
  cpSync(join(here, 'shared'), work, { recursive: true });
  const esm = JSON.parse(readFileSync(join(work, 'package.json'), 'utf8')).type === 'module';
  for (const [file, code] of Object.entries(readme.files(esm))) {
    mkdirSync(dirname(join(work, file)), { recursive: true });
    writeFileSync(join(work, file), code);
  }
  const lock = createHash('sha256')
    .update(readFileSync(join(work, 'package-lock.json')))
    .update(process.version)
    .digest('hex');
  const marker = join(work, 'node_modules', '.nestjs-jwks-consumer-lock');
  const installed = existsSync(marker) && readFileSync(marker, 'utf8') === lock;
  if (fresh || !installed) {
    const ci = await run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], work);
    if (ci.code !== 0) return refuse(`npm ci failed:\n${ci.output}`);
    writeFileSync(marker, lock);
    step(`npm ci (${ci.time})`);
  } else {
    step('node_modules up to date with package-lock.json (npm ci skipped)');
  }

  const target = join(work, 'node_modules', 'nestjs-jwks');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target);
  const untar = await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], work);
  if (untar.code !== 0) return refuse(`tar failed:\n${untar.output}`);
  step(`node_modules/nestjs-jwks: the packed ${manifest.name}@${manifest.version}`);

  // From here on every check runs and reports, whatever the others found.
  let ok = true;
  const problem = (text) => {
    lines.push(text.replace(/^/gm, '  '));
    ok = false;
  };
  const problems = [...unsatisfied(manifest, work), ...uncovered(entries, work)];
  problems.forEach(problem);
  if (problems.length === 0) {
    step('dependencies and peers satisfied; every export used by use-public-api.ts');
  }

  // The TypeScript that checks the published types: `typescript7` (an npm alias) where a consumer
  // installs it beside the `typescript` its tools need (ts-jest 29 runs on TypeScript 5 or 6).
  const compiler = existsSync(join(work, 'node_modules/typescript7'))
    ? 'typescript7'
    : 'typescript';
  const tsc = await run(
    process.execPath,
    [`node_modules/${compiler}/bin/tsc`, '-p', 'tsconfig.json', '--pretty', 'false', '--listFiles'],
    work,
  );
  // --listFiles prints absolute paths; diagnostics name files relative to the consumer.
  const output = tsc.stdout.split('\n');
  const listed = output.filter((line) => isAbsolute(line) && /\.[cm]?tsx?$/.test(line));
  const outside = listed.filter((file) => relative(work, file).startsWith('..'));
  const diagnostics = [...output.filter((line) => !listed.includes(line)), tsc.stderr]
    .join('\n')
    .trim();
  const { version } = JSON.parse(
    readFileSync(join(work, `node_modules/${compiler}/package.json`), 'utf8'),
  );
  if (tsc.code !== 0 || diagnostics !== '' || outside.length > 0 || listed.length === 0) {
    problem(
      `tsc ${version} -p tsconfig.json: exit code ${tsc.code}\n${diagnostics}${
        outside.length > 0 ? `\nfiles from outside the consumer:\n${outside.join('\n')}` : ''
      }`,
    );
  } else {
    const ours = listed.filter((file) => file.startsWith(target + sep)).length;
    step(`tsc ${version}: no errors, ${listed.length} files, ${ours} of nestjs-jwks (${tsc.time})`);
  }

  for (const file of readdirSync(work).filter((entry) => /-at-runtime\.[cm]?js$/.test(entry))) {
    const node = await run(process.execPath, [file], work);
    if (node.code !== 0) problem(`node ${file}: exit code ${node.code}\n${node.output}`);
    else step(`node ${process.version} ${file}: ${node.stdout.trim()} (${node.time})`);
  }

  const script = JSON.parse(readFileSync(join(work, 'package.json'), 'utf8')).scripts?.test;
  if (!readme.text.includes(`"test": "${script}"`)) {
    problem(`package.json's test script (${script}) is not the one the README gives`);
  }
  const jest = await run('npm', ['test', '--silent'], work);
  const passed = /Tests: +(\d+) passed, \1 total/.exec(jest.output)?.[1];
  if (jest.code !== 0 || passed === undefined)
    problem(`npm test: exit code ${jest.code}\n${jest.output}`);
  else step(`npm test: the README's testing example, ${passed} tests passed (${jest.time})`);

  try {
    step(`the README's Quick start: ${await runQuickStart(work, esm)}`);
  } catch (error) {
    problem(`the README's Quick start: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { name, lines, ok };
}

/**
 * The README's files an application is made of: each fenced block whose first line names its file
 * (`// src/main.ts`), and the jest.config.js for an ES module or a CommonJS application.
 */
function readmeFiles(text) {
  const blocks = [...text.matchAll(/^```(?:ts|js)\n(\/\/ (\S+).*\n[\s\S]*?)^```$/gm)].map(
    ([, code, file]) => ({ code, file, first: code.slice(0, code.indexOf('\n')) }),
  );
  const one = (what, test) => {
    const found = blocks.filter(test);
    if (found.length !== 1) fail(`README.md has ${found.length} blocks of ${what}, not 1`);
    return found[0].code;
  };
  const main = one('src/main.ts', (block) => block.file === 'src/main.ts');
  const spec = one('src/profile.spec.ts', (block) => block.file === 'src/profile.spec.ts');
  const jest = {
    esm: one('an ES module jest.config.js', (block) =>
      /jest\.config\.js .*ES module/.test(block.first),
    ),
    cjs: one('a CommonJS jest.config.js', (block) =>
      /jest\.config\.js .*CommonJS/.test(block.first),
    ),
  };
  return {
    text,
    files: (esm) => ({
      'src/main.ts': main,
      'src/profile.spec.ts': spec,
      'jest.config.js': esm ? jest.esm : jest.cjs,
    }),
  };
}

/**
 * Compiles the Quick start with the consumer's TypeScript, starts it on a free port, and calls `/me`
 * with the token it prints, and without one.
 */
async function runQuickStart(work, esm) {
  const ts = createRequire(join(work, 'package.json'))('typescript');
  const { outputText } = ts.transpileModule(readFileSync(join(work, 'src/main.ts'), 'utf8'), {
    fileName: 'main.ts',
    compilerOptions: {
      module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  });
  mkdirSync(join(work, 'dist'), { recursive: true });
  writeFileSync(join(work, 'dist/main.js'), outputText);
  const port = await freePort();
  // Without OIDC_ISSUER, as a reader runs it first: the local issuer stands in.
  const childEnv = { ...env, PORT: String(port) };
  delete childEnv.OIDC_ISSUER;
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: work, env: childEnv });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 30_000;
    const base = `http://127.0.0.1:${port}`;
    let token;
    while (Date.now() < deadline) {
      // The printed curl names the port the app listens on (PORT), so it works as pasted.
      const curl = new RegExp(
        `^curl localhost:${port}/me -H "Authorization: Bearer ([\\w.-]+)"$`,
        'm',
      );
      token ??= curl.exec(output)?.[1];
      const hello = await fetch(`${base}/hello`).catch(() => undefined);
      if (token !== undefined && hello?.status === 200) break;
      if (child.exitCode !== null) throw new Error(`it exited (${child.exitCode}):\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (token === undefined) throw new Error(`no curl line within 30 s:\n${output}`);
    const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
    const body = await me.json();
    if (me.status !== 200 || body.sub !== 'ada') {
      throw new Error(`/me with the printed token: ${me.status} ${JSON.stringify(body)}`);
    }
    const anonymous = await fetch(`${base}/me`);
    const refusal = await anonymous.json();
    if (anonymous.status !== 401 || refusal.code !== 'TOKEN_MISSING') {
      throw new Error(`/me without a token: ${anonymous.status} ${JSON.stringify(refusal)}`);
    }
    return `/me answers the printed token (sub "ada") and 401 TOKEN_MISSING without`;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The package's entry points with types, and the names each exports (from the packed .d.ts). */
function entryPoints(manifest, dir) {
  return Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === 'object' && target.types !== undefined)
    .map(([subpath, target]) => ({
      specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
      names: exportedNames(join(dir, target.types)),
    }));
}

function exportedNames(file, names = new Set()) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause === undefined) {
        const next = statement.moduleSpecifier.text.replace(/\.js$/, '.d.ts');
        exportedNames(resolve(dirname(file), next), names);
      } else if (ts.isNamespaceExport(clause)) {
        names.add(clause.name.text);
      } else {
        for (const element of clause.elements) names.add(element.name.text);
      }
    } else if (ts.getModifiers?.(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          bindingNames(declaration.name).forEach((name) => names.add(name));
        }
      } else if (statement.name !== undefined) {
        names.add(statement.name.text);
      }
    }
  }
  return names;
}

function bindingNames(name) {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) =>
    ts.isOmittedExpression(element) ? [] : bindingNames(element.name),
  );
}

/** Exports of the package that the consumer's use-public-api.ts does not import by name. */
function uncovered(entries, work) {
  const file = join(work, 'use-public-api.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const imported = new Map(entries.map(({ specifier }) => [specifier, new Set()]));
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const names = imported.get(statement.moduleSpecifier.text);
    const bindings = statement.importClause?.namedBindings;
    if (names === undefined || bindings === undefined || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) names.add((element.propertyName ?? element.name).text);
  }
  return entries.flatMap(({ specifier, names }) => {
    const missing = [...names].filter((name) => !imported.get(specifier).has(name));
    return missing.length === 0
      ? []
      : [`use-public-api.ts does not use these exports of '${specifier}': ${missing.join(', ')}`];
  });
}

/** The packed package's dependencies and peers that the consumer's install does not satisfy. */
function unsatisfied(manifest, work) {
  const optional = manifest.peerDependenciesMeta ?? {};
  const wanted = [
    ...Object.entries(manifest.dependencies ?? {}).map(([name, range]) => [name, range, false]),
    ...Object.entries(manifest.peerDependencies ?? {}).map(([name, range]) => [
      name,
      range,
      optional[name]?.optional === true,
    ]),
  ];
  return wanted.flatMap(([name, range, isOptional]) => {
    const file = join(work, 'node_modules', name, 'package.json');
    if (!existsSync(file)) return isOptional ? [] : [`${name} (${range}) is not installed`];
    const { version } = JSON.parse(readFileSync(file, 'utf8'));
    return semver.satisfies(version, range) ? [] : [`${name}@${version} is not ${range}`];
  });
}

function run(command, commandArgs, cwd) {
  const start = performance.now();
  return new Promise((done) => {
    const child = spawn(command, commandArgs, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) =>
      done({
        code: -1,
        stdout,
        stderr,
        output: `${command}: ${error.message}`,
        time: elapsed(start),
      }),
    );
    child.on('close', (code) =>
      done({
        code,
        stdout,
        stderr,
        output: `${stdout}${stderr}`.trim(),
        time: elapsed(start),
      }),
    );
  });
}

function elapsed(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

function fail(message) {
  console.error(`test:consumers: ${message}`);
  process.exit(1);
}

// What `npm pack` would publish: the licence, and source maps that resolve inside the package.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const work = mkdtempSync(join(tmpdir(), 'nestjs-jwks-pack-'));
try {
  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8' }),
  );
  execFileSync('tar', ['-xzf', join(work, filename), '-C', work]);
  const root = join(work, 'package');
  assert.ok(existsSync(join(root, 'LICENSE')), 'LICENSE is packed');
  const files = readdirSync(root, { recursive: true }).map(String);
  const maps = files.filter((file) => file.endsWith('.js.map'));
  assert.ok(maps.length > 0, 'source maps are packed');
  for (const map of maps) {
    const { sources, sourcesContent } = JSON.parse(readFileSync(join(root, map), 'utf8'));
    sources.forEach((source, index) => {
      const shipped = existsSync(resolve(root, dirname(map), source));
      const inlined = typeof sourcesContent?.[index] === 'string';
      assert.ok(shipped || inlined, `${map}: ${source} is neither shipped nor inlined`);
    });
    const js = readFileSync(join(root, map.slice(0, -'.map'.length)), 'utf8');
    assert.match(js, /\/\/# sourceMappingURL=\S+\.js\.map\s*$/, `${map}: its .js names it`);
  }
  console.log(`npm pack: LICENSE and ${maps.length} source maps that resolve: ok`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

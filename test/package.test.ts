// The package as a user gets it: `npm pack` (the prepare script builds dist/), the tarball installed into a fresh
// project, and the files of the README's "Use it in your project" section run there (test/consumer.ts).
// Offline: the package has no dependencies, and tsc and esbuild are this repository's own binaries.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject, itRunsTheReadmeFiles, readmeFiles, root, run } from './consumer.ts';

describe('the packed package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-package-'));
  const app = consumerProject(join(dir, 'app'));
  let packed: string[] = [];

  beforeAll(() => {
    const pack = run('npm', ['pack', '--json', '--silent', '--pack-destination', dir], root);
    expect(pack.status, pack.err).toBe(0);
    const [info] = JSON.parse(pack.out) as { filename: string; files: { path: string }[] }[];
    packed = info!.files.map((f) => f.path);
    const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, info!.filename)], app);
    expect(install.status, install.err).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the README names the files it runs', () => {
    expect([...readmeFiles().keys()].sort()).toEqual(['app.cjs', 'app.mjs', 'index.html', 'main.ts']);
  });

  it('ships compiled JavaScript with its source maps, and declarations without maps', () => {
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'LICENSE', 'README.md']) expect(packed).toContain(file);
    // No declaration maps: they would point into src/, which is not shipped (the source maps inline their sources).
    const other = packed.filter((f) => !/^dist\/.+\.(js(\.map)?|d\.ts)$/.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f));
    expect(other).toEqual([]);
    // Every module comes with its declarations (and nothing like gemm.wat or a .ts source slips in).
    const stems = (ext: string): string[] => packed.filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)).sort();
    expect(stems('.d.ts')).toEqual(stems('.js'));
  });

  it('leaves out of the declarations what is marked @internal (stripInternal)', () => {
    const dist = join(app, 'node_modules', 'tensorgrad-ts', 'dist');
    const declarations = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
    expect(declarations).toContain('index.d.ts');
    // A declaration marked @internal goes with its comment, so any @internal left means one was not stripped.
    const kept = declarations.filter((f) => readFileSync(join(dist, f), 'utf8').includes('@internal'));
    expect(kept).toEqual([]);
    const base = readFileSync(join(dist, 'autograd', 'tensor-base.d.ts'), 'utf8');
    for (const member of ['store', 'offset', 'base', 'make', 'view', 'own', 'values', 'link', 'inputs', 'attrs', 'buf', 'off']) {
      expect(base, member).not.toMatch(new RegExp(`^\\s+(get )?${member}\\b`, 'm'));
    }
  });

  itRunsTheReadmeFiles(app);
});

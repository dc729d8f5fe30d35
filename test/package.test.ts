// The package as a user gets it: `npm pack` (the prepare script builds dist/), the tarball installed into a fresh
// project, and the files of the README's "Use it in your project" section run there (test/consumer.ts).
// Offline: the package has no dependencies, and tsc and esbuild are this repository's own binaries.
import { mkdtempSync, rmSync } from 'node:fs';
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

  it('ships compiled JavaScript, declarations and their maps only', () => {
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'LICENSE', 'README.md']) expect(packed).toContain(file);
    const other = packed.filter((f) => !/^dist\/.+\.(js|d\.ts)(\.map)?$/.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f));
    expect(other).toEqual([]);
    // Every module comes with its declarations (and nothing like gemm.wat or a .ts source slips in).
    const stems = (ext: string): string[] => packed.filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)).sort();
    expect(stems('.d.ts')).toEqual(stems('.js'));
  });

  itRunsTheReadmeFiles(app);
});

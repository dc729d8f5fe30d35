// A consumer's project, shared by the tests that install the package the ways a user can (test/package.test.ts:
// the packed tarball; test/git-install.test.ts: a git URL and a clone's path): a fresh project, the files of the
// README's "Use it in your project" section written into it, and the checks that run them there: node on the ES
// module script, node on the CommonJS one, tsc with strict settings under each module resolution, and an esbuild
// browser bundle run in a bare JavaScript context (no Node globals). Each script trains a small network; its printed
// loss must fall. tsc and esbuild are this repository's own binaries.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { expect, it } from 'vitest';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
// Children must not inherit the `npm test` run's npm_config_* (local_prefix would point npm at this repository),
// nor the GIT_DIR or GIT_INDEX_FILE of a git hook that runs the tests (git would then work on this repository).
export const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm|git)_/i.test(k)));

export function run(cmd: string, args: string[], cwd: string, timeout = 60_000): { status: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
  if (r.error) throw r.error;
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** The README section "Use it in your project". */
export function readmeSection(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it in your project');
  if (start < 0) throw new Error('README.md has no "Use it in your project" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The code blocks of that section that start by naming their file (`// app.mjs…` or `<!-- index.html -->`). */
export function readmeFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [, code] of readmeSection().matchAll(/```\w*\n([\s\S]*?)```/g)) {
    const name = /^(?:\/\/|<!--) ([\w-]+\.\w+)/.exec(code!)?.[1];
    if (name !== undefined) files.set(name, code!);
  }
  return files;
}

/** A fresh project at dir (made here) with the README's files; the package is then installed into it. */
export function consumerProject(dir: string, manifest: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', ...manifest }));
  for (const [name, code] of readmeFiles()) writeFileSync(join(dir, name), code);
  return dir;
}

/** The losses a script printed (`loss 0.817`, `loss 3.19 → 0.0016`), in order; they must fall at least tenfold. */
export function expectLossFalls(out: string): void {
  const losses = [...out.matchAll(/(?:loss|→) (-?\d[\d.]*(?:e[-+]?\d+)?)/g)].map((m) => Number(m[1]));
  expect(losses.length, `losses printed in:\n${out}`).toBeGreaterThanOrEqual(2);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses.at(-1)!).toBeLessThan(losses[0]! / 10);
}

// What a strict consumer sets; skipLibCheck false so that the package's own declarations are checked too.
const strict = {
  strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false,
  noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [],
};
const resolutions = { nodenext: { module: 'nodenext', moduleResolution: 'nodenext' }, bundler: { module: 'esnext', moduleResolution: 'bundler' } };

/**
 * The checks that a project made by consumerProject, with the package installed by a beforeAll of the calling
 * describe, runs the README's files; one `it` each.
 */
export function itRunsTheReadmeFiles(app: string): void {
  it('runs as an ES module in node', () => {
    const r = run(process.execPath, ['app.mjs'], app);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expectLossFalls(r.out);
  });

  it('runs from CommonJS with require()', () => {
    const r = run(process.execPath, ['app.cjs'], app);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expectLossFalls(r.out);
  });

  for (const [name, resolution] of Object.entries(resolutions)) {
    it(`type-checks under strict settings with moduleResolution ${name}`, () => {
      writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...strict, ...resolution }, files: ['main.ts'] }));
      const r = run(bin('tsc'), ['-p', `tsconfig.${name}.json`], app);
      expect(r.out + r.err).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('declares real types: a misuse fails to type-check', () => {
    writeFileSync(join(app, 'misuse.ts'), "import { nn } from 'tensorgrad-ts';\nnew nn.Linear('2', 1);\n");
    writeFileSync(join(app, 'tsconfig.misuse.json'), JSON.stringify({ compilerOptions: { ...strict, ...resolutions.nodenext }, files: ['misuse.ts'] }));
    const r = run(bin('tsc'), ['-p', 'tsconfig.misuse.json'], app);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/misuse\.ts\(2,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);
  });

  it('bundles for the browser with esbuild and runs without Node globals', () => {
    // A classic script (an IIFE bundle), which works from file:// too; the README's command builds one.
    expect(readFileSync(join(app, 'index.html'), 'utf8')).toMatch(/<script src="main\.js"><\/script>/);
    expect(readmeSection()).toContain('npx esbuild main.ts --bundle --format=iife --outfile=main.js');
    const r = run(bin('esbuild'), ['main.ts', '--bundle', '--platform=browser', '--format=iife', '--outfile=main.js', '--log-level=warning'], app);
    expect(r.out + r.err).toBe('');
    expect(r.status).toBe(0);
    // What a page's script has: the JavaScript built-ins (WebAssembly among them), atob and a console.
    const printed: string[] = [];
    const page = vm.createContext({ atob, console: { log: (...a: unknown[]) => printed.push(a.join(' ')) } });
    vm.runInContext(readFileSync(join(app, 'main.js'), 'utf8'), page, { filename: 'main.js' });
    expectLossFalls(printed.join('\n'));
  });
}

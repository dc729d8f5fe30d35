// Every ```ts snippet of the README runs as written: each is saved inside the package and run with tsx, where
// `import … from 'tensorgrad-ts'` resolves to this checkout's source (the `paths` entry of tsconfig.json; the
// built package is what test/package.test.ts installs and runs). All of them are also type-checked, in one tsc
// run, under the strict flags the README recommends to a TypeScript user. ```typescript blocks are excerpts of
// the library's source, neither run nor checked here.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, readmeSection } from './consumer.ts';

const root = join(import.meta.dirname, '..');
const dir = join(root, '.readme-snippets');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const file = (i: number): string => join(dir, `snippet-${i + 1}.ts`);
/** GitHub's anchor for a heading's markdown text (as github-slugger: punctuation but `_` and `-`, symbols and
 *  other numbers such as ² are dropped, each space becomes `-`). */
const anchor = (heading: string): string => heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').toLowerCase()
  .replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\p{Alphabetic} -]/gu, '').replace(/ /g, '-');

// The flags "Use it in your project" tells a TypeScript user the package passes.
const strictFlags = { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true };

describe('README', () => {
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    snippets.forEach((code, i) => writeFileSync(file(i), code));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has snippets to run', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(2);
  });

  snippets.forEach((code, i) => {
    it(`snippet ${i + 1} runs and prints`, () => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', file(i)], { cwd: dir, encoding: 'utf8' }); // files it writes stay in dir
      expect(out.trim().length).toBeGreaterThan(0);
      if (code.includes('gradcheck(')) expect(out).toMatch(/true gradcheck passed/);
      if (code.includes('gradgradcheck(')) expect(out).toMatch(/true gradgradcheck passed/);
      // The weights snippet reloads a model from its safetensors file and compares predictions.
      if (code.includes('loadSafetensors')) expect(out).toMatch(/^a 3-4-1 net true$/m);
      if (code.includes('loadStateDict')) {
        // The two printed prediction arrays (trained model, reloaded copy) are identical.
        const lines = out.trim().split('\n');
        expect(lines.at(-1)).toBe(lines.at(-2));
      }
    });
  });

  // The contents list and the other links: an in-page link names a heading (by GitHub's anchor for it), a
  // relative link a file of the repository.
  for (const page of ['README.md', 'bench/README.md']) {
    it(`${page}: its links lead somewhere`, () => {
      const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      const anchors = [...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!));
      const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^https?:/.test(l));
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) {
        const [path, hash] = link.split('#') as [string, string | undefined];
        const target = path === '' ? page : join(dirname(page), path);
        expect(existsSync(join(root, target)), `${link}: no file ${target}`).toBe(true);
        if (hash === undefined) continue;
        const headings = path === '' ? anchors : [...readFileSync(join(root, target), 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!));
        expect(headings, `${link}: no such heading in ${target}`).toContain(hash);
      }
    });
  }

  it('recommends those strict flags', () => {
    for (const flag of Object.keys(strictFlags)) expect(readmeSection()).toContain(`"${flag}"`);
  });

  it('every snippet type-checks under those strict flags', () => {
    // tsconfig.json's settings (moduleResolution bundler, and `paths` to src/index.ts) plus the strict flags;
    // moduleDetection force keeps each snippet its own module. One tsc run over all snippets. The library's own
    // files come into the program through `paths` and are checked under tsconfig.json's flags instead (the
    // declarations a user gets are checked under these flags by test/consumer.ts), so only diagnostics outside
    // src/ count here. A canary with one deliberate error shows that the snippets were checked.
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: { ...strictFlags, moduleDetection: 'force', noEmit: true },
      include: ['*.ts'],
    }));
    writeFileSync(join(dir, 'canary.ts'), 'const v = new Float64Array(1);\nexport const x: number = v[0];\n');
    const r = spawnSync(bin('tsc'), ['-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
    if (r.error) throw r.error;
    // A diagnostic is a line naming its file, then indented lines.
    const diagnostics = (r.stdout + r.stderr).split(/\n(?! )/).filter((d) => d.trim() !== '' && !d.startsWith('../src/'));
    expect(diagnostics.filter((d) => !d.startsWith('canary.ts')).join('\n')).toBe('');
    expect(diagnostics.join('\n')).toMatch(/^canary\.ts\(2,14\): error TS2322/);
  });
});

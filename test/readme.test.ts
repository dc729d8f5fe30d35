// Every ```ts snippet of the README runs as written: each is saved inside the package and run with tsx, where
// `import … from 'tensorgrad-ts'` resolves to this checkout's source (the `paths` entry of tsconfig.json; the
// built package is what test/package.test.ts installs and runs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dir = join(root, '.readme-snippets');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has snippets to run', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(2);
  });

  snippets.forEach((code, i) => {
    it(`snippet ${i + 1} runs and prints`, () => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `snippet-${i + 1}.ts`);
      writeFileSync(file, code);
      const out = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: dir, encoding: 'utf8' }); // files it writes stay in dir
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
});

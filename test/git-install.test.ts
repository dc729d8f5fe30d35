// The package installed from git, the ways the README's "Use it in your project" gives until it is on the
// registry, each into a fresh project that then runs the README's files (test/consumer.ts):
// - `npm install <git URL>`: npm clones the repository, installs its devDependencies there, runs its prepare
//   script (npm run build) and installs the packed result. Without prepare the package has no dist/.
// - a clone, with `npm install` in it (which builds dist/ too): `npm install ../tensorgrad-ts` links it; and after
//   `npm pack` in it, `npm install ../tensorgrad-ts/tensorgrad-ts-0.1.0.tgz`.
// GitHub is out of reach here, so the git URL is the git+file:// one of a bare repository that the test makes from
// this repository's HEAD: committed work only. The installs run as a user types them, with npm's defaults (under
// npm 11, a git dependency's prepare runs without being approved, with a notice), and once with
// --strict-allow-scripts and the URL in the project's allowScripts, as the README says. npm fetches the
// devDependencies from the registry or its cache: 10-25 s for each of the three installs that do, about a minute
// for the file. The tarball is the one test/package.test.ts checks in full, so here it only has to run.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject, expectLossFalls, itRunsTheReadmeFiles, readmeSection, root, run } from './consumer.ts';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; repository: { url: string } };
const npmInstall = ['install', '--no-audit', '--no-fund'];
const cloning = 240_000; // ms for one npm command that installs the devDependencies: 10-25 s here

/** What an install leaves in node_modules: package.json's "files" (dist/) and what npm adds. */
function expectBuiltPackage(dir: string): void {
  expect(readdirSync(dir).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
  for (const file of ['index.js', 'index.d.ts']) expect(existsSync(join(dir, 'dist', file)), `dist/${file} in ${dir}`).toBe(true);
}

/** The package is in app's node_modules, built, and the README's app.mjs runs on it. */
function expectInstalledAndRuns(app: string): void {
  expectBuiltPackage(join(app, 'node_modules', 'tensorgrad-ts'));
  const r = run(process.execPath, ['app.mjs'], app);
  expect(r.err).toBe('');
  expect(r.status).toBe(0);
  expectLossFalls(r.out);
}

describe('installed from git', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-git-'));
  const repo = join(dir, 'tensorgrad-ts.git');
  const url = `git+${pathToFileURL(repo).href}`;
  const git = (args: string[], cwd: string): void => {
    const r = run('git', args, cwd);
    expect(r.status, r.err).toBe(0);
  };

  beforeAll(() => {
    git(['init', '--quiet', '--bare', repo], dir);
    git(['config', 'receive.shallowUpdate', 'true'], repo); // in case this checkout is a shallow clone
    git(['push', '--quiet', repo, 'HEAD:refs/heads/main'], root);
    git(['symbolic-ref', 'HEAD', 'refs/heads/main'], repo);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }), 120_000); // deleting npm installs is slow on a busy machine

  it("the README gives the repository's git URL, and the tarball of a clone", () => {
    const section = readmeSection();
    expect(section).toContain(`npm install ${pkg.repository.url}\n`);
    expect(section).toContain(`"allowScripts": { "${pkg.repository.url}": true }`);
    expect(section).toContain('cd tensorgrad-ts && npm install && npm pack ');
    expect(section).toContain(`npm install ../tensorgrad-ts/${pkg.name}-${pkg.version}.tgz\n`);
    expect(section).toContain('`npm install ../tensorgrad-ts`');
  });

  describe('npm install git+file://…', () => {
    const fromGit = consumerProject(join(dir, 'from-git'));
    beforeAll(() => {
      const r = run('npm', [...npmInstall, url], fromGit, cloning);
      expect(r.status, r.err).toBe(0);
    }, cloning);

    it('installs the package built: dist/, and the git URL saved in package.json', () => {
      expectBuiltPackage(join(fromGit, 'node_modules', 'tensorgrad-ts'));
      const manifest = JSON.parse(readFileSync(join(fromGit, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      expect(manifest.dependencies).toEqual({ 'tensorgrad-ts': url });
    });

    itRunsTheReadmeFiles(fromGit);
  });

  describe('npm install --strict-allow-scripts git+file://…, with the URL in allowScripts', () => {
    const strict = consumerProject(join(dir, 'strict'), { allowScripts: { [url]: true } });
    beforeAll(() => {
      const r = run('npm', [...npmInstall, '--strict-allow-scripts', url], strict, cloning);
      expect(r.status, r.err).toBe(0);
    }, cloning);

    it('installs the package built, and it runs', () => expectInstalledAndRuns(strict));
  });

  describe('a clone: npm install in it', () => {
    const clone = join(dir, 'tensorgrad-ts');
    beforeAll(() => {
      git(['clone', '--quiet', pathToFileURL(repo).href, clone], dir);
      const install = run('npm', npmInstall, clone, cloning);
      expect(install.status, install.err).toBe(0);
    }, cloning);

    describe('npm install ../tensorgrad-ts', () => {
      const app = consumerProject(join(dir, 'linked'));
      beforeAll(() => {
        const r = run('npm', [...npmInstall, '../tensorgrad-ts'], app);
        expect(r.status, r.err).toBe(0);
      }, 60_000);

      it('links the clone, built', () => {
        const installed = join(app, 'node_modules', 'tensorgrad-ts');
        expect(lstatSync(installed).isSymbolicLink()).toBe(true);
        expect(realpathSync(installed)).toBe(realpathSync(clone));
        for (const file of ['index.js', 'index.d.ts']) expect(existsSync(join(clone, 'dist', file)), `dist/${file}`).toBe(true);
      });
      itRunsTheReadmeFiles(app);
    });

    describe('npm pack in it, then npm install ../tensorgrad-ts/tensorgrad-ts-0.1.0.tgz', () => {
      const app = consumerProject(join(dir, 'my-project'));
      beforeAll(() => {
        const pack = run('npm', ['pack', '--silent'], clone);
        expect(pack.status, pack.err).toBe(0);
        expect(pack.out.trim()).toBe(`${pkg.name}-${pkg.version}.tgz`);
        const r = run('npm', [...npmInstall, `../tensorgrad-ts/${pkg.name}-${pkg.version}.tgz`], app);
        expect(r.status, r.err).toBe(0);
      }, 120_000);

      it('installs the package built, and it runs', () => expectInstalledAndRuns(app));
    });
  });
});

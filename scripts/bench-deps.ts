// The benchmarks' own dependencies (the peers they race: TensorFlow.js, onnxruntime) live in
// bench/package.json with their own lock file, so that installing the package does not download them.
// `npm run bench` runs this first: it runs `npm ci --prefix bench` when bench/node_modules is missing or does
// not match bench/package-lock.json. To add a benchmark peer:  npm install --prefix bench PKG
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('../bench/', import.meta.url));

type Lock = { packages: Record<string, { version?: string; optional?: boolean }> };
const read = (file: string): Lock => JSON.parse(readFileSync(BENCH + file, 'utf8')) as Lock;

/** npm records what it installed in node_modules/.package-lock.json; every locked version must be there. */
function upToDate(): boolean {
  if (!existsSync(`${BENCH}node_modules/.package-lock.json`)) return false;
  const wanted = read('package-lock.json').packages;
  const have = read('node_modules/.package-lock.json').packages;
  return Object.entries(wanted).every(([path, p]) => path === '' || p.optional || have[path]?.version === p.version);
}

if (!upToDate()) {
  console.log('bench: installing the benchmarks\' dependencies (npm ci --prefix bench)');
  const npm = spawnSync('npm', ['ci', '--prefix', BENCH, '--no-audit', '--no-fund'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}

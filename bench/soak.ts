// soak: 100,000 training steps on ragged batches (sizes 1–1024), memory read after a forced GC at the start,
// after the warm-up and at ten checkpoints; the loop is bench/soak-child.ts, run in a child process because it
// needs --expose-gc. Bounded memory is the target: no checkpoint more than 4 MiB (heapUsed + arrayBuffers)
// above the warm-up reading.
//   npx tsx bench/soak.ts                 (BENCH_QUICK=1: 5,000 steps; BENCH_SOAK_STEPS=n for another count)
// `run` is the suite for bench/run.ts. Only types come from common.ts, so this runs without bench/'s packages.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SuiteReport } from './common.ts';
import type { Reading, SoakResult } from './soak-child.ts';

const QUICK = !!process.env.BENCH_QUICK && process.env.BENCH_QUICK !== '0'; // as common.ts
const BOUND = 4 * 2 ** 20;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const total = (r: Reading): number => r.heapUsed + r.arrayBuffers;
const mib = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MiB`;

export async function run(): Promise<SuiteReport> {
  const steps = Number(process.env.BENCH_SOAK_STEPS ?? (QUICK ? 5_000 : 100_000));
  const warm = Math.min(QUICK ? 1_000 : 2_000, steps), checkpoints = QUICK ? 4 : 10;
  console.log(`\nsoak: ${steps} training steps of a 4-8-1 MLP (Adam) on batches of 1–1024 rows, memory after a forced GC (child process)`);
  const script = fileURLToPath(new URL('./soak-child.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, String(steps), String(warm), String(checkpoints)],
    { cwd: ROOT, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`soak failed (exit ${child.status}):\n${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as SoakResult;

  const [start, warmed] = r.readings, end = r.readings.at(-1)!;
  const worst = Math.max(...r.readings.slice(1).map((x) => total(x) - total(warmed)));
  console.log(`  ${'step'.padStart(7)}  ${'heapUsed'.padStart(12)}  ${'arrayBuffers'.padStart(12)}  ${'sum − warm-up'.padStart(13)}`);
  for (const x of r.readings) {
    console.log(`  ${String(x.step).padStart(7)}  ${mib(x.heapUsed).padStart(12)}  ${mib(x.arrayBuffers).padStart(12)}  ${mib(total(x) - total(warmed)).padStart(13)}`);
  }
  console.log(`  ${(r.ms / r.steps * 1000).toFixed(1)} µs/step (mean batch ${r.meanBatch.toFixed(1)}), loss on all rows ${r.lossBefore.toExponential(2)} → ${r.lossAfter.toExponential(2)}`);
  return {
    suite: 'soak',
    description: `${r.steps} training steps, batch sizes 1–1024 (log-uniform, seeded); heapUsed + arrayBuffers after a forced GC`,
    cases: [],
    metrics: [
      { name: 'heap + arrayBuffers at start', value: total(start), unit: 'B' },
      { name: `heap + arrayBuffers after ${r.warm} warm-up steps`, value: total(warmed), unit: 'B' },
      { name: `heap + arrayBuffers after ${r.steps} steps`, value: total(end), unit: 'B' },
      { name: 'heapUsed: end − warm-up', value: end.heapUsed - warmed.heapUsed, unit: 'B' },
      { name: 'arrayBuffers: end − warm-up', value: end.arrayBuffers - warmed.arrayBuffers, unit: 'B' },
      { name: 'largest checkpoint − warm-up', value: worst, unit: 'B', target: '≤ 4 MiB', met: worst <= BOUND },
      { name: 'time per step (mean batch)', value: r.ms / r.steps / 1000, unit: 's' },
      { name: 'loss on all rows, end / start', value: r.lossAfter / r.lossBefore, unit: '×' },
    ],
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await run();
  const bounded = report.metrics.find((m) => m.target !== undefined)!;
  console.log(`  bounded (largest checkpoint − warm-up ${mib(bounded.value)}, target ${bounded.target}): ${bounded.met ? 'met' : 'NOT met'}`);
}

// The benchmark suite:  npm run bench   (BENCH_QUICK=1 for a short CI run; suite names as arguments to run
// only some, e.g. `npm run bench -- matmul graph-overhead`).
//
// Each suite (results/<suite>.json: every case's samples) runs in a child process of its own, in order; the
// memory check runs in a grandchild (it needs --expose-gc). This file then prints the summary table with the
// target ratios and writes it to results/summary.json and results/summary.md.
//
// Targets are reported as met / not met. With BENCH_ENFORCE=1 a full run exits with code 1 when one is not met;
// by default it only reports (a target at the line flips with the machine's noise), and a quick run never
// judges: its timings are too short.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtBytes, fmtMetric, fmtOps, fmtTime, QUICK, RESULTS_DIR, type Metric, type SuiteReport } from './common.ts';
import type { MemoryResult } from './memory.ts';
import * as xorStep from './xor-step.ts';
import * as mlpStep from './mlp-step.ts';
import * as matmul from './matmul.ts';
import * as graphOverhead from './graph-overhead.ts';
import * as jvpSuite from './jvp.ts';
import * as soak from './soak.ts';
import * as lenet from './lenet.ts';
import * as perExample from './per-example.ts'; // issue 20: vmap
import * as lstm from './lstm.ts';
import { profile } from './engine.ts'; // issue #9: memory over 100,000 steps with batch sizes 1–1024 (child process)

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function memory(): Promise<SuiteReport> {
  console.log('\nmemory: 100000 XOR training steps with the engine, heapUsed after a forced GC (child process)');
  const script = fileURLToPath(new URL('./memory.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`memory check failed (exit ${child.status}):\n${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as MemoryResult;
  console.log(`  heap start ${fmtBytes(r.heapStart)}, after 1000 steps ${fmtBytes(r.heapWarm)}, after ${r.steps} steps ${fmtBytes(r.heapEnd)}` +
    ` (${(r.ms / r.steps * 1000).toFixed(2)} µs/step, final loss ${r.finalLoss.toExponential(2)})`);
  return {
    suite: 'memory',
    description: `${r.steps} XOR training steps with the engine; heapUsed after a forced GC`,
    cases: [],
    metrics: [
      { name: 'heap at start', value: r.heapStart, unit: 'B' },
      { name: 'heap after 1000 warm-up steps', value: r.heapWarm, unit: 'B' },
      { name: `heap after ${r.steps} steps`, value: r.heapEnd, unit: 'B' },
      { name: 'end − start', value: r.heapEnd - r.heapStart, unit: 'B' },
      { name: 'end − after warm-up (growth per 99000 steps)', value: r.heapEnd - r.heapWarm, unit: 'B' },
      { name: 'time per step in this loop', value: r.ms / r.steps / 1000, unit: 's' },
    ],
  };
}

const SUITES: Record<string, () => Promise<SuiteReport>> = {
  'xor-step': xorStep.run,
  'mlp-step': mlpStep.run,
  'mlp-step-1': mlpStep.runBatch1,
  matmul: matmul.run,
  'graph-overhead': graphOverhead.run,
  jvp: jvpSuite.run, // issue #20: forward mode's cost
  memory,
  soak: soak.run, // issue #9
  lenet: lenet.run, // issue #19
  'per-example': perExample.run, // issue 20
  lstm: lstm.run, // issue 19
};

// --profile: after each suite, one engine step of it profiled (profile()), its table printed and its Chrome trace
// written beside the results as <suite>.trace.json.
const PROFILE = process.argv.includes('--profile');
const ENGINE_STEPS: Record<string, () => () => void> = {
  'xor-step': () => xorStep.engineXor().step,
  'mlp-step': () => { const { x, y } = mlpStep.mlpData(64); return mlpStep.engineMlp(64, x, y).step; },
  'mlp-step-1': () => { const { x, y } = mlpStep.mlpData(1); return mlpStep.engineMlp(1, x, y).step; },
  'graph-overhead': () => graphOverhead.engineChain().step,
  lenet: () => { const { x, y } = lenet.lenetData(); return lenet.engineLenet(x, y).step; },
  lstm: () => lstm.engineLstm().step,
};
function profileSuite(name: string): void {
  const make = ENGINE_STEPS[name];
  if (make === undefined) return;
  const step = make();
  for (let i = 0; i < 20; i++) step(); // warm: the profile shows steady state, not compilation
  const p = profile(step), file = join(RESULTS_DIR, `${name}.trace.json`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, p.toChromeTrace());
  console.log(`\n${name}: one engine step profiled (trace: ${file})\n${p.table({ rowLimit: 12 })}`);
}

// Each suite runs in a process of its own (this file again, with --child NAME REPORT_FILE), so that what one
// suite loads and warms (TensorFlow.js, onnxruntime, other shapes through the same kernels) cannot slow the next:
// each is measured as a program that runs only it would see it.
const child = process.argv.indexOf('--child');
if (child !== -1) {
  const [name, reportFile] = process.argv.slice(child + 1, child + 3);
  const report = await SUITES[name]();
  if (PROFILE) profileSuite(name);
  writeFileSync(reportFile, JSON.stringify(report));
  process.exit(0);
}

const wanted = process.argv.slice(2).filter((a) => a !== '--profile');
const unknown = wanted.filter((w) => !(w in SUITES));
if (unknown.length > 0) {
  console.error(`unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}

function runChild(name: string): SuiteReport {
  const reportFile = join(tmpdir(), `tensorgrad-bench-${process.pid}-${name}.json`);
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', name, reportFile, ...(PROFILE ? ['--profile'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`suite ${name} failed (exit ${r.status ?? r.signal})`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as SuiteReport;
  rmSync(reportFile);
  return report;
}

const started = performance.now();
console.log(`tensorgrad-ts benchmarks — ${QUICK ? 'QUICK mode (short samples, targets not enforced)' : 'full mode'}`);
const reports: SuiteReport[] = [];
for (const name of Object.keys(SUITES)) {
  if (wanted.length === 0 || wanted.includes(name)) reports.push(runChild(name));
}
const wallSeconds = (performance.now() - started) / 1000;

// ——— summary ———
/** The engine version measured: commit, and whether src/ had uncommitted changes (read-only git queries). */
function engineVersion(): string {
  const git = (...args: string[]): string | null => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const head = git('rev-parse', '--short', 'HEAD');
  if (head === null) return 'unknown';
  return git('status', '--porcelain', '--', 'src') === '' ? head : `${head} + uncommitted src changes`;
}

const env = {
  date: new Date().toISOString(),
  engine: engineVersion(),
  mode: QUICK ? 'quick' : 'full',
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  wallSeconds: Math.round(wallSeconds * 10) / 10,
};
const targets = reports.flatMap((r) => r.metrics.filter((m) => m.target !== undefined).map((m) => ({ suite: r.suite, ...m })));
const verdict = (m: Metric): string => (m.met ? 'met' : 'NOT met');

const lines: string[] = [];
lines.push('', '═'.repeat(100), `SUMMARY (${env.mode} mode, engine ${env.engine}, ${env.node}, ${env.cpu} × ${env.cores}, ${env.wallSeconds} s)`, '═'.repeat(100));
for (const r of reports) {
  lines.push('', `${r.suite}: ${r.description}`);
  for (const c of r.cases) {
    lines.push(`  ${c.name.padEnd(50)} median ${fmtTime(c.median).padStart(10)}  ${fmtOps(c.ops).padStart(12)} ops/s  ±${c.rme.toFixed(1)}%`);
  }
  for (const m of r.metrics) {
    lines.push(`  → ${m.name.padEnd(48)} ${fmtMetric(m).padStart(14)}${m.target ? `   target ${m.target}: ${verdict(m)}` : ''}`);
  }
}
lines.push('', 'Targets:');
for (const t of targets) lines.push(`  ${t.met ? '✔' : '✘'} ${`${t.suite}: ${t.name}`.padEnd(56)} ${fmtMetric(t).padStart(14)}  (target ${t.target})`);
console.log(lines.join('\n'));

const md: string[] = [];
md.push(`Benchmarks (\`npm run bench\`, ${env.mode} mode, engine ${env.engine}): Node ${env.node}, ${env.cpu}, ${env.cores} cores, ${env.date.slice(0, 10)}.`, '');
md.push('| suite | case | median | ops/s | ± |', '|---|---|---:|---:|---:|');
for (const r of reports) {
  for (const c of r.cases) {
    md.push(`| ${r.suite} | ${c.name} | ${fmtTime(c.median)} | ${fmtOps(c.ops)} | ${c.rme.toFixed(1)}% |`);
  }
}
md.push('', '| suite | measure | value | target | |', '|---|---|---:|---|---|');
for (const r of reports) {
  for (const m of r.metrics) {
    md.push(`| ${r.suite} | ${m.name} | ${fmtMetric(m)} | ${m.target ?? ''} | ${m.target ? (m.met ? '✅ met' : '❌ not met') : ''} |`);
  }
}
md.push('');

mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(join(RESULTS_DIR, 'summary.json'), `${JSON.stringify({ ...env, suites: reports }, null, 2)}\n`);
writeFileSync(join(RESULTS_DIR, 'summary.md'), md.join('\n'));
console.log(`\nSaved bench/results/summary.json and bench/results/summary.md (${env.wallSeconds} s in all).`);

const unmet = targets.filter((t) => !t.met);
if (!QUICK && unmet.length > 0) {
  console.log(`${unmet.length} target(s) not met.`);
  if (process.env.BENCH_ENFORCE === '1') process.exitCode = 1;
}

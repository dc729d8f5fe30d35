// PyTorch as a peer: when a python3 that imports torch is found, each suite hands its work to bench/torch_peer.py
// (float64, one thread), which takes the first step from the same starting values (checked here like any other
// case) and times the work with benchmark.js's scheme. Skipped with a one-line notice otherwise, or when
// BENCH_TORCH=0.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { caseResult, CASE_OPTIONS, type CaseResult } from './common.ts';
import { summarise } from './timer.ts';
import type { Trainer } from './trainer.ts';

const SCRIPT = fileURLToPath(new URL('./torch_peer.py', import.meta.url));
const PYTHONS = ['python3', '/usr/bin/python3'];

export type TorchJob =
  | { kind: 'training_step'; sizes: number[]; weights: ArrayLike<number>[]; biases: ArrayLike<number>[] | null; x: ArrayLike<number>; y: ArrayLike<number>; lr: number }
  | { kind: 'matmul'; n: number; a: ArrayLike<number>; b: ArrayLike<number> }
  | { kind: 'chain'; pairs: number; x0: number; m: number; a: number }
  | { kind: 'lenet'; params: ArrayLike<number>[]; x: ArrayLike<number>; y: number[]; lr: number }
  | { kind: 'lstm_step'; sizes: [input: number, hidden: number, steps: number, batch: number]; params: ArrayLike<number>[]; x: ArrayLike<number>; y: ArrayLike<number>; lr: number };

export interface TorchResult {
  first: { loss?: number; params?: number[][]; c?: number[]; value?: number; grad?: number };
  samples: number[];
}

let python: string | null | undefined;
let version = '', blas = '';

// Which BLAS the torch process loaded, from its memory map: Debian's torch links the generic libblas.so.3, which
// is the unoptimised reference BLAS unless an optimised one (libopenblas0) is installed to take its place.
const PROBE = `import torch
torch.ones(8, 8, dtype=torch.float64) @ torch.ones(8, 8, dtype=torch.float64)
print(torch.__version__)
print(';'.join(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower() or 'mkl' in l.lower()})))`;

/** The BLAS library's kind, from the paths of the loaded libraries ('' when none is named). */
function blasOf(paths: string): string {
  if (/openblas/i.test(paths)) return 'OpenBLAS';
  if (/mkl/i.test(paths)) return 'MKL';
  if (/blis/i.test(paths)) return 'BLIS';
  if (/\/blas\/libblas/.test(paths)) return 'reference BLAS';
  return '';
}

/** One thread in every library the peer may load (OpenMP, OpenBLAS, MKL), besides torch.set_num_threads(1). */
const ONE_THREAD = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** The python3 that imports torch, or null (looked up once; the notice is printed then). */
function findPython(): string | null {
  if (python !== undefined) return python;
  python = null;
  if (process.env.BENCH_TORCH === '0') {
    console.log('  PyTorch peer skipped (BENCH_TORCH=0)');
    return python;
  }
  for (const exe of PYTHONS) {
    const r = spawnSync(exe, ['-c', PROBE], { encoding: 'utf8', env: ONE_THREAD });
    if (r.status === 0) {
      python = exe;
      const [v = '', libs = ''] = r.stdout.trim().split('\n');
      version = v;
      blas = blasOf(libs);
      break;
    }
  }
  if (python === null) console.log(`  PyTorch peer skipped: no python3 with torch (tried ${PYTHONS.join(', ')})`);
  else if (blas === 'reference BLAS') {
    console.log('  PyTorch peer: torch runs on the reference BLAS here (unoptimised; its products are several times slower ' +
      'than a user\'s would be): apt-get install libopenblas0 for a fair peer');
  }
  return python;
}

/** Runs the jobs in one PyTorch process, or returns null after printing why the peer is skipped. */
export function runTorch(jobs: TorchJob[]): TorchResult[] | null {
  const exe = findPython();
  if (exe === null) return null;
  const { minSamples = 5, maxTime = 1, minTime = 0.05 } = CASE_OPTIONS;
  const input = JSON.stringify({ options: { minSamples, maxTime, minTime }, jobs: jobs.map(plain) });
  const r = spawnSync(exe, [SCRIPT], { input, encoding: 'utf8', maxBuffer: 1 << 28, env: ONE_THREAD });
  if (r.status !== 0) throw new Error(`PyTorch peer failed (exit ${r.status}):\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { results: TorchResult[] }).results;
}

/**
 * The job timed again, after the engine's cases, its samples pooled with those of `before` (the same job timed
 * before them, its first step checked there). The machine's speed drifts over a suite's ~20 s on a shared VM: a
 * peer timed on one side of the engine takes the drift into the ratio, one timed on both sides cancels a steady
 * drift.
 */
export function timedAgain(before: TorchResult, job: TorchJob): TorchResult {
  const after = runTorch([job]);
  if (after === null) throw new Error('PyTorch peer: timed once, then not found');
  return { first: before.first, samples: [...before.samples, ...after[0].samples] };
}

/** Typed arrays as plain arrays, for JSON (which writes float64 values exactly: shortest round-trip digits). */
const plain = (job: TorchJob): unknown =>
  JSON.parse(JSON.stringify(job, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)));

/** The case's name, with the version and BLAS found. */
export const torchName = (what: string): string => `PyTorch ${version} ${what} (float64, 1 thread${blas === '' ? '' : `, ${blas}`})`;

/** The median of the peer's samples, in seconds. */
export const torchMedian = (r: TorchResult): number => summarise(r.samples).median;

/** A timing result in the shape the engine's cases have (bench/timer.ts's statistics of the peer's samples). */
export const torchCase = (name: string, r: TorchResult): CaseResult => caseResult(name, 'peer', summarise(r.samples));

/** The peer's first step as a Trainer for checkSameStep: `init` before, PyTorch's parameters after. */
export function torchTrainer(name: string, init: Float64Array[], r: TorchResult): Trainer {
  let params: ArrayLike<number>[] = init;
  return {
    name, precision: 'f64',
    step: () => { throw new Error(`${name}: timed in its own process`); },
    checkedStep: () => { params = r.first.params!; return r.first.loss!; },
    params: () => params,
  };
}

// Shared helpers for the benchmark suites: mode and timing options, the suite runner, result types,
// the once-before-timing equality checks, and number formatting.
import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { time, type Timing, type TimerOptions } from './timer.ts';
import { setNumThreads } from './engine.ts';

/** BENCH_QUICK=1: every case briefly (CI smoke run, no thresholds enforced). */
export const QUICK = !!process.env.BENCH_QUICK && process.env.BENCH_QUICK !== '0';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Per-case timing options (bench/timer.ts): maxTime bounds a case's sampling; minTime is one sample's length. */
export type CaseOptions = Partial<TimerOptions>;
export const CASE_OPTIONS: TimerOptions = QUICK
  ? { minSamples: 5, maxTime: 0.25, minTime: 0.02, delay: 0 }
  : { minSamples: 30, maxTime: 5, minTime: 0.1, delay: 0.002 };

export interface BenchCase {
  name: string;
  /** One unit of work (one training step, one product, one chain…), with all state prebuilt; a peer whose API
   *  is asynchronous returns its promise (which is then awaited in the timing). */
  fn: () => void | Promise<unknown>;
  /** Shown in the summary, e.g. "reference" for cases that are not a target's floor. */
  note?: string;
  options?: CaseOptions;
  /** The engine's threads for large products while this case is timed (setNumThreads; default 2, the engine's own). */
  threads?: 1 | 2;
}

export interface CaseResult {
  name: string;
  note?: string;
  /** Median of the samples (each sample is a mean over many calls), in seconds. */
  median: number;
  mean: number;
  /** Calls per second (1 / mean). */
  ops: number;
  /** Relative margin of error of the mean, in percent. */
  rme: number;
  samples: number;
}

export interface Metric {
  name: string;
  value: number;
  unit: string;
  /** Human-readable goal, e.g. "≤ 6×"; absent for informational metrics. */
  target?: string;
  met?: boolean;
}

export interface SuiteReport {
  suite: string;
  description: string;
  cases: CaseResult[];
  metrics: Metric[];
}

/** A case's result from its timing. */
export const caseResult = (name: string, note: string | undefined, t: Timing): CaseResult =>
  ({ name, note, median: t.median, mean: t.mean, ops: 1 / t.mean, rme: t.rme, samples: t.samples.length });

/**
 * Run one suite: every case with the mode's options, one after another, then the peers' cases, which `peers`
 * loads, builds and checks only once the engine's cases are timed: a large library loaded into the process
 * (TensorFlow.js) slows the engine's code and the hand-written floors measurably, and a user's program running
 * the engine does not hold it. The samples are saved as JSON under bench/results/.
 */
export async function runSuite(name: string, cases: BenchCase[], peers?: () => Promise<BenchCase[]>): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const saved: { name: string; samples: number[] }[] = [];
  const timeAll = async (list: BenchCase[]): Promise<void> => {
    for (const c of list) {
      setNumThreads(c.threads ?? 2);
      const t = await time(c.fn, { ...CASE_OPTIONS, ...c.options });
      setNumThreads(2);
      console.log(`  ${c.name.padEnd(44)} ${fmtTime(t.median).padStart(10)}  ${fmtOps(1 / t.mean).padStart(12)} ops/s  ±${t.rme.toFixed(2)}%  (${t.samples.length} samples)`);
      results.push(caseResult(c.name, c.note, t));
      saved.push({ name: c.name, samples: t.samples });
    }
  };
  await timeAll(cases);
  if (peers !== undefined) await timeAll(await peers());
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify({ suite: name, options: CASE_OPTIONS, cases: saved }, null, 1));
  return results;
}

export const caseNamed = (cases: CaseResult[], name: string): CaseResult => {
  const c = cases.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no case named '${name}'`);
  return c;
};

// ——— checks ———

export const F64_TOL = 1e-9;
export const F32_TOL = 1e-4;

/**
 * Throws unless max|actual − expected| ≤ tol · max|expected| (error relative to the array's scale, so entries
 * near zero do not blow up the ratio). Returns the relative error for the log.
 */
export function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): number {
  if (actual.length !== expected.length) throw new Error(`check ${what}: length ${actual.length} ≠ ${expected.length}`);
  let err = 0, scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= err)) err = d; // NaN-safe: a NaN difference sticks
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  const rel = scale === 0 ? err : err / scale;
  if (!(rel <= tol)) throw new Error(`check ${what}: relative error ${rel.toExponential(2)} exceeds ${tol.toExponential(0)}`);
  return rel;
}

/** Each parameter after one step, and its update (after − before), against the hand-written case's. */
export function expectSameStep(caseName: string, tol: number,
  before: Float64Array[], after: ArrayLike<number>[], refBefore: Float64Array[], refAfter: Float64Array[],
  loss: number, refLoss: number): string {
  let worst = 0;
  after.forEach((p, k) => {
    worst = Math.max(worst, expectClose(`${caseName}: parameter ${k} after one step`, p, refAfter[k], tol));
    // The update itself, so that a missing or wrong gradient cannot hide behind large weights.
    const d = Float64Array.from(p, (v, i) => v - before[k][i]);
    const dRef = Float64Array.from(refAfter[k], (v, i) => v - refBefore[k][i]);
    if (dRef.every((v) => v === 0)) throw new Error(`check ${caseName}: reference update of parameter ${k} is zero`);
    worst = Math.max(worst, expectClose(`${caseName}: update of parameter ${k}`, d, dRef, tol * 10));
  });
  worst = Math.max(worst, expectClose(`${caseName}: loss`, [loss], [refLoss], tol));
  return `  check ${caseName}: same step as the hand-written case (max rel. error ${worst.toExponential(1)})`;
}

export const copies = (xs: ArrayLike<number>[]): Float64Array[] => xs.map((x) => Float64Array.from(x));

// ——— formatting ———

export function fmtTime(sec: number): string {
  if (!Number.isFinite(sec)) return String(sec);
  if (sec < 1e-6) return `${(sec * 1e9).toFixed(1)} ns`;
  if (sec < 1e-3) return `${(sec * 1e6).toPrecision(3)} µs`;
  if (sec < 1) return `${(sec * 1e3).toPrecision(3)} ms`;
  return `${sec.toPrecision(3)} s`;
}

export function fmtOps(ops: number): string {
  return ops >= 100 ? Math.round(ops).toLocaleString('en-US') : ops.toPrecision(3);
}

export function fmtBytes(n: number): string {
  const sign = n < 0 ? '−' : '';
  const a = Math.abs(n);
  if (a < 1024) return `${sign}${a} B`;
  if (a < 1024 ** 2) return `${sign}${(a / 1024).toFixed(1)} KiB`;
  return `${sign}${(a / 1024 ** 2).toFixed(2)} MiB`;
}

export function fmtMetric(m: Metric): string {
  if (m.unit === '×') return `${m.value.toPrecision(3)}×`;
  if (m.unit === 'B') return fmtBytes(m.value);
  if (m.unit === 's') return fmtTime(m.value);
  return `${m.value.toPrecision(3)} ${m.unit}`;
}

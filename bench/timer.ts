// The benchmarks' timer: benchmark.js's scheme (the one bench/torch_peer.py uses too), in a few lines and with no
// dependencies. A sample is the mean time per call over enough calls to last `minTime` seconds; samples are taken
// until `maxTime` has passed and there are at least `minSamples`. It replaced benny (benchmark.js and lodash),
// whose code in the same process made the engine's hottest generated functions slower (see bench/README.md).

export interface TimerOptions {
  minSamples: number;
  /** Seconds: sampling stops once this has passed (and there are minSamples). */
  maxTime: number;
  /** Seconds: the least length of one sample. */
  minTime: number;
  /** Seconds between samples, given to the event loop (the helper thread's messages, timers). */
  delay: number;
}

export interface Timing {
  /** Seconds per call, one per sample. */
  samples: number[];
  median: number;
  mean: number;
  /** 95% margin of error of the mean, in percent of it. */
  rme: number;
}

type Loop = (fn: () => unknown, n: number) => unknown;

/** A fresh loop function per case, so that its call of `fn` sees one target and V8 may inline it. */
const syncLoop = (): Loop => new Function('fn', 'n', 'for (let i = 0; i < n; i++) fn();') as Loop;
const asyncLoop = (): Loop => async (fn, n) => { for (let i = 0; i < n; i++) await fn(); };

const pause = (seconds: number): Promise<void> => new Promise((done) => setTimeout(done, seconds * 1000));

/** Time `fn` (awaited when it returns a promise). */
export async function time(fn: () => unknown, o: TimerOptions): Promise<Timing> {
  const first = fn();
  if (first instanceof Promise) await first;
  const loop = first instanceof Promise ? asyncLoop() : syncLoop();
  const run = async (n: number): Promise<number> => {
    const start = process.hrtime.bigint();
    await loop(fn, n);
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  let count = 1, elapsed = await run(count);
  while (elapsed < o.minTime / 4) { count *= 2; elapsed = await run(count); } // calibrate the calls per sample
  count = Math.max(1, Math.round((count * o.minTime) / elapsed));
  const samples: number[] = [], start = performance.now();
  while (samples.length < o.minSamples || performance.now() - start < o.maxTime * 1000) {
    if (o.delay > 0) await pause(o.delay);
    samples.push((await run(count)) / count);
  }
  return summarise(samples);
}

export function summarise(samples: number[]): Timing {
  const n = samples.length, mean = samples.reduce((s, v) => s + v, 0) / n;
  const sorted = [...samples].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const sd = Math.sqrt(samples.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n - 1));
  return { samples, median, mean, rme: (196 * sd) / Math.sqrt(n) / mean };
}

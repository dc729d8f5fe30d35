// The soak loop (run by bench/soak.ts and test/training-memory.test.ts, in a child process because it needs --expose-gc):
// a 4-8-1 tanh MLP trained with Adam on ragged batches, a seeded sequence of sizes log-uniform in 1–1024 (every
// size occurs, so every gradient, activation and optimizer temporary comes in many lengths: what made the old
// engine's gradient buffer pool grow to 1.94 GB). heapUsed and arrayBuffers are read after a forced GC at the
// start, after the warm-up, and at checkpoints up to the end; one JSON line goes to stdout.
//   node --expose-gc --import tsx bench/soak-child.ts <steps> <warm-up steps> [checkpoints]
// SOAK_LEAK=1 keeps a buffer of b × 32 values for each distinct batch size b, as a pool keyed by length would:
// the negative control showing that the memory test can fail.
// Imports the engine only (not the bench harness), so `npm test` can run it without bench/'s dependencies.
import { nn, noGrad, optim, RandomState, Tensor, zeros } from '../src/index.ts';

export interface Reading { step: number; heapUsed: number; arrayBuffers: number }
export interface SoakResult {
  steps: number;
  warm: number;
  /** At the start (model built), after the warm-up, then at evenly spaced steps up to the end. */
  readings: Reading[];
  /** Time spent stepping (forced collections excluded), in ms. */
  ms: number;
  /** Mean batch size over the run. */
  meanBatch: number;
  /** Mean squared error over the whole data set before and after training (it must have learned). */
  lossBefore: number;
  lossAfter: number;
}

const N = 4096, IN = 4, H = 8, MAX_BATCH = 1024;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('bench/soak-child.ts: run with node --expose-gc --import tsx bench/soak-child.ts <steps> <warm-up>');
  process.exit(2);
}
const [steps, warm, checkpoints = 10] = process.argv.slice(2).map(Number);
if (!(Number.isInteger(steps) && Number.isInteger(warm) && warm >= 0 && warm <= steps && checkpoints >= 1)) {
  console.error(`bench/soak-child.ts: expected <steps> <warm-up ≤ steps> [checkpoints], got ${process.argv.slice(2).join(' ')}`);
  process.exit(2);
}
const leak = process.env.SOAK_LEAK === '1';

// A smooth regression target on a fixed data set; each batch is a contiguous run of its rows (no copy).
const rng = new RandomState(3);
const X = rng.uniform(-1, 1, [N, IN]);
const Y = Float64Array.from({ length: N }, (_, i) => {
  const [a, b, c, d] = X.subarray(i * IN, i * IN + IN);
  return Math.sin(2 * a) + b * c - 0.5 * d * d;
});
const model = new nn.Sequential(new nn.Linear(IN, H, { init: 'xavier', rng }), new nn.Tanh(), new nn.Linear(H, 1, { init: 'xavier', rng }));
const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
const kept = new Map<number, Tensor>(); // SOAK_LEAK only

const batches = new RandomState(11);
let batchTotal = 0;
function step(): void {
  const b = Math.min(MAX_BATCH, Math.floor(Math.pow(MAX_BATCH + 1, batches.random()))); // log-uniform in 1–1024
  const at = Math.floor(batches.random() * (N - b + 1));
  batchTotal += b;
  const x = Tensor.from(X.subarray(at * IN, (at + b) * IN), [b, IN]);
  const y = Tensor.from(Y.subarray(at, at + b), [b, 1]);
  opt.zeroGrad();
  const loss = nn.mseLoss(model.call(x), y);
  loss.backward();
  opt.step();
  if (leak && !kept.has(b)) kept.set(b, zeros([b, 32]));
}

const lossOnAll = (): number => noGrad(() => nn.mseLoss(model.call(Tensor.from(X, [N, IN])), Tensor.from(Y, [N, 1])).item());

// V8 frees the backing stores of dead ArrayBuffers on a background thread: let it finish before reading.
async function read(at: number): Promise<Reading> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((done) => setTimeout(done, 10));
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { step: at, heapUsed, arrayBuffers };
}

/** Steps from..to-1, timed. */
let ms = 0;
function train(from: number, to: number): void {
  const t0 = performance.now();
  for (let i = from; i < to; i++) step();
  ms += performance.now() - t0;
}

const lossBefore = lossOnAll();
const readings = [await read(0)];
train(0, warm);
readings.push(await read(warm));
for (let k = 1, done = warm; k <= checkpoints; k++) {
  const to = warm + Math.round(((steps - warm) * k) / checkpoints);
  train(done, to);
  readings.push(await read((done = to)));
}
const result: SoakResult = { steps, warm, readings, ms, meanBatch: batchTotal / steps, lossBefore, lossAfter: lossOnAll() };
process.stdout.write(`${JSON.stringify(result)}\n`);

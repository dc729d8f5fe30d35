// mlp-step: one training step of a 784-128-10 MLP, the documents' network scaled up: sigmoid hidden AND sigmoid
// output layer, both with biases, loss ½Σ(y − ŷ)² summed over batch and outputs (the squared-error delta F8 at
// the output), SGD lr 0.05. Inputs U[0,1) like MNIST pixels, one-hot targets, Xavier-uniform weights, zero
// biases. The same for all cases. Two suites: batch 64 (matrix products; floor: the blocked plain-loop gemm)
// and batch 1 (vector products; floor: the step written by hand with plain vector loops).
import type * as TF from '@tensorflow/tfjs';
import { compile, nn, optim, RandomState, Tensor } from './engine.ts';
import { warm } from './xor-step.ts';
import { caseNamed, F32_TOL, F64_TOL, runSuite, type BenchCase, type SuiteReport } from './common.ts';
import { gemmBlocked, gemmNaive, sigmoid, type Gemm } from './kernels.ts';
import { asCase, checkSameStep, type Trainer } from './trainer.ts';
import { expectNoLeak, f32, loadTf, use, type Tf, type TfBackend } from './tfjs.ts';
import { runTorch, timedAgain, torchCase, torchMedian, torchName, torchTrainer, type TorchJob } from './torch.ts';

const IN = 784, H = 128, OUT = 10;
const LR = 0.05;

export const CASES = {
  engine: 'engine (modules, mseLoss, backward, SGD)',
  engine1: 'engine, one thread (setNumThreads(1))',
  compiled: 'engine, the same step through compile()',
  hand: 'hand-written, blocked gemm (floor)',
  naive: 'hand-written, naive i-k-j gemm (reference)',
  gemv: 'hand-written, vector loops (floor)',
  tfCpu: 'tfjs cpu (optimizer.minimize)',
  tfWasm: 'tfjs wasm (optimizer.minimize)',
} as const;

/** The batch: B rows of U[0,1) inputs and one-hot targets of random classes. */
export function mlpData(B: number): { x: Float64Array; y: Float64Array } {
  const rng = new RandomState(7);
  const x = rng.random([B, IN]);
  const y = new Float64Array(B * OUT);
  for (let i = 0; i < B; i++) y[i * OUT + Math.floor(rng.random() * OUT)] = 1;
  return { x, y };
}

/** Parameters in the order W0 [784,128], b0 [128], W1 [128,10], b1 [10]. */
export function engineMlp(B: number, x: Float64Array, y: Float64Array, compiled = false): Trainer {
  const rng = new RandomState(1);
  const l0 = new nn.Linear(IN, H, { init: 'xavier', rng });
  const l1 = new nn.Linear(H, OUT, { init: 'xavier', rng });
  const model = new nn.Sequential(l0, new nn.Sigmoid(), l1, new nn.Sigmoid());
  const opt = new optim.SGD(model.parameters(), { lr: LR });
  const xs = Tensor.from(x, [B, IN]), ys = Tensor.from(y, [B, OUT]);
  const body = (xt: Tensor, yt: Tensor): Tensor => {
    opt.zeroGrad();
    const l = nn.mseLoss(model.call(xt), yt, { reduction: 'sum' }).mul(0.5);
    l.backward();
    opt.step();
    return l;
  };
  const run = compiled ? warm(compile(body), model, xs, ys) : body;
  let loss: Tensor | null = null;
  const step = (): void => { loss = run(xs, ys); };
  return {
    name: compiled ? CASES.compiled : CASES.engine, precision: 'f64', step,
    checkedStep: () => { step(); return loss!.item(); },
    params: () => [l0.weight.data, l0.bias!.data, l1.weight.data, l1.bias!.data],
  };
}

/**
 * Plain loops over preallocated buffers, every product through `gemm`. Gradients are materialised in their own
 * buffers and then applied (as the engine's .grad + optimizer do), not fused into the weights.
 */
export function handMlp(B: number, name: string, note: string | undefined, gemm: Gemm, init: ArrayLike<number>[], x: Float64Array, y: Float64Array): Trainer {
  const [W0, b0, W1, b1] = init.map((p) => Float64Array.from(p));
  const A1 = new Float64Array(B * H), A2 = new Float64Array(B * OUT);
  const D1 = new Float64Array(B * H), D2 = new Float64Array(B * OUT);
  const gW0 = new Float64Array(IN * H), gb0 = new Float64Array(H), gW1 = new Float64Array(H * OUT), gb1 = new Float64Array(OUT);
  const sgd = (w: Float64Array, g: Float64Array): void => { for (let i = 0; i < w.length; i++) w[i] -= LR * g[i]; };
  const colSum = (g: Float64Array, d: Float64Array, n: number): void => {
    g.fill(0);
    for (let i = 0; i < B; i++) for (let j = 0; j < n; j++) g[j] += d[i * n + j];
  };
  const step = (): number => {
    // Forward: A1 = σ(X·W0 + b0), A2 = σ(A1·W1 + b1) (the bias is the accumulator's starting value).
    for (let i = 0; i < B; i++) A1.set(b0, i * H);
    gemm(B, H, IN, x, 0, IN, 1, W0, 0, H, 1, A1, 0);
    for (let i = 0; i < A1.length; i++) A1[i] = sigmoid(A1[i]);
    for (let i = 0; i < B; i++) A2.set(b1, i * OUT);
    gemm(B, OUT, H, A1, 0, H, 1, W1, 0, OUT, 1, A2, 0);
    // Loss and the output delta (F8): D2 = (a − y)·a·(1 − a).
    let loss = 0;
    for (let i = 0; i < A2.length; i++) {
      const a = sigmoid(A2[i]), e = a - y[i];
      A2[i] = a;
      loss += e * e;
      D2[i] = e * a * (1 - a);
    }
    // Hidden delta (F9): D1 = (D2·W1ᵀ)·a·(1 − a).
    D1.fill(0);
    gemm(B, H, OUT, D2, 0, OUT, 1, W1, 0, 1, OUT, D1, 0);
    for (let i = 0; i < D1.length; i++) { const a = A1[i]; D1[i] *= a * (1 - a); }
    // Gradients: gW1 = A1ᵀ·D2, gW0 = Xᵀ·D1, biases the column sums of the deltas.
    gW1.fill(0);
    gemm(H, OUT, B, A1, 0, 1, H, D2, 0, OUT, 1, gW1, 0);
    colSum(gb1, D2, OUT);
    gW0.fill(0);
    gemm(IN, H, B, x, 0, 1, IN, D1, 0, H, 1, gW0, 0);
    colSum(gb0, D1, H);
    sgd(W0, gW0); sgd(b0, gb0); sgd(W1, gW1); sgd(b1, gb1);
    return 0.5 * loss;
  };
  return { name, note, precision: 'f64', step, checkedStep: step, params: () => [W0, b0, W1, b1] };
}

/**
 * Batch 1 as one would write it by hand for one sample: each product a plain vector loop over preallocated
 * buffers (a row of W0 scaled into h, dot products for the hidden delta, an outer product for gW0), gradients
 * materialised in their own buffers and then applied, as in handMlp.
 */
export function gemvMlp(init: ArrayLike<number>[], x: Float64Array, y: Float64Array): Trainer {
  const [W0, b0, W1, b1] = init.map((p) => Float64Array.from(p));
  const a1 = new Float64Array(H), a2 = new Float64Array(OUT), d1 = new Float64Array(H), d2 = new Float64Array(OUT);
  const gW0 = new Float64Array(IN * H), gW1 = new Float64Array(H * OUT);
  const step = (): number => {
    // Forward: a1 = σ(x·W0 + b0), a2 = σ(a1·W1 + b1), adding W's rows scaled by the input (unit stride).
    a1.set(b0);
    for (let k = 0; k < IN; k++) { const xk = x[k]; for (let j = 0; j < H; j++) a1[j] += xk * W0[k * H + j]; }
    for (let j = 0; j < H; j++) a1[j] = sigmoid(a1[j]);
    a2.set(b1);
    for (let k = 0; k < H; k++) { const ak = a1[k]; for (let o = 0; o < OUT; o++) a2[o] += ak * W1[k * OUT + o]; }
    // Loss and the output delta (F8), then the hidden delta (F9): d1 = (W1·d2)·a·(1 − a), a dot product per unit.
    let loss = 0;
    for (let o = 0; o < OUT; o++) {
      const a = sigmoid(a2[o]), e = a - y[o];
      a2[o] = a;
      loss += e * e;
      d2[o] = e * a * (1 - a);
    }
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let o = 0; o < OUT; o++) s += W1[j * OUT + o] * d2[o];
      d1[j] = s * a1[j] * (1 - a1[j]);
    }
    // Gradients (outer products; the biases' are the deltas), then SGD.
    for (let k = 0; k < IN; k++) { const xk = x[k]; for (let j = 0; j < H; j++) gW0[k * H + j] = xk * d1[j]; }
    for (let k = 0; k < H; k++) { const ak = a1[k]; for (let o = 0; o < OUT; o++) gW1[k * OUT + o] = ak * d2[o]; }
    for (let i = 0; i < W0.length; i++) W0[i] -= LR * gW0[i];
    for (let j = 0; j < H; j++) b0[j] -= LR * d1[j];
    for (let i = 0; i < W1.length; i++) W1[i] -= LR * gW1[i];
    for (let o = 0; o < OUT; o++) b1[o] -= LR * d2[o];
    return 0.5 * loss;
  };
  return { name: CASES.gemv, precision: 'f64', step, checkedStep: step, params: () => [W0, b0, W1, b1] };
}

export function tfjsMlp(B: number, tf: Tf, backend: TfBackend, init: ArrayLike<number>[], x: Float64Array, y: Float64Array): Trainer {
  use(tf, backend);
  const xs = tf.tensor2d(f32(x), [B, IN]), ys = tf.tensor2d(f32(y), [B, OUT]);
  const shapes: [number, number][] = [[IN, H], [1, H], [H, OUT], [1, OUT]];
  const [W0, b0, W1, b1] = init.map((p, k) => tf.tidy(() => tf.variable(tf.tensor2d(f32(p), shapes[k]))));
  const vars = [W0, b0, W1, b1];
  const opt = tf.train.sgd(LR);
  const lossFn = (): TF.Scalar => {
    const hidden = tf.sigmoid(tf.matMul(xs, W0).add(b0));
    const pred = tf.sigmoid(tf.matMul(hidden, W1).add(b1));
    return tf.losses.meanSquaredError(ys, pred, undefined, tf.Reduction.SUM).mul(0.5);
  };
  return {
    name: backend === 'cpu' ? CASES.tfCpu : CASES.tfWasm, precision: 'f32',
    step: () => {
      use(tf, backend);
      tf.tidy(() => { opt.minimize(lossFn, false, vars); });
    },
    checkedStep: () => {
      use(tf, backend);
      const cost = tf.tidy(() => opt.minimize(lossFn, true, vars)!);
      const v = cost.dataSync()[0];
      cost.dispose();
      return v;
    },
    params: () => vars.map((v) => v.dataSync()),
  };
}

/** The same step in PyTorch, from the same weights. */
function torchJob(init: Float64Array[], x: Float64Array, y: Float64Array): TorchJob {
  const [W0, b0, W1, b1] = init;
  return { kind: 'training_step', sizes: [IN, H, OUT], weights: [W0, W1], biases: [b0, b1], x, y, lr: LR };
}
const torchStep = (): string => torchName('(nn, mse_loss, backward, optim.SGD)');

export async function run(): Promise<SuiteReport> {
  const B = 64;
  console.log(`\nmlp-step: one training step of a 784-128-10 sigmoid MLP, batch ${B}, ½Σ(y − ŷ)², SGD lr 0.05`);
  const { x, y } = mlpData(B);
  const engine = engineMlp(B, x, y), compiled = engineMlp(B, x, y, true);
  const init = engine.params().map((p) => Float64Array.from(p));
  const hand = handMlp(B, CASES.hand, undefined, gemmBlocked, init, x, y);
  const naive = handMlp(B, CASES.naive, 'reference', gemmNaive, init, x, y);
  const torch = runTorch([torchJob(init, x, y)])?.[0] ?? null;
  checkSameStep(hand, [engine, compiled, naive, ...(torch ? [torchTrainer(torchStep(), init, torch)] : [])], F64_TOL, F32_TOL);
  const tfjsCases = async (): Promise<BenchCase[]> => {
    const tf = await loadTf();
    const tfCpu = tfjsMlp(B, tf, 'cpu', init, x, y), tfWasm = tfjsMlp(B, tf, 'wasm', init, x, y);
    checkSameStep(handMlp(B, CASES.hand, undefined, gemmBlocked, init, x, y), [tfCpu, tfWasm], F64_TOL, F32_TOL);
    for (const t of [tfCpu, tfWasm]) expectNoLeak(tf, t.name, t.step);
    return [tfCpu, tfWasm].map(asCase);
  };

  // The same step with products kept on this thread: what the helper thread buys (the engine's default uses it).
  const oneThread = { ...asCase(engineMlp(B, x, y)), name: CASES.engine1, threads: 1 as const };
  const cases = await runSuite('mlp-step', [...[engine, compiled].map(asCase), oneThread, ...[hand, naive].map(asCase)], tfjsCases);
  if (torch) cases.push(torchCase(torchStep(), torch));
  const e = caseNamed(cases, CASES.engine).median, h = caseNamed(cases, CASES.hand).median;
  const vsWasm = caseNamed(cases, CASES.tfWasm).median / e, vsCpu = caseNamed(cases, CASES.tfCpu).median / e;
  const twoThreads = caseNamed(cases, CASES.engine1).median / e;
  return {
    suite: 'mlp-step',
    description: `one training step of a 784-128-10 MLP (sigmoid hidden and output, biases), batch ${B}, ½Σ(y − ŷ)², SGD lr 0.05`,
    cases,
    metrics: [
      { name: 'engine ÷ blocked floor', value: e / h, unit: '×', target: '≤ 0.35×', met: e / h <= 0.35 },
      { name: 'one thread ÷ both cores (the speedup of two threads)', value: twoThreads, unit: '×', target: '≥ 1.5×', met: twoThreads >= 1.5 },
      { name: 'compiled ÷ eager', value: caseNamed(cases, CASES.compiled).median / e, unit: '×', target: '≤ 1× (no slower)', met: caseNamed(cases, CASES.compiled).median <= e },
      { name: 'tfjs wasm ÷ engine (engine speedup)', value: vsWasm, unit: '×', target: '> 1× (engine faster)', met: vsWasm > 1 },
      { name: 'tfjs cpu ÷ engine (engine speedup)', value: vsCpu, unit: '×' },
      { name: 'naive i-k-j ÷ blocked floor', value: caseNamed(cases, CASES.naive).median / h, unit: '×' },
      ...(torch ? [{ name: 'engine ÷ PyTorch, time', value: e / torchMedian(torch), unit: '×' }] : []),
    ],
  };
}

export async function runBatch1(): Promise<SuiteReport> {
  console.log('\nmlp-step-1: the same step with a batch of one sample (vector products)');
  const { x, y } = mlpData(1);
  const engine = engineMlp(1, x, y);
  const init = engine.params().map((p) => Float64Array.from(p));
  const gemv = gemvMlp(init, x, y);
  const naive = handMlp(1, CASES.naive, 'reference', gemmNaive, init, x, y);
  const job = torchJob(init, x, y), first = runTorch([job])?.[0] ?? null;
  checkSameStep(gemv, [engine, naive, ...(first ? [torchTrainer(torchStep(), init, first)] : [])], F64_TOL, F32_TOL);

  const cases = await runSuite('mlp-step-1', [engine, gemv, naive].map(asCase));
  const torch = first && timedAgain(first, job); // on both sides of the engine's cases
  if (torch) cases.push(torchCase(torchStep(), torch));
  const e = caseNamed(cases, CASES.engine).median, g = caseNamed(cases, CASES.gemv).median;
  return {
    suite: 'mlp-step-1',
    description: 'one training step of the 784-128-10 MLP with a batch of 1, ½Σ(y − ŷ)², SGD lr 0.05',
    cases,
    metrics: [
      { name: 'engine ÷ vector-loop floor', value: e / g, unit: '×', target: '≤ 1.5×', met: e / g <= 1.5 },
      ...(torch ? [{ name: 'engine ÷ PyTorch, time', value: e / torchMedian(torch), unit: '×', target: '< 1× (faster)', met: e < torchMedian(torch) }] : []),
    ],
  };
}

// xor-step: one training step of the documents' 3-4-1 XOR network (F10): forward, ½Σ(y − ŷ)², backward,
// SGD with learning rate 1; no biases (X's third column is the bias input).
import type * as TF from '@tensorflow/tfjs';
import { compile, tensor, nn, optim, profile, RandomState, type Tensor } from './engine.ts';
import { caseNamed, F32_TOL, F64_TOL, runSuite, type BenchCase, type SuiteReport } from './common.ts';
import { sigmoid } from './kernels.ts';
import { asCase, checkSameStep, type Trainer } from './trainer.ts';
import { expectNoLeak, f32, loadTf, use, type Tf, type TfBackend } from './tfjs.ts';
import { runTorch, torchCase, torchMedian, torchName, torchTrainer } from './torch.ts';

const X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]];
const Y = [[0], [1], [1], [0]];
const LR = 1;

export const CASES = {
  engine: 'engine (modules, mseLoss, backward, SGD)',
  plain: 'engine, the loss in plain ops: y.sub(p).pow(2).sum().mul(0.5)',
  profiled: 'engine, the same step inside profile()',
  compiled: 'engine, the same step through compile()',
  hand: 'hand-written delta rule (floor)',
  tfCpu: 'tfjs cpu (optimizer.minimize)',
  tfWasm: 'tfjs wasm (optimizer.minimize)',
} as const;

/**
 * The engine as a user writes it. Weights drawn as the documents' np.random.seed(1); 2·random − 1. Compiled: the
 * same step through compile(), run until it replays and then put back to the initial weights. Plain: the loss
 * written with elementwise ops and a sum instead of mseLoss.
 */
export function engineXor(compiled = false, plain = false): Trainer {
  const rng = new RandomState(1);
  const l0 = new nn.Linear(3, 4, { bias: false, rng });
  const l1 = new nn.Linear(4, 1, { bias: false, rng });
  const model = new nn.Sequential(l0, new nn.Sigmoid(), l1, new nn.Sigmoid());
  const opt = new optim.SGD(model.parameters(), { lr: LR });
  const x = tensor(X), y = tensor(Y);
  const body = (xs: Tensor, ys: Tensor): Tensor => {
    opt.zeroGrad();
    const p = model.call(xs);
    const l = plain ? ys.sub(p).pow(2).sum().mul(0.5) : nn.mseLoss(p, ys, { reduction: 'sum' }).mul(0.5);
    l.backward();
    opt.step();
    return l;
  };
  const run = compiled ? warm(compile(body), model, x, y) : body;
  let loss: Tensor | null = null;
  const step = (): void => { loss = run(x, y); };
  return {
    name: compiled ? CASES.compiled : plain ? CASES.plain : CASES.engine, precision: 'f64', step,
    checkedStep: () => { step(); return loss!.item(); },
    params: () => [l0.weight.data, l1.weight.data],
  };
}

/** A compiled step called until it replays, with the model's weights then put back as they were. */
export function warm<S extends (x: Tensor, y: Tensor) => Tensor>(step: S, model: nn.AnyModule, x: Tensor, y: Tensor): S {
  const initial = model.stateDict();
  for (let i = 0; i < 3; i++) step(x, y);
  model.loadStateDict(initial);
  return step;
}

/** The documents' program in plain loops over preallocated Float64Arrays (gradient-descent signs). */
export function handXor(w0: ArrayLike<number>, w1: ArrayLike<number>): Trainer {
  const x = Float64Array.from(X.flat()), y = Float64Array.from(Y.flat());
  const W0 = Float64Array.from(w0), W1 = Float64Array.from(w1); // 3×4, 4×1
  const l1 = new Float64Array(16), l2 = new Float64Array(4), d2 = new Float64Array(4), d1 = new Float64Array(16);
  const step = (): number => {
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        l1[i * 4 + j] = sigmoid(x[i * 3] * W0[j] + x[i * 3 + 1] * W0[4 + j] + x[i * 3 + 2] * W0[8 + j]);
      }
      l2[i] = sigmoid(l1[i * 4] * W1[0] + l1[i * 4 + 1] * W1[1] + l1[i * 4 + 2] * W1[2] + l1[i * 4 + 3] * W1[3]);
    }
    let loss = 0;
    for (let i = 0; i < 4; i++) {
      const e = l2[i] - y[i];
      loss += e * e;
      d2[i] = e * l2[i] * (1 - l2[i]); // F8: (a − y)·a·(1 − a)
      for (let j = 0; j < 4; j++) { const a = l1[i * 4 + j]; d1[i * 4 + j] = d2[i] * W1[j] * a * (1 - a); } // F9
    }
    for (let j = 0; j < 4; j++) W1[j] -= LR * (l1[j] * d2[0] + l1[4 + j] * d2[1] + l1[8 + j] * d2[2] + l1[12 + j] * d2[3]);
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < 4; j++) {
        W0[k * 4 + j] -= LR * (x[k] * d1[j] + x[3 + k] * d1[4 + j] + x[6 + k] * d1[8 + j] + x[9 + k] * d1[12 + j]);
      }
    }
    return 0.5 * loss;
  };
  return { name: CASES.hand, precision: 'f64', step, checkedStep: step, params: () => [W0, W1] };
}

/** TensorFlow.js (float32) with variables, its own loss and SGD optimizer; every step inside tf.tidy. */
export function tfjsXor(tf: Tf, backend: TfBackend, w0: ArrayLike<number>, w1: ArrayLike<number>): Trainer {
  use(tf, backend);
  const x = tf.tensor2d(f32(X.flat()), [4, 3]), y = tf.tensor2d(f32(Y.flat()), [4, 1]);
  const W0 = tf.tidy(() => tf.variable(tf.tensor2d(f32(w0), [3, 4])));
  const W1 = tf.tidy(() => tf.variable(tf.tensor2d(f32(w1), [4, 1])));
  const opt = tf.train.sgd(LR);
  const lossFn = (): TF.Scalar => {
    const pred = tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(x, W0)), W1));
    return tf.losses.meanSquaredError(y, pred, undefined, tf.Reduction.SUM).mul(0.5);
  };
  const t: Trainer = {
    name: backend === 'cpu' ? CASES.tfCpu : CASES.tfWasm, precision: 'f32',
    step: () => {
      use(tf, backend);
      tf.tidy(() => { opt.minimize(lossFn, false, [W0, W1]); });
    },
    checkedStep: () => {
      use(tf, backend);
      const cost = tf.tidy(() => opt.minimize(lossFn, true, [W0, W1])!);
      const v = cost.dataSync()[0];
      cost.dispose();
      return v;
    },
    params: () => [W0.dataSync(), W1.dataSync()],
  };
  return t;
}

export async function run(): Promise<SuiteReport> {
  console.log('\nxor-step: one training step of the documents\' 3-4-1 XOR network (½Σ(y − ŷ)², SGD lr 1)');
  const engine = engineXor(), compiled = engineXor(true), plain = engineXor(false, true);
  const [w0, w1] = engine.params().map((p) => Float64Array.from(p));
  const hand = handXor(w0, w1);
  const torch = runTorch([{ kind: 'training_step', sizes: [3, 4, 1], weights: [w0, w1], biases: null, x: X.flat(), y: Y.flat(), lr: LR }]);
  const torchXor = torchName('(nn, mse_loss, backward, optim.SGD)');
  checkSameStep(hand, [engine, plain, compiled, ...(torch ? [torchTrainer(torchXor, [w0, w1], torch[0])] : [])], F64_TOL, F32_TOL);
  const tfjsCases = async (): Promise<BenchCase[]> => {
    const tf = await loadTf();
    const tfCpu = tfjsXor(tf, 'cpu', w0, w1), tfWasm = tfjsXor(tf, 'wasm', w0, w1);
    checkSameStep(handXor(w0, w1), [tfCpu, tfWasm], F64_TOL, F32_TOL);
    for (const t of [tfCpu, tfWasm]) expectNoLeak(tf, t.name, t.step);
    return [tfCpu, tfWasm].map(asCase);
  };

  const profiledEngine = engineXor();
  const profiled = { name: CASES.profiled, fn: (): void => { profile(profiledEngine.step); } };
  const cases = await runSuite('xor-step', [...[engine, plain, compiled, hand].map(asCase), profiled], tfjsCases);
  if (torch) cases.push(torchCase(torchXor, torch[0]));
  const e = caseNamed(cases, CASES.engine).median;
  const ratio = (name: string): number => caseNamed(cases, name).median / e;
  const floor = e / caseNamed(cases, CASES.hand).median, pFloor = caseNamed(cases, CASES.plain).median / caseNamed(cases, CASES.hand).median, cFloor = caseNamed(cases, CASES.compiled).median / caseNamed(cases, CASES.hand).median;
  return {
    suite: 'xor-step',
    description: "one training step of the documents' 3-4-1 XOR network (F10): forward, ½Σ(y − ŷ)², backward, SGD lr 1",
    cases,
    metrics: [
      { name: 'engine ÷ hand floor', value: floor, unit: '×', target: '≤ 4×', met: floor <= 4 },
      { name: 'engine, plain-ops loss ÷ hand floor', value: pFloor, unit: '×', target: '≤ 4×', met: pFloor <= 4 },
      { name: 'compiled ÷ hand floor', value: cFloor, unit: '×', target: '≤ 1.5×', met: cFloor <= 1.5 },
      { name: 'profiled ÷ engine', value: ratio(CASES.profiled), unit: '×', target: '≤ 3×', met: ratio(CASES.profiled) <= 3 },
      { name: 'tfjs cpu ÷ engine (engine speedup)', value: ratio(CASES.tfCpu), unit: '×', target: '> 30×', met: ratio(CASES.tfCpu) > 30 },
      { name: 'tfjs wasm ÷ engine (engine speedup)', value: ratio(CASES.tfWasm), unit: '×', target: '> 30×', met: ratio(CASES.tfWasm) > 30 },
      ...(torch ? [{ name: 'engine ÷ PyTorch, time', value: e / torchMedian(torch[0]), unit: '×' }] : []),
    ],
  };
}

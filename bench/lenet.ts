// lenet: one training step of a LeNet-style network (issue 19): conv(1→6, 5)-relu-maxpool 2-conv(6→16, 5)-relu-
// maxpool 2-flatten-linear(256→120)-relu-linear(120→84)-relu-linear(84→10), cross-entropy (mean over the batch),
// SGD lr 0.05; a batch of 32 inputs 1×28×28 of U[0, 1) (like MNIST pixels) with random labels. Cases: the engine as
// a user writes it, the same step through compile(), and PyTorch (float64, one thread) as the peer, from the same
// weights.
import { compile, nn, optim, RandomState, Tensor, tensor } from './engine.ts';
import { warm } from './xor-step.ts';
import { caseNamed, F32_TOL, F64_TOL, runSuite, type SuiteReport } from './common.ts';
import { asCase, checkSameStep, type Trainer } from './trainer.ts';
import { runTorch, timedAgain, torchCase, torchMedian, torchName, torchTrainer, type TorchJob } from './torch.ts';

const B = 32, LR = 0.05;

export const CASES = {
  engine: 'engine (modules, crossEntropyLoss, backward, SGD)',
  compiled: 'engine, the same step through compile()',
} as const;

/** The batch: B inputs of U[0, 1) and a label in 0…9 for each. */
export function lenetData(): { x: Float64Array; y: number[] } {
  const rng = new RandomState(7);
  const x = rng.random([B, 1, 28, 28]);
  return { x, y: Array.from({ length: B }, () => Math.floor(rng.random() * 10)) };
}

/** The network as a user writes it; parameters in the order conv1 (weight, bias), conv2, fc1, fc2, fc3. */
export function engineLenet(x: Float64Array, y: number[], compiled = false): Trainer {
  const rng = new RandomState(1);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { rng }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5, { rng }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
    new nn.Linear(256, 120, { init: 'he', rng }), new nn.ReLU(), new nn.Linear(120, 84, { init: 'he', rng }), new nn.ReLU(),
    new nn.Linear(84, 10, { init: 'xavier', rng }));
  const opt = new optim.SGD(model.parameters(), { lr: LR });
  const xs = Tensor.from(x, [B, 1, 28, 28]), ys = tensor(y);
  const body = (xt: Tensor, yt: Tensor): Tensor => {
    opt.zeroGrad();
    const l = nn.crossEntropyLoss(model.call(xt), yt);
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
    params: () => model.parameters().map((p) => p.data),
  };
}

const torchStep = (): string => torchName('(nn.Conv2d, MaxPool2d, cross_entropy, backward, optim.SGD)');

export async function run(): Promise<SuiteReport> {
  console.log(`\nlenet: one training step of LeNet (conv 1→6→16, max pools, 256-120-84-10), batch ${B} of 1×28×28, cross-entropy, SGD lr ${LR}`);
  const { x, y } = lenetData();
  const engine = engineLenet(x, y), compiled = engineLenet(x, y, true);
  const init = engine.params().map((p) => Float64Array.from(p));
  const job: TorchJob = { kind: 'lenet', params: init, x, y, lr: LR }, first = runTorch([job])?.[0] ?? null;
  checkSameStep(engine, [compiled, ...(first ? [torchTrainer(torchStep(), init, first)] : [])], F64_TOL, F32_TOL);

  const cases = await runSuite('lenet', [engine, compiled].map(asCase));
  const torch = first && timedAgain(first, job); // on both sides of the engine's cases
  if (torch) cases.push(torchCase(torchStep(), torch));
  const e = caseNamed(cases, CASES.engine).median, c = caseNamed(cases, CASES.compiled).median;
  return {
    suite: 'lenet',
    description: `one training step of LeNet (conv(1→6, 5), relu, maxpool 2, conv(6→16, 5), relu, maxpool 2, 256-120-84-10), batch ${B}, cross-entropy, SGD lr ${LR}`,
    cases,
    metrics: [
      ...(torch ? [{ name: 'engine ÷ PyTorch, time', value: e / torchMedian(torch), unit: '×', target: '≤ 1× (no slower)', met: e <= torchMedian(torch) }] : []),
      { name: 'compiled ÷ eager', value: c / e, unit: '×' },
    ],
  };
}

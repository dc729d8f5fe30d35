// lstm: one training step of an LSTM over a sequence: nn.LSTM(32, 64), 32 steps of a batch of 16, the mean squared
// error of every step's output against a target, backward, SGD lr 0.1. Inputs and targets are standard normal,
// the weights PyTorch's initialisation (U(−1/8, 1/8)) from a seeded generator; the same for all cases. The peer is
// PyTorch's nn.LSTM (float64, one thread), from the same weights.
import { compile, nn, optim, RandomState, Tensor } from './engine.ts';
import { warm } from './xor-step.ts';
import { caseNamed, F32_TOL, F64_TOL, runSuite, type SuiteReport } from './common.ts';
import { asCase, checkSameStep, type Trainer } from './trainer.ts';
import { runTorch, timedAgain, torchCase, torchMedian, torchName, torchTrainer, type TorchJob } from './torch.ts';

const IN = 32, H = 64, L = 32, N = 16;
const LR = 0.1;

export const CASES = {
  engine: 'engine (nn.LSTM, mseLoss, backward, SGD)',
  compiled: 'engine, the same step through compile()',
} as const;

/** The batch: inputs [L, N, IN] and targets [L, N, H], standard normal. */
export function lstmData(): { x: Float64Array; y: Float64Array } {
  const rng = new RandomState(7);
  return { x: Float64Array.from({ length: L * N * IN }, () => rng.normal()), y: Float64Array.from({ length: L * N * H }, () => rng.normal()) };
}

/** The engine's step; parameters in PyTorch's order: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0. */
export function engineLstm(compiled = false): Trainer {
  const { x, y } = lstmData();
  const model = new nn.LSTM(IN, H, { rng: new RandomState(1) });
  const opt = new optim.SGD(model.parameters(), { lr: LR });
  const xs = Tensor.from(x, [L, N, IN]), ys = Tensor.from(y, [L, N, H]);
  const body = (xt: Tensor, yt: Tensor): Tensor => {
    opt.zeroGrad();
    const l = nn.mseLoss(model.call(xt)[0], yt);
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

/** The same step in PyTorch, from the same weights. */
function torchJob(init: Float64Array[]): TorchJob {
  const { x, y } = lstmData();
  return { kind: 'lstm_step', sizes: [IN, H, L, N], params: init, x, y, lr: LR };
}
const torchStep = (): string => torchName('(nn.LSTM, mse_loss, backward, optim.SGD)');

export async function run(): Promise<SuiteReport> {
  console.log(`\nlstm: one training step of nn.LSTM(${IN}, ${H}) over ${L} steps of a batch of ${N}, mean squared error of every output, SGD lr ${LR}`);
  const engine = engineLstm(), compiled = engineLstm(true);
  const init = engine.params().map((p) => Float64Array.from(p));
  const job = torchJob(init), first = runTorch([job])?.[0] ?? null;
  checkSameStep(engine, [compiled, ...(first ? [torchTrainer(torchStep(), init, first)] : [])], F64_TOL, F32_TOL);

  const cases = await runSuite('lstm', [engine, compiled].map(asCase));
  const torch = first && timedAgain(first, job); // on both sides of the engine's cases
  if (torch) cases.push(torchCase(torchStep(), torch));
  const e = caseNamed(cases, CASES.engine).median;
  return {
    suite: 'lstm',
    description: `one training step of nn.LSTM(${IN}, ${H}), ${L} steps × batch ${N}, mean squared error of every output, SGD lr ${LR}`,
    cases,
    metrics: [
      { name: 'compiled ÷ eager', value: caseNamed(cases, CASES.compiled).median / e, unit: '×' },
      ...(torch ? [{ name: 'engine ÷ PyTorch, time', value: e / torchMedian(torch), unit: '×', target: '≤ 1× (no slower)', met: e <= torchMedian(torch) }] : []),
    ],
  };
}

// The documents' XOR network on the engine, and its training loop.
import { nn, noGrad, optim, RandomState, tensor, type Tensor } from '../../src/index.ts';
import type { LossName, Options } from './options.ts';

export const X = tensor([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]); // third column: the bias input
export const Y = tensor([[0], [1], [1], [0]]);

/** Linear(3, H) → Sigmoid → Linear(H, 1) → Sigmoid, no separate biases (the ones column is the bias). */
export function buildNet(hidden: number, init: Options['init']): nn.Sequential {
  const rng = new RandomState(init.seed);
  const net = new nn.Sequential(
    new nn.Linear(3, hidden, { bias: false, rng }), new nn.Sigmoid(),
    new nn.Linear(hidden, 1, { bias: false, rng }), new nn.Sigmoid());
  if (init.kind === 'numpy') {
    // np.random.seed(N); syn0 = 2*np.random.random((3,H)) - 1; syn1 = 2*np.random.random((H,1)) - 1
    const np = new RandomState(init.seed);
    const draw = (shape: [number, number]) => ({ shape, data: Array.from(np.random(shape), (u) => 2 * u - 1) });
    net.loadStateDict({ '0.weight': draw([3, hidden]), '2.weight': draw([hidden, 1]) });
  }
  return net;
}

/** Run the net keeping the output pre-activation z(L), so that δ(L) = ∂loss/∂z(L) can be read. */
export function forward(net: nn.Sequential, x: Tensor): { z: Tensor; a: Tensor } {
  let h = x;
  for (let i = 0; i < net.length - 1; i++) h = net[i].forward(h);
  return { z: h, a: net[net.length - 1].forward(h) };
}

export const LOSS_TEXT: Record<LossName, string> = {
  mse: '½Σ(y − ŷ)²',
  bce: '−Σ[y log ŷ + (1 − y) log(1 − ŷ)]',
};

export function lossOf(loss: LossName, a: Tensor, y: Tensor): Tensor {
  return loss === 'mse' ? nn.mseLoss(a, y, { reduction: 'sum' }).mul(0.5) : nn.bceLoss(a, y, { reduction: 'sum' });
}

/** δ(L) by the documents' hand formulas: a − y under log loss (F7), (a − y)·a·(1 − a) under squared error (F8). */
export const handDelta = (loss: LossName, a: number, y: number): number => (loss === 'bce' ? a - y : (a - y) * a * (1 - a));

export const withinTenth = (pred: ArrayLike<number>): boolean => Array.from(Y.data).every((t, i) => Math.abs(pred[i] - t) < 0.1);

export interface Run {
  loss: LossName;
  /** lossAt[s]: the loss before update s + 1 (lossAt[steps] is the final loss). */
  lossAt: Float64Array;
  /** Updates made before every prediction was first within 0.1 of its target; null if never. */
  converged: number | null;
  predictions: number[];
  usPerStep: number;
  /** First-step δ(L) from autograd, and the output activations it was computed at. */
  firstDelta: { a: number[]; delta: number[] } | null;
}

/** Gradient descent on the chosen loss; `progress` is called about ten times. */
export function train(net: nn.Sequential, loss: LossName, steps: number, lr: number,
  progress: (step: number, value: number) => void = () => {}): Run {
  const opt = new optim.SGD(net.parameters(), { lr });
  const lossAt = new Float64Array(steps + 1);
  const every = Math.max(1, Math.round(steps / 10));
  let converged: number | null = null, firstDelta: Run['firstDelta'] = null;
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    const { z, a } = forward(net, X);
    if (converged === null && withinTenth(a.data)) converged = step;
    if (step === 0) z.retainGrad();
    opt.zeroGrad();
    const L = lossOf(loss, a, Y);
    L.backward();
    if (step === 0) firstDelta = { a: Array.from(a.data), delta: Array.from(z.grad!.data) };
    opt.step();
    lossAt[step] = L.item();
    if (step % every === 0) progress(step, lossAt[step]);
  }
  const usPerStep = steps > 0 ? ((performance.now() - t0) * 1000) / steps : 0;
  const a = noGrad(() => forward(net, X).a);
  if (converged === null && withinTenth(a.data)) converged = steps;
  lossAt[steps] = noGrad(() => lossOf(loss, a, Y).item());
  progress(steps, lossAt[steps]);
  return { loss, lossAt, converged, predictions: Array.from(a.data), usPerStep, firstDelta };
}

/** A second-order method as the example drives it: a step on the loss, and whether it moved the weights. */
interface SecondOrder { step(loss: () => Tensor): void; moved(): boolean }

/** Damped Newton (optim.DampedNewton: the exact Hessian of the loss over all the weights, Levenberg–Marquardt damping). */
function dampedNewton(net: nn.Sequential): SecondOrder {
  const opt = new optim.DampedNewton(net.parameters());
  return { step: (loss) => void opt.step(loss), moved: () => opt.lastStepTaken };
}

/** L-BFGS (optim.LBFGS with the strong Wolfe line search), one iteration per step. */
function lbfgs(net: nn.Sequential): SecondOrder {
  const opt = new optim.LBFGS(net.parameters(), { lineSearchFn: 'strong_wolfe', maxIter: 1 });
  let before = 0;
  return {
    step: (loss) => {
      before = opt.nIter;
      opt.step(() => { opt.zeroGrad(); const l = loss(); l.backward(); return l; });
    },
    moved: () => opt.nIter > before, // no iteration: the gradient or the change is below its tolerance
  };
}

export type SecondOrderName = 'newton' | 'lbfgs';

/** A second-order method for up to `steps` steps, stopping early when it no longer moves (a minimum or a saddle). */
export function trainSecondOrder(net: nn.Sequential, loss: LossName, method: SecondOrderName, steps: number,
  progress: (step: number, value: number) => void = () => {}): Run & { stuck: boolean } {
  const opt = method === 'newton' ? dampedNewton(net) : lbfgs(net);
  const lossAt: number[] = [];
  let converged: number | null = null, stuck = false;
  const t0 = performance.now();
  for (let step = 0; step < steps && !stuck; step++) {
    const a = noGrad(() => forward(net, X).a);
    if (converged === null && withinTenth(a.data)) converged = step;
    lossAt.push(noGrad(() => lossOf(loss, a, Y).item()));
    progress(step, lossAt[step]);
    opt.step(() => lossOf(loss, forward(net, X).a, Y));
    stuck = !opt.moved();
  }
  const usPerStep = lossAt.length > 0 ? ((performance.now() - t0) * 1000) / lossAt.length : 0;
  const a = noGrad(() => forward(net, X).a);
  if (converged === null && withinTenth(a.data)) converged = lossAt.length;
  lossAt.push(noGrad(() => lossOf(loss, a, Y).item()));
  return { loss, lossAt: Float64Array.from(lossAt), converged, predictions: Array.from(a.data), usPerStep, firstDelta: null, stuck };
}

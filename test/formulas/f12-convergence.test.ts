// F12 (document 000): ŷ(1 − ŷ) < 1, so the squared-error gradient is smaller than the log-loss gradient and
// gradient descent with it converges more slowly. A claim, so measured: the documents' XOR network, both
// losses from the same initial weights, steps until every prediction is within 0.1 of its target.
import { describe, expect, it } from 'vitest';
import { nn, optim, tensor, type Tensor } from '../../src/index.ts';
import { X, flat, numpyInit, numpyStep, y, type Mat } from './helpers.ts';

type Loss = 'squared' | 'log';
const CAP = 20000;
const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const Xt = tensor(X), yt = tensor(y);

/** The network of document 001 on the engine, starting from numpy's syn0/syn1 for `seed`. */
function model(seed: number) {
  const { syn0, syn1 } = numpyInit(seed);
  const hidden = new nn.Linear(3, 4, { bias: false }), out = new nn.Linear(4, 1, { bias: false });
  hidden.weight.data.set(flat(syn0));
  out.weight.data.set(flat(syn1));
  return { hidden, out, params: [hidden.weight, out.weight] };
}

const lossOf = (a: Tensor, loss: Loss): Tensor =>
  loss === 'squared' ? nn.mseLoss(a, yt, { reduction: 'sum' }).mul(0.5) : nn.bceLoss(a, yt, { reduction: 'sum' });
const converged = (pred: ArrayLike<number>): boolean => y.every(([t], i) => Math.abs(pred[i] - t) < 0.1);

/** Gradient-descent steps (lr 1) until every prediction is within 0.1 of its target; CAP + 1 if never. */
function engineSteps(seed: number, loss: Loss): number {
  const { hidden, out, params } = model(seed);
  const opt = new optim.SGD(params, { lr: 1 });
  for (let step = 0; step <= CAP; step++) {
    const a = out.forward(hidden.forward(Xt).sigmoid()).sigmoid();
    if (converged(a.data)) return step;
    opt.zeroGrad();
    lossOf(a, loss).backward();
    opt.step();
  }
  return CAP + 1;
}

/** The same count with the documents' numpy loop in plain TypeScript. */
function loopSteps(seed: number, marked: Loss): number {
  let { syn0, syn1 }: { syn0: Mat; syn1: Mat } = numpyInit(seed);
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  for (let step = 0; step <= CAP; step++) {
    const l2 = X.map((x) => sig(syn0[0].reduce((s, _, j) => s + sig(x.reduce((t, xp, p) => t + xp * syn0[p][j], 0)) * syn1[j][0], 0)));
    if (converged(l2)) return step;
    ({ syn0, syn1 } = numpyStep(syn0, syn1, marked));
  }
  return CAP + 1;
}

describe('F12: log loss converges faster than squared error (document 000)', () => {
  it('F12: ŷ(1 − ŷ) ≤ ¼ < 1, so per example |δ(L)| under squared error is at most ¼ of |δ(L)| under log loss', () => {
    for (const seed of SEEDS) {
      const deltas = (['squared', 'log'] as const).map((loss) => {
        const { hidden, out } = model(seed);
        const z = out.forward(hidden.forward(Xt).sigmoid()).retainGrad();
        lossOf(z.sigmoid(), loss).backward();
        return Array.from(z.grad!.data);
      });
      deltas[0].forEach((d, i) => expect(Math.abs(d)).toBeLessThanOrEqual(0.25 * Math.abs(deltas[1][i])));
    }
  });

  it(`F12: from the same initial weights, log loss gets every XOR prediction within 0.1 in fewer steps (seeds 0–9, cap ${CAP})`, () => {
    const rows = SEEDS.map((seed) => ({ seed, squared: engineSteps(seed, 'squared'), log: engineSteps(seed, 'log') }));
    console.log('F12 steps to within 0.1 (engine, lr 1):\n' +
      rows.map((r) => `  seed ${r.seed}: squared error ${r.squared}, log loss ${r.log} (×${(r.squared / r.log).toFixed(2)})`).join('\n'));
    const faster = rows.filter((r) => r.log < r.squared).length;
    expect(faster).toBeGreaterThanOrEqual(9);
    expect(rows.every((r) => r.log <= CAP)).toBe(true);

    // The plain-loop delta rule counts exactly the same steps.
    for (const r of rows) {
      expect(loopSteps(r.seed, 'squared'), `seed ${r.seed}, squared`).toBe(r.squared);
      expect(loopSteps(r.seed, 'log'), `seed ${r.seed}, log`).toBe(r.log);
    }
  });
});

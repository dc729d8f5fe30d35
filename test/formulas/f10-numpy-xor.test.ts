// F10 (document 001): the numpy XOR program, transliterated to plain TypeScript loops, against the engine's
// training (nn.Sequential of bias-free nn.Linear and sigmoids, autograd, optim.SGD with lr 1), step by step.
import { describe, expect, it } from 'vitest';
import { nn, optim, RandomState, tensor, type Tensor } from '../../src/index.ts';
import { expectClose } from '../expect-close.ts';
import { X, flat, numpyInit, numpyStep, y, type Mat } from './helpers.ts';

type Loss = 'squared' | 'bce' | 'bceWithLogits';

/** The engine's version: hidden = Linear + Sigmoid, head = Linear; the output sigmoid is applied or folded into the loss. */
function engineRun(init: { syn0: Mat; syn1: Mat }, loss: Loss) {
  const rng = new RandomState(0); // overwritten below by the documents' weights
  const hidden = new nn.Sequential(new nn.Linear(3, 4, { bias: false, rng }), new nn.Sigmoid());
  const head = new nn.Linear(4, 1, { bias: false, rng });
  const model = new nn.Sequential(hidden, head, new nn.Sigmoid());
  model.loadStateDict({
    '0.0.weight': { shape: [3, 4], data: flat(init.syn0) },
    '1.weight': { shape: [4, 1], data: flat(init.syn1) },
  });
  const Xt = tensor(X), yt = tensor(y);
  const opt = new optim.SGD(model.parameters(), { lr: 1 });
  const lossOf = (): Tensor => {
    const z = head.forward(hidden.forward(Xt));
    if (loss === 'bceWithLogits') return nn.bceWithLogitsLoss(z, yt, { reduction: 'sum' });
    const a = z.sigmoid();
    return loss === 'bce' ? nn.bceLoss(a, yt, { reduction: 'sum' }) : nn.mseLoss(a, yt, { reduction: 'sum' }).mul(0.5);
  };
  return {
    step(): void {
      opt.zeroGrad();
      lossOf().backward();
      opt.step();
    },
    weights: (): [Float64Array, Float64Array] => [(hidden[0] as nn.Linear).weight.data, head.weight.data],
  };
}

/** Largest |engine − loop| / max(|loop|, 1): relative error, absolute for weights below 1 in size. */
function worst(got: Float64Array, want: Mat): number {
  return flat(want).reduce((w, e, i) => Math.max(w, Math.abs(got[i] - e) / Math.max(Math.abs(e), 1)), 0);
}

const STEPS = 1000;

describe('F10: the numpy XOR program is gradient descent with lr 1 (document 001)', () => {
  it('F10: new nn.Linear(…, { bias: false, rng }) draws the weights in numpy\'s order: syn0 then syn1', () => {
    for (const seed of [0, 1, 2]) {
      const rng = new RandomState(seed);
      const model = new nn.Sequential(
        new nn.Linear(3, 4, { bias: false, rng }), new nn.Sigmoid(),
        new nn.Linear(4, 1, { bias: false, rng }), new nn.Sigmoid());
      const { syn0, syn1 } = numpyInit(seed);
      expect(Array.from((model[0] as nn.Linear).weight.data), `seed ${seed}: syn0`).toEqual(flat(syn0));
      expect(Array.from((model[2] as nn.Linear).weight.data), `seed ${seed}: syn1`).toEqual(flat(syn1));
    }
  });

  it('F10: the transliterated loop reproduces numpy\'s own weights after 1000 steps (seed 1)', () => {
    // Printed by NumPy 2.4.6 running the document's loop (both variants of the marked line) for 1000 steps
    // after np.random.seed(1); repr() round-trips exactly.
    const want = {
      squared: {
        syn0: [[2.90150978335254, 2.9627316341827683, -5.616015754203465, -3.460665112460048], [-0.7478106070342654, -4.950360621808762, -5.917293252409388, -2.193834615680454], [-0.035955532100030226, -1.4108653712525367, 2.1454892149542006, 4.017661364388476]],
        syn1: [[-4.376720695956416], [5.123135140094975], [-8.283417948026083], [5.339121202474737]],
      },
      log: {
        syn0: [[4.8959962296349655, 4.626176028397753, -6.6359559070286815, -4.448731355477926], [-2.8903201136148895, -6.263676660213012, -6.992869893580953, -3.8370099219879856], [1.1035949534816905, -2.2672731841966707, 2.7093439184341763, 6.1472894997523095]],
        syn1: [[-7.649523971019961], [8.115784081869268], [-11.348065993694956], [8.576324699993172]],
      },
    };
    for (const marked of ['squared', 'log'] as const) {
      let w = numpyInit(1);
      for (let j = 0; j < STEPS; j++) w = numpyStep(w.syn0, w.syn1, marked);
      // NumPy's BLAS may sum in another order, so allow rounding to accumulate a little: 5e-13·(1 + |numpy|),
      // within the 1e-12·max(1, |numpy|) this check had.
      expectClose(flat(w.syn0), flat(want[marked].syn0), { rtol: 5e-13, atol: 5e-13 }, `${marked}: syn0`);
      expectClose(flat(w.syn1), flat(want[marked].syn1), { rtol: 5e-13, atol: 5e-13 }, `${marked}: syn1`);
    }
  });

  const variants: [string, 'squared' | 'log', Loss][] = [
    ['l2_delta = (y − l2)·l2·(1 − l2) is descent on ½Σ(y − l2)² (nn.mseLoss sum ×½)', 'squared', 'squared'],
    ['l2_delta = y − l2 is descent on the summed log loss (nn.bceLoss sum)', 'log', 'bce'],
    ['l2_delta = y − l2 is descent on the summed log loss (nn.bceWithLogitsLoss sum, the stable form)', 'log', 'bceWithLogits'],
  ];
  for (const [title, marked, loss] of variants) {
    it(`F10: ${title}: every weight agrees to 1e-12 after each of the first ${STEPS} steps, seeds 0–4`, () => {
      let largest = 0;
      for (const seed of [0, 1, 2, 3, 4]) {
        let w = numpyInit(seed);
        const engine = engineRun(w, loss);
        for (let j = 1; j <= STEPS; j++) {
          w = numpyStep(w.syn0, w.syn1, marked);
          engine.step();
          const [e0, e1] = engine.weights();
          const err = Math.max(worst(e0, w.syn0), worst(e1, w.syn1));
          largest = Math.max(largest, err);
          if (!(err <= 1e-12)) expect.fail(`seed ${seed}, step ${j}: engine and loop differ by ${err} (relative)`);
        }
      }
      console.log(`F10 ${loss}: largest relative difference over ${STEPS} steps × 5 seeds = ${largest.toExponential(2)}`);
      expect(largest).toBeLessThanOrEqual(1e-12);
    });
  }
});

// The classifier and its training loop: an MLP on 2-D points, softmax cross-entropy, Adam.
import { nn, noGrad, optim, RandomState, type Tensor } from '../../src/index.ts';
import { CLASSES, type Dataset } from './data.ts';

/** 2 → hidden → hidden → 3 with ReLU between (He init for the ReLUs); the output is the logits. */
export function buildModel(hidden: number, rng: RandomState) {
  return new nn.Sequential(
    new nn.Linear(2, hidden, { init: 'he', rng }), new nn.ReLU(),
    new nn.Linear(hidden, hidden, { init: 'he', rng }), new nn.ReLU(),
    new nn.Linear(hidden, CLASSES, { init: 'xavier', rng }),
  );
}
export type Model = ReturnType<typeof buildModel>;

/** The fraction of points whose largest logit is their class. */
export const accuracy = (logits: Tensor, y: Tensor): number => logits.argmax(1).eq(y).mean().item();

export interface Progress { step: number; loss: number; accuracy: number }

/** Full-batch Adam on the mean cross-entropy; `report` is called every `every` steps and after the last. */
export function train(model: Model, data: Dataset, steps: number, lr: number, every: number, report: (p: Progress) => void): Progress {
  const opt = new optim.Adam(model.parameters(), { lr });
  let last: Progress = { step: 0, loss: NaN, accuracy: NaN };
  for (let step = 1; step <= steps; step++) {
    opt.zeroGrad();
    const logits = model.call(data.X);
    const loss = nn.crossEntropyLoss(logits, data.y);
    loss.backward();
    opt.step();
    if (step % every === 0 || step === steps) {
      last = { step, loss: loss.item(), accuracy: accuracy(logits, data.y) };
      report(last);
    }
  }
  return last;
}

/** Accuracy on each class's slice of the data (the points come class by class, n of each). */
export function perClass(model: Model, data: Dataset): number[] {
  const n = data.X.shape[0] / CLASSES;
  return noGrad(() => {
    const logits = model.call(data.X);
    return Array.from({ length: CLASSES }, (_, k) => accuracy(logits.narrow(0, k * n, n), data.y.slice([k * n, (k + 1) * n])));
  });
}

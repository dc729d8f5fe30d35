// A training-step case as the suites see it, and the check that every case takes the same step.
import { copies, expectSameStep, type BenchCase } from './common.ts';

export interface Trainer {
  name: string;
  note?: string;
  /** One training step (forward, loss, backward, update): the timed work. */
  step(): void;
  /** The same step, returning its loss (for the check; may cost a read-back the timed step avoids). */
  checkedStep(): number;
  /** Current parameter values, in a fixed order shared by all cases of a suite. */
  params(): ArrayLike<number>[];
  /** Which tolerance applies in the check: 'f64' (1e-9) or 'f32' (1e-4), relative to each array's scale. */
  precision: 'f64' | 'f32';
}

/**
 * Takes one step with the reference and with every other trainer, from the same starting weights, and throws
 * unless the losses, updated weights and updates agree. Runs once, before timing.
 */
export function checkSameStep(ref: Trainer, others: Trainer[], f64Tol: number, f32Tol: number): void {
  const refBefore = copies(ref.params());
  const refLoss = ref.checkedStep();
  const refAfter = copies(ref.params());
  for (const t of others) {
    const before = copies(t.params());
    const loss = t.checkedStep();
    console.log(expectSameStep(t.name, t.precision === 'f64' ? f64Tol : f32Tol, before, t.params(), refBefore, refAfter, loss, refLoss));
  }
}

export const asCase = (t: Trainer): BenchCase => ({ name: t.name, fn: t.step, note: t.note });

// Learning-rate schedules: each step() sets the optimizer's lr for the next epoch, by PyTorch's recurrences
// (the "chainable" form, from the current lr, so another change of lr in between carries on as in PyTorch).
import type { Optimizer } from './optimizers.ts';
import { optionsOf, what } from '../autograd/options.ts';
import { show } from '../tensor/shape.ts';

/**
 * A learning-rate schedule: each `step()` (once per epoch, after the optimizer's steps) sets the optimizer's lr for
 * the next epoch. A subclass implements `next`.
 */
export abstract class LRScheduler {
  /** The optimizer's lr when the schedule began. */
  readonly baseLr: number;
  /** Epochs stepped so far (PyTorch's last_epoch: 0 after construction). */
  lastEpoch = 0;

  /**
   * A schedule of `optimizer`'s lr, from its lr now.
   *
   * @param optimizer The optimizer whose lr the schedule sets.
   */
  constructor(readonly optimizer: Optimizer) {
    const name = new.target.name;
    if (typeof optimizer !== 'object' || optimizer === null || typeof optimizer.lr !== 'number') {
      throw new Error(`${name}: expected an optimizer (optim.SGD, optim.Adam, …), got ${what(optimizer)}`);
    }
    this.baseLr = optimizer.lr;
  }

  /** Advance one epoch and set the optimizer's lr. */
  step(): void {
    this.lastEpoch++;
    this.optimizer.lr = this.next(this.optimizer.lr);
  }

  /** The lr the last step set (PyTorch's get_last_lr, for one parameter group). */
  getLastLr(): number {
    return this.optimizer.lr;
  }

  /** The lr for epoch `lastEpoch` (already advanced), from the current one (PyTorch's chainable form). */
  protected abstract next(lr: number): number;
}

const atLeastZero = (who: string, name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${who}: ${name} must be a finite number ≥ 0, got ${show(v)}`);
  return v;
};

const positiveInt = (who: string, name: string, v: unknown): number => {
  if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${who}: ${name} must be a positive integer, got ${show(v)}`);
  return v as number;
};

/**
 * lr multiplied by gamma every stepSize epochs: baseLr·gamma^⌊epoch / stepSize⌋ (PyTorch's StepLR).
 *
 * @example
 * ```ts
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const schedule = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
 * [1, 2, 3, 4].map(() => { schedule.step(); return opt.lr; }) // [1, 0.5, 0.5, 0.25]
 * ```
 */
export class StepLR extends LRScheduler {
  /** The epochs between two decays. */
  readonly stepSize: number;
  /** The factor of each decay. */
  readonly gamma: number;

  /** Decay `optimizer`'s lr by `opts.gamma` (default 0.1) every `opts.stepSize` epochs (a positive integer). */
  constructor(optimizer: Optimizer, opts: { stepSize: number; gamma?: number }) {
    super(optimizer);
    const o = optionsOf('StepLR', opts);
    [this.stepSize, this.gamma] = [positiveInt('StepLR', 'stepSize', o.stepSize), atLeastZero('StepLR', 'gamma', o.gamma ?? 0.1)];
  }

  protected next(lr: number): number {
    return this.lastEpoch % this.stepSize === 0 ? lr * this.gamma : lr;
  }
}

/**
 * Cosine annealing from baseLr down to etaMin over tMax epochs, then back up (a period of 2·tMax), as PyTorch:
 * η_t = etaMin + (baseLr − etaMin)·(1 + cos(π·t / tMax)) / 2, reached by its recurrence
 * η_t = (1 + cos(π·t/T)) / (1 + cos(π·(t − 1)/T))·(η_{t−1} − etaMin) + etaMin, with the closed step at the bottom of each period.
 *
 * @example
 * ```ts
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const schedule = new optim.CosineAnnealingLR(opt, { tMax: 2 });
 * [1, 2, 3, 4].map(() => { schedule.step(); return opt.lr; }) // [0.5, 0, 0.5, 1]
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** The epochs from baseLr down to the lowest lr. */
  readonly tMax: number;
  /** The lowest lr (default 0). */
  readonly etaMin: number;

  /** Anneal `optimizer`'s lr over `opts.tMax` epochs (a positive integer) down to `opts.etaMin` (default 0). */
  constructor(optimizer: Optimizer, opts: { tMax: number; etaMin?: number }) {
    super(optimizer);
    const o = optionsOf('CosineAnnealingLR', opts);
    this.tMax = positiveInt('CosineAnnealingLR', 'tMax', o.tMax);
    this.etaMin = atLeastZero('CosineAnnealingLR', 'etaMin', o.etaMin ?? 0);
  }

  protected next(lr: number): number {
    const t = this.lastEpoch, T = this.tMax, min = this.etaMin;
    if ((t - 1 - T) % (2 * T) === 0) return lr + ((this.baseLr - min) * (1 - Math.cos(Math.PI / T))) / 2;
    return ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - min) + min;
  }
}

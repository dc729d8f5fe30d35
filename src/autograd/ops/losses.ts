// The documents' losses: elementwise ops of (prediction, target), each carrying its derivation so the output
// delta of each loss can be read off the rule, and the loss functions nn exports (checks, then a reduction).
import { fmt } from '../../tensor/shape.ts';
import { bceWithLogitsBackward, binaryOps, clamp, div, log, mul, neg, squaredErrorBackward, sub } from './elementwise.ts';
import { mean, sum } from './reduce.ts';
import { tape, TensorBase, type OpDef, type TensorBase as T } from '../tensor-base.ts';
import { describe } from '../op.ts';

// BCE's logs are clamped at −100, as PyTorch does, so p = 0 or 1 stays finite.
const log100 = (x: number): number => Math.max(Math.log(x), -100);
const clampedLog = (x: T): T => clamp(log(x), -100);

export const { squaredError, binaryCrossEntropy, binaryCrossEntropyWithLogits } = binaryOps({
  // ℓ = (p − y)²;  ∂ℓ/∂p = 2(p − y). The documents' ½Σ(y − ŷ)² is half its sum, whose gradient (ŷ − y) times
  // σ′ gives the squared-loss delta (a − y)·a·(1 − a) (F8).
  squaredError: {
    f: (p, y) => (p - y) * (p - y),
    da: (g, p, y): T => squaredErrorBackward(g, p, y),
    db: (g, p, y): T => neg(squaredErrorBackward(g, p, y)),
  },
  // ℓ = −[y·log p + (1 − y)·log(1 − p)];  ∂ℓ/∂p = (p − y) / (p(1 − p)), the denominator floored at 1e-12
  // (PyTorch's epsilon) so that p = 0 or 1 stays finite.
  binaryCrossEntropy: {
    f: (p, y) => -(y * log100(p) + (1 - y) * log100(1 - p)),
    da: (g, p, y): T => div(mul(g, sub(p, y)), clamp(mul(p, sub(1, p)), 1e-12)),
    db: (g, p): T => mul(g, sub(clampedLog(sub(1, p)), clampedLog(p))),
  },
  // With p = σ(z): ℓ = max(z, 0) − z·y + log(1 + e^(−|z|)), a form that never overflows (e^(−|z|) ≤ 1).
  // Its derivative is exactly ∂ℓ/∂z = σ(z) − y: the delta a − y (F7).
  binaryCrossEntropyWithLogits: {
    f: (z, y) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))),
    da: (g, z, y): T => bceWithLogitsBackward(g, z, y),
    db: (g, z): T => mul(g, neg(z)),
  },
});

export type Reduction = 'mean' | 'sum' | 'none';
export interface LossOptions {
  reduction?: Reduction;
}

interface Range { op: string; what: string }
/** Throws unless every value of t lies in [0, 1] (NaN does not). A traced step checks again at each replay. */
const WITHIN: OpDef<Range> = { name: 'within', run: (t, _ins, r) => checkUnit(t, r), grads: [] };
function checkUnit(t: TensorBase, { op, what }: Range): void {
  const d = t.buf, o = t.off;
  for (let i = 0; i < t.size; i++) {
    const v = d[o + i];
    if (!(v >= 0 && v <= 1)) throw new Error(`${op}: ${what} must lie in [0, 1], got ${v} at index ${i} (shape ${fmt(t.shape)})`);
  }
}
function within(t: TensorBase, r: Range): void {
  checkUnit(t, r);
  if (tape !== null) tape.push({ op: WITHIN, out: t, inputs: [], attrs: r, inPlace: true });
}

function loss<X extends T>(op: string, each: (p: X, y: X) => X, pred: X, target: X, opts: LossOptions | undefined,
  kind: 'any' | 'logits' | 'probabilities'): X {
  for (const [t, what] of [[pred, 'prediction'], [target, 'target']] as const) {
    if (!(t instanceof TensorBase)) throw new Error(`${op}: the ${what} must be a tensor, got ${describe(t)}`);
  }
  if (pred.ndim !== target.ndim || !pred.shape.every((d, i) => d === target.shape[i])) {
    throw new Error(`${op}: prediction shape ${fmt(pred.shape)} does not match target shape ${fmt(target.shape)}`);
  }
  if (kind !== 'any') within(target, { op, what: 'targets' });
  if (kind === 'probabilities') within(pred, { op, what: 'probabilities' }); // outside [0, 1] the logs would be NaN
  const { reduction = 'mean' } = opts ?? {};
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${op}: unknown reduction '${String(reduction)}' (use 'mean', 'sum' or 'none')`);
  }
  const l = each(pred, target);
  return reduction === 'mean' ? mean(l) : reduction === 'sum' ? sum(l) : l;
}

/** Mean (or sum, or each) of (p − y)². */
export const mseLoss = <X extends T>(pred: X, target: X, opts?: LossOptions): X => loss('mseLoss', squaredError, pred, target, opts, 'any');
/** Binary cross-entropy of probabilities p (each log clamped at −100, as PyTorch). */
export const bceLoss = <X extends T>(prob: X, target: X, opts?: LossOptions): X => loss('bceLoss', binaryCrossEntropy, prob, target, opts, 'probabilities');
/** Binary cross-entropy from logits z, computed stably; its derivative is σ(z) − y. */
export const bceWithLogitsLoss = <X extends T>(logits: X, target: X, opts?: LossOptions): X =>
  loss('bceWithLogitsLoss', binaryCrossEntropyWithLogits, logits, target, opts, 'logits');

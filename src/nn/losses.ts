// The three losses of the documents. Each is an elementwise op (value and derivative side by side, in the
// broadcasting kernel's Binary form) followed by a reduction; prediction and target must have equal shapes.
import { Tensor } from '../tensor/tensor.ts';
import type { Binary } from '../tensor/kernels.ts';
import { fmt, sameShape } from '../tensor/shape.ts';
import { binary, SIGMOID } from '../autograd/ops/elementwise.ts';

export type Reduction = 'mean' | 'sum' | 'none';
export interface LossOptions {
  reduction?: Reduction;
}

// ℓ = (p − y)²;  ∂ℓ/∂p = 2(p − y).  The documents' ½Σ(y − ŷ)² is mseLoss(p, y, { reduction: 'sum' }).mul(0.5),
// whose gradient (ŷ − y) times σ' gives the squared-loss delta (a − y)·a·(1 − a) (F8).
const MSE: Binary = { f: (p, y) => (p - y) * (p - y), da: (p, y) => 2 * (p - y), db: (p, y) => 2 * (y - p) };

// ℓ = −[y·log p + (1 − y)·log(1 − p)], each log clamped at −100 as PyTorch does, so p = 0 or 1 stays finite.
// ∂ℓ/∂p = (p − y) / (p(1 − p)), the denominator floored at 1e-12 (PyTorch's epsilon) for the same reason.
const log100 = (x: number): number => Math.max(Math.log(x), -100);
const BCE: Binary = {
  f: (p, y) => -(y * log100(p) + (1 - y) * log100(1 - p)),
  da: (p, y) => (p - y) / Math.max(p * (1 - p), 1e-12),
  db: (p) => log100(1 - p) - log100(p),
};

// With p = σ(z): ℓ = −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − z·y + log(1 + e^(−|z|)),
// a form that never overflows (e^(−|z|) ≤ 1). Its derivative is exactly ∂ℓ/∂z = σ(z) − y: the delta a − y (F7).
const BCE_WITH_LOGITS: Binary = {
  f: (z, y) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))),
  da: (z, y) => SIGMOID.f(z) - y,
  db: (z) => -z,
};

function checkUnit(op: string, t: Tensor, what: string): void {
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i];
    if (!(v >= 0 && v <= 1)) throw new Error(`${op}: ${what} must lie in [0, 1], got ${v} at index ${i} (shape ${fmt(t.shape)})`);
  }
}

function loss(op: string, fn: Binary, pred: Tensor, target: Tensor, opts: LossOptions, kind: 'any' | 'logits' | 'probabilities'): Tensor {
  if (!sameShape(pred.shape, target.shape)) {
    throw new Error(`${op}: prediction shape ${fmt(pred.shape)} does not match target shape ${fmt(target.shape)}`);
  }
  if (kind !== 'any') checkUnit(op, target, 'targets');
  if (kind === 'probabilities') checkUnit(op, pred, 'probabilities'); // outside [0, 1] the logs would be NaN
  const { reduction = 'mean' } = opts;
  const each = binary(op, fn, pred, target);
  if (reduction === 'mean') return each.mean();
  if (reduction === 'sum') return each.sum();
  if (reduction === 'none') return each;
  throw new Error(`${op}: unknown reduction '${reduction as string}' (use 'mean', 'sum' or 'none')`);
}

export const mseLoss = (pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor => loss('mseLoss', MSE, pred, target, opts, 'any');
export const bceLoss = (prob: Tensor, target: Tensor, opts: LossOptions = {}): Tensor => loss('bceLoss', BCE, prob, target, opts, 'probabilities');
export const bceWithLogitsLoss = (logits: Tensor, target: Tensor, opts: LossOptions = {}): Tensor =>
  loss('bceWithLogitsLoss', BCE_WITH_LOGITS, logits, target, opts, 'logits');

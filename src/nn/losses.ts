// The three losses of the documents: an elementwise loss op (see autograd/ops/losses.ts for each one's
// derivation) and a reduction. Prediction and target must have equal shapes.
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, squaredError, Tensor } from '../autograd/index.ts';

export type Reduction = 'mean' | 'sum' | 'none';
export interface LossOptions {
  reduction?: Reduction;
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function checkUnit(op: string, t: Tensor, what: string): void {
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= 0 && v <= 1)) throw new Error(`${op}: ${what} must lie in [0, 1], got ${v} at index ${i} (shape ${fmt(t.shape)})`);
  }
}

function loss(op: string, each: (p: Tensor, y: Tensor) => Tensor, pred: Tensor, target: Tensor, opts: LossOptions | undefined,
  kind: 'any' | 'logits' | 'probabilities'): Tensor {
  for (const [t, what] of [[pred, 'prediction'], [target, 'target']] as const) {
    if (!(t instanceof Tensor)) throw new Error(`${op}: the ${what} must be a tensor, got ${t === null ? 'null' : Array.isArray(t) ? 'an array (make it a tensor with tensor([...]))' : typeof t}`);
  }
  if (pred.ndim !== target.ndim || !pred.shape.every((d, i) => d === target.shape[i])) {
    throw new Error(`${op}: prediction shape ${fmt(pred.shape)} does not match target shape ${fmt(target.shape)}`);
  }
  if (kind !== 'any') checkUnit(op, target, 'targets');
  if (kind === 'probabilities') checkUnit(op, pred, 'probabilities'); // outside [0, 1] the logs would be NaN
  const { reduction = 'mean' } = opts ?? {};
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${op}: unknown reduction '${String(reduction)}' (use 'mean', 'sum' or 'none')`);
  }
  const l = each(pred, target);
  return reduction === 'mean' ? l.mean() : reduction === 'sum' ? l.sum() : l;
}

export const mseLoss = (pred: Tensor, target: Tensor, opts?: LossOptions): Tensor => loss('mseLoss', squaredError, pred, target, opts, 'any');
export const bceLoss = (prob: Tensor, target: Tensor, opts?: LossOptions): Tensor => loss('bceLoss', binaryCrossEntropy, prob, target, opts, 'probabilities');
export const bceWithLogitsLoss = (logits: Tensor, target: Tensor, opts?: LossOptions): Tensor =>
  loss('bceWithLogitsLoss', binaryCrossEntropyWithLogits, logits, target, opts, 'logits');

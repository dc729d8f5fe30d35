// The losses. The documents' three (mseLoss, bceLoss, bceWithLogitsLoss) are defined with their ops, in
// autograd/ops/losses.ts, where each one's derivation sits beside its derivative rule. The classification losses
// (crossEntropyLoss, nllLoss) are written here in tensor ops over logSoftmax and gather, as PyTorch computes them.
import { mseLoss, bceLoss, bceWithLogitsLoss, Tensor, type LossOptions, type Reduction } from '../autograd/index.ts';

export { mseLoss, bceLoss, bceWithLogitsLoss, type LossOptions, type Reduction };

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

export interface CrossEntropyOptions extends LossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C, C the number of classes (PyTorch's label_smoothing). */
  labelSmoothing?: number;
}

function reductionOf(op: string, opts: LossOptions | undefined): Reduction {
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) throw new Error(`${op}: options must be an object, got ${String(opts)}`);
  const { reduction = 'mean' } = opts ?? {};
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${op}: unknown reduction '${String(reduction)}' (use 'mean', 'sum' or 'none')`);
  }
  return reduction;
}

const reduce = (l: Tensor, reduction: Reduction): Tensor => (reduction === 'mean' ? l.mean() : reduction === 'sum' ? l.sum() : l);

/** The class axis of scores [N, C, d…] (1), or of unbatched [C] (0). */
function classAxis(op: string, scores: Tensor, what: string): number {
  if (!(scores instanceof Tensor)) throw new Error(`${op}: the ${what} must be a tensor, got ${scores === null ? 'null' : typeof scores}`);
  if (scores.ndim === 0) throw new Error(`${op}: the ${what} must have a class axis ([N, C] or [C]), got a 0-d tensor`);
  return scores.ndim === 1 ? 0 : 1;
}

/** Whether target holds one class index per sample: the scores' shape without the class axis. */
const isIndexTarget = (scores: Tensor, target: Tensor, axis: number): boolean =>
  target.ndim === scores.ndim - 1 && target.shape.every((d, i) => d === scores.shape[i < axis ? i : i + 1]);

/** −logProbs[…, target, …] for each sample, after checking every target is a class index in [0, C). */
function picked(op: string, logProbs: Tensor, target: Tensor, axis: number): Tensor {
  const C = logProbs.shape[axis], t = target.data;
  for (let i = 0; i < t.length; i++) {
    if (!(Number.isInteger(t[i]) && t[i] >= 0 && t[i] < C)) throw new Error(`${op}: target ${t[i]} at position ${i} is not a class index in [0, ${C})`);
  }
  return logProbs.gather(axis, target.unsqueeze(axis)).squeeze(axis).neg();
}

/**
 * Cross-entropy of logits [N, C] (or [C], or [N, C, d…]) against class indices (a tensor of integer values of shape
 * [N] (or [], or [N, d…])) or class probabilities (the logits' shape), computed through logSoftmax: finite at any
 * logits. 'mean' averages over the samples. With label smoothing ε, as PyTorch:
 * indices: (1 − ε)·nll + (ε/C)·Σ_c −log p_c (each reduced);  probabilities: the target mixed as (1 − ε)·t + ε/C.
 */
export function crossEntropyLoss(logits: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor {
  const op = 'crossEntropyLoss', axis = classAxis(op, logits, 'logits');
  if (!(target instanceof Tensor)) throw new Error(`${op}: the target must be a tensor, got ${target === null ? 'null' : typeof target}`);
  const reduction = reductionOf(op, opts), eps = opts?.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) throw new Error(`${op}: labelSmoothing must lie in [0, 1], got ${String(eps)}`);
  const C = logits.shape[axis], logp = logits.logSoftmax(axis);
  if (isIndexTarget(logits, target, axis)) {
    const nll = reduce(picked(op, logp, target, axis), reduction);
    return eps === 0 ? nll : nll.mul(1 - eps).add(reduce(logp.sum(axis).neg(), reduction).mul(eps / C));
  }
  if (target.ndim !== logits.ndim || target.shape.some((d, i) => d !== logits.shape[i])) {
    throw new Error(`${op}: target of shape ${fmt(target.shape)} fits neither class indices (shape ` +
      `${fmt(logits.shape.filter((_, i) => i !== axis))}) nor class probabilities (shape ${fmt(logits.shape)}) for logits ${fmt(logits.shape)}`);
  }
  const t = eps === 0 ? target : target.mul(1 - eps).add(eps / C);
  const prod = logp.mul(t);
  if (reduction === 'none') return prod.sum(axis).neg();
  return reduction === 'sum' ? prod.sum().neg() : prod.sum().neg().div(logits.size / C);
}

/** −logProbs[n, target[n]] for log-probabilities [N, C] (or [C], or [N, C, d…]) and class indices, reduced. */
export function nllLoss(logProbs: Tensor, target: Tensor, opts?: LossOptions): Tensor {
  const op = 'nllLoss', axis = classAxis(op, logProbs, 'log-probabilities');
  if (!(target instanceof Tensor)) throw new Error(`${op}: the target must be a tensor, got ${target === null ? 'null' : typeof target}`);
  const reduction = reductionOf(op, opts);
  if (!isIndexTarget(logProbs, target, axis)) {
    throw new Error(`${op}: target of shape ${fmt(target.shape)} must hold one class index per sample, shape ` +
      `${fmt(logProbs.shape.filter((_, i) => i !== axis))} for log-probabilities ${fmt(logProbs.shape)}`);
  }
  return reduce(picked(op, logProbs, target, axis), reduction);
}

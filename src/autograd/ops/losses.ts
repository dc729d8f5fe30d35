// The losses: the documents' three as elementwise ops of (prediction, target), each carrying its derivation so the output
// delta of each loss can be read off the rule, and the loss functions nn exports (checks, then a reduction).
import { fmt, sameShape } from '../../tensor/shape.ts';
import { add, bceWithLogitsBackward, binaryOps, tangentOf, clamp, div, log, mul, neg, squaredErrorBackward, sub, type BinaryDef } from './elementwise.ts';
import { sumOfMapOf } from '../../tensor/kernels.ts';
import { mean, sum } from './reduce.ts';
import { logSoftmax } from './softmax.ts';
import { gather } from './gather.ts';
import { squeeze, unsqueeze } from './movement.ts';
import { makeOp, TensorBase, type OpDef, type TensorBase as T } from '../tensor-base.ts';
import { describe, apply, expectTensor } from '../op.ts';
import { optionsOf } from '../options.ts';

// BCE's logs are clamped at −100, as PyTorch does, so p = 0 or 1 stays finite.
const log100 = (x: number): number => Math.max(Math.log(x), -100);
const clampedLog = (x: T): T => clamp(log(x), -100);

/** A loss of (prediction p, target y), elementwise: ℓ(p, y), and ∂/∂p and ∂/∂y given g (one value, or one per element). */
interface LossDef {
  f: (p: number, y: number) => number;
  dp: (g: T, p: T, y: T) => T;
  dy: (g: T, p: T, y: T) => T;
}

const LOSSES = {
  // ℓ = (p − y)²;  ∂ℓ/∂p = 2(p − y). The documents' ½Σ(y − ŷ)² is half its sum, whose gradient (ŷ − y) times
  // σ′ gives the squared-loss delta (a − y)·a·(1 − a) (F8).
  squaredError: {
    f: (p, y) => (p - y) * (p - y),
    dp: (g, p, y): T => squaredErrorBackward(g, p, y),
    dy: (g, p, y): T => neg(squaredErrorBackward(g, p, y)),
  },
  // ℓ = −[y·log p + (1 − y)·log(1 − p)];  ∂ℓ/∂p = (p − y) / (p(1 − p)), the denominator floored at 1e-12
  // (PyTorch's epsilon) so that p = 0 or 1 stays finite.
  binaryCrossEntropy: {
    f: (p, y) => -(y * log100(p) + (1 - y) * log100(1 - p)),
    dp: (g, p, y): T => div(mul(g, sub(p, y)), clamp(mul(p, sub(1, p)), 1e-12)),
    dy: (g, p): T => mul(g, sub(clampedLog(sub(1, p)), clampedLog(p))),
  },
  // With p = σ(z): ℓ = max(z, 0) − z·y + log(1 + e^(−|z|)), a form that never overflows (e^(−|z|) ≤ 1).
  // Its derivative is exactly ∂ℓ/∂z = σ(z) − y: the delta a − y (F7).
  binaryCrossEntropyWithLogits: {
    f: (z, y) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))),
    dp: (g, z, y): T => bceWithLogitsBackward(g, z, y),
    dy: (g, z): T => mul(g, neg(z)),
  },
} satisfies Record<string, LossDef>;

// Each loss elementwise (reduction 'none'), as a binary op.
const perElement = binaryOps({
  squaredError: elementwise(LOSSES.squaredError),
  binaryCrossEntropy: elementwise(LOSSES.binaryCrossEntropy),
  binaryCrossEntropyWithLogits: elementwise(LOSSES.binaryCrossEntropyWithLogits),
});

/**
 * (p − y)², elementwise with broadcasting: {@link nn.mseLoss} with reduction 'none'. Its derivative with respect to p
 * is 2(p − y).
 *
 * @example
 * ```ts
 * squaredError(tensor([1, 2]), tensor([0, 4])) // [1, 4]
 * ```
 *
 * @function
 */
export const squaredError: <X extends TensorBase>(pred: X | number, target: X | number) => X = perElement.squaredError;

/**
 * −[y·log p + (1 − y)·log(1 − p)] for probabilities p and targets y, elementwise with broadcasting, each log clamped
 * at −100 as PyTorch does (so p = 0 or 1 stays finite): {@link nn.bceLoss} with reduction 'none', which also checks
 * that p and y lie in [0, 1].
 *
 * @example
 * ```ts
 * binaryCrossEntropy(tensor([0.5, 0.9]), tensor([1, 1])) // [0.693147, 0.105361]
 * ```
 *
 * @function
 */
export const binaryCrossEntropy: <X extends TensorBase>(prob: X | number, target: X | number) => X = perElement.binaryCrossEntropy;

/**
 * Binary cross-entropy of σ(z) for logits z, elementwise with broadcasting, computed as max(z, 0) − z·y +
 * log(1 + e^−|z|), which never overflows: {@link nn.bceWithLogitsLoss} with reduction 'none'. Its derivative with
 * respect to z is σ(z) − y.
 *
 * @example
 * ```ts
 * binaryCrossEntropyWithLogits(tensor([0, 100, -100]), tensor([1, 1, 1])) // [0.693147, 0, 100]
 * ```
 *
 * @function
 */
export const binaryCrossEntropyWithLogits: <X extends TensorBase>(logits: X | number, target: X | number) => X = perElement.binaryCrossEntropyWithLogits;
function elementwise({ f, dp, dy }: LossDef): BinaryDef {
  return { f, da: dp, db: dy }; // (g, p, y): the binary op's rules get g and its operands first
}

/**
 * Each loss summed (or averaged) in one op, as PyTorch's mse_loss: no tensor of the elementwise losses, and a rule
 * that passes g (÷ n for a mean) to the elementwise derivative as a single value, without spreading it first.
 */
interface Summed { mean: boolean }
function summed(name: string, { f, dp, dy }: LossDef): (p: T, y: T, mean: boolean) => T {
  const sumOfMap = sumOfMapOf(f);
  const share = (g: T, p: T, { mean }: Summed): T => (mean ? div(g, p.size) : g); // ∂loss/∂ℓᵢ, the same for every i
  const op: OpDef<Summed> = makeOp({
    name,
    forward: (out, [p, y], { mean }) => {
      const s = sumOfMap(p.size, p.buf, p.off, y.buf, y.off);
      out.buf[out.off] = mean ? s / p.size : s;
    },
    grads: [(g, [p, y], _l, r) => dp(share(g, p, r), p, y), (g, [p, y], _l, r) => dy(share(g, p, r), p, y)],
    // Σ of each element's share, ∂ℓ/∂p·tp + ∂ℓ/∂y·ty (the rules are linear in g), ÷ n for a mean.
    tangent: ([tp, ty], [p, y], _l, r) => share(sum(tangentOf([tp && dp(tp, p, y), ty && dy(ty, p, y)], p)!), p, r),
    fast: { rulesReadGradOnce: true },
  });
  return (p, y, mean) => apply(op, p, [p, y], [], { mean });
}
const SUMMED = {
  mseLoss: summed('mseLoss', LOSSES.squaredError),
  bceLoss: summed('bceLoss', LOSSES.binaryCrossEntropy),
  bceWithLogitsLoss: summed('bceWithLogitsLoss', LOSSES.binaryCrossEntropyWithLogits),
};

/** How a loss reduces its per-element (or per-sample) values: their mean, their sum, or none (the values themselves). */
export type Reduction = 'mean' | 'sum' | 'none';
/** Options of the losses. */
export interface LossOptions {
  /** 'mean' (the default), 'sum', or 'none' for the loss of each element (each sample, for the class losses). */
  reduction?: Reduction;
}

/**
 * A check of a loss's argument, as an op that changes nothing: it throws on the first bad value, and a traced step
 * (compile) checks again at each replay. classes 0: values in [0, 1]; else class indices in [0, classes).
 */
interface Check { op: string; what: string; classes: number }
const CHECK: OpDef<Check> = makeOp({ name: 'check', forward: (_out, [t], c) => firstBad(t, c), grads: [null] });
function firstBad(t: TensorBase, { op, what, classes }: Check): void {
  const d = t.buf, o = t.off;
  for (let i = 0; i < t.size; i++) {
    const v = d[o + i];
    if (classes === 0 && !(v >= 0 && v <= 1)) throw new Error(`${op}: ${what} must lie in [0, 1], got ${v} at index ${i} (shape ${fmt(t.shape)})`);
    if (classes > 0 && !(Number.isInteger(v) && v >= 0 && v < classes)) throw new Error(`${op}: ${what} ${v} at position ${i} is not a class index in [0, ${classes})`);
  }
}
const check = (t: TensorBase, c: Check): void => void apply(CHECK, t, [t], [0], c); // its output: nothing

function loss<X extends T>(op: keyof typeof SUMMED, each: (p: X, y: X) => X, pred: X, target: X, opts: LossOptions | undefined,
  kind: 'any' | 'logits' | 'probabilities'): X {
  expectTensor(op, 'the prediction', pred);
  expectTensor(op, 'the target', target);
  if (!sameShape(pred.shape, target.shape)) {
    throw new Error(`${op}: prediction shape ${fmt(pred.shape)} does not match target shape ${fmt(target.shape)}`);
  }
  if (kind !== 'any') check(target, { op, what: 'targets', classes: 0 });
  if (kind === 'probabilities') check(pred, { op, what: 'probabilities', classes: 0 }); // outside [0, 1] the logs would be NaN
  const reduction = reductionOf(op, opts);
  return reduction === 'none' ? each(pred, target) : SUMMED[op](pred, target, reduction === 'mean') as X;
}

/**
 * The mean squared error: the mean (or sum, or each, by `opts.reduction`) of (p − y)² over the elements of a
 * prediction and a target of the same shape, in one op. The documents' ½Σ(y − ŷ)² is
 * `mseLoss(pred, y, { reduction: 'sum' }).mul(0.5)`.
 *
 * @example
 * ```ts
 * nn.mseLoss(tensor([1, 2]), tensor([0, 4])) // 2.5
 * nn.mseLoss(tensor([1, 2]), tensor([0, 4]), { reduction: 'none' }) // [1, 4]
 * ```
 */
export const mseLoss = <X extends T>(pred: X, target: X, opts?: LossOptions): X => loss('mseLoss', squaredError, pred, target, opts, 'any');
/**
 * Binary cross-entropy of probabilities p against targets y of the same shape, both in [0, 1] (checked):
 * −[y·log p + (1 − y)·log(1 − p)] for each element (each log clamped at −100, as PyTorch), then reduced by
 * `opts.reduction` (default the mean). For logits, {@link nn.bceWithLogitsLoss} is stabler.
 *
 * @example
 * ```ts
 * nn.bceLoss(tensor([0.5, 0.9]), tensor([1, 0])) // 1.497866
 * ```
 */
export const bceLoss = <X extends T>(prob: X, target: X, opts?: LossOptions): X => loss('bceLoss', binaryCrossEntropy, prob, target, opts, 'probabilities');
/**
 * Binary cross-entropy of σ(z) for logits z against targets y in [0, 1] of the same shape, computed stably for any z
 * as max(z, 0) − z·y + log(1 + e^−|z|), then reduced by `opts.reduction`; its derivative with respect to z is
 * σ(z) − y.
 *
 * @example
 * ```ts
 * nn.bceWithLogitsLoss(tensor([0, 0]), tensor([1, 0])) // 0.693147
 * nn.bceWithLogitsLoss(tensor([1000]), tensor([0]), { reduction: 'sum' }) // 1000
 * ```
 */
export const bceWithLogitsLoss = <X extends T>(logits: X, target: X, opts?: LossOptions): X =>
  loss('bceWithLogitsLoss', binaryCrossEntropyWithLogits, logits, target, opts, 'logits');

/** Options of crossEntropyLoss. */
export interface CrossEntropyOptions extends LossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C, C the number of classes (PyTorch's label_smoothing). */
  labelSmoothing?: number;
}

function reductionOf(op: string, opts: LossOptions | undefined): Reduction {
  const { reduction = 'mean' } = optionsOf(op, opts);
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${op}: unknown reduction '${String(reduction)}' (use 'mean', 'sum' or 'none')`);
  }
  return reduction;
}

const reduce = <X extends T>(l: X, reduction: Reduction): X => (reduction === 'mean' ? mean(l) : reduction === 'sum' ? sum(l) : l);

/** The class axis of scores [N, C, d…] (1), or of unbatched [C] (0). */
function classAxis(op: string, scores: unknown, what: string): number {
  if (!(scores instanceof TensorBase)) throw new Error(`${op}: the ${what} must be a tensor, got ${describe(scores)}`);
  if (scores.ndim === 0) throw new Error(`${op}: the ${what} must have a class axis ([N, C] or [C]), got a 0-d tensor`);
  return scores.ndim === 1 ? 0 : 1;
}

/** Whether target holds one class index per sample: the scores' shape without the class axis. */
const isIndexTarget = (scores: T, target: T, axis: number): boolean =>
  target.ndim === scores.ndim - 1 && target.shape.every((d, i) => d === scores.shape[i < axis ? i : i + 1]);

/** −logProbs[…, target, …] for each sample, after checking every target is a class index. */
function picked<X extends T>(op: string, logProbs: X, target: X, axis: number): X {
  check(target, { op, what: 'target', classes: logProbs.shape[axis] });
  return neg(squeeze(gather(logProbs, axis, unsqueeze(target, axis)), axis));
}

/**
 * Cross-entropy of logits [N, C] (or [C], or [N, C, d…]) against class indices (a tensor of integer values of shape
 * [N] (or [], or [N, d…])) or class probabilities (the logits' shape), computed through logSoftmax: finite at any
 * logits. 'mean' averages over the samples. With label smoothing ε, as PyTorch:
 * indices: (1 − ε)·nll + (ε/C)·Σ_c −log p_c (each reduced);  probabilities: the target mixed as (1 − ε)·t + ε/C.
 *
 * @example
 * ```ts
 * nn.crossEntropyLoss(tensor([[0, 0], [0, 0]]), tensor([0, 1])) // 0.693147
 * nn.crossEntropyLoss(tensor([[2, 0, 0]]), tensor([0]), { reduction: 'none' }) // [0.239545]
 * nn.crossEntropyLoss(tensor([[0, 0]]), tensor([[0.5, 0.5]])) // 0.693147
 * ```
 */
export function crossEntropyLoss<X extends T>(logits: X, target: X, opts?: CrossEntropyOptions): X {
  const op = 'crossEntropyLoss', axis = classAxis(op, logits, 'logits');
  if (!(target instanceof TensorBase)) throw new Error(`${op}: the target must be a tensor, got ${describe(target)}`);
  const reduction = reductionOf(op, opts), eps = optionsOf(op, opts).labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) throw new Error(`${op}: labelSmoothing must lie in [0, 1], got ${String(eps)}`);
  const C = logits.shape[axis], logp = logSoftmax(logits, axis);
  if (isIndexTarget(logits, target, axis)) {
    const nll = reduce(picked(op, logp, target, axis), reduction);
    return eps === 0 ? nll : add(mul(nll, 1 - eps), mul(reduce(neg(sum(logp, axis)), reduction), eps / C));
  }
  if (target.ndim !== logits.ndim || target.shape.some((d, i) => d !== logits.shape[i])) {
    throw new Error(`${op}: target of shape ${fmt(target.shape)} fits neither class indices (shape ` +
      `${fmt(logits.shape.filter((_, i) => i !== axis))}) nor class probabilities (shape ${fmt(logits.shape)}) for logits ${fmt(logits.shape)}`);
  }
  const t = eps === 0 ? target : add(mul(target, 1 - eps), eps / C);
  const prod = mul(logp, t);
  if (reduction === 'none') return neg(sum(prod, axis));
  return reduction === 'sum' ? neg(sum(prod)) : div(neg(sum(prod)), logits.size / C);
}

/**
 * The negative log-likelihood −logProbs[n, target[n]] for log-probabilities [N, C] (or [C], or [N, C, d…]), e.g. from
 * logSoftmax, and class indices of shape [N] (or [], or [N, d…]), reduced by `opts.reduction` (default the mean).
 *
 * @example
 * ```ts
 * nn.nllLoss(tensor([[-1, -2], [-3, -4]]), tensor([1, 0])) // 2.5
 * ```
 */
export function nllLoss<X extends T>(logProbs: X, target: X, opts?: LossOptions): X {
  const op = 'nllLoss', axis = classAxis(op, logProbs, 'log-probabilities');
  if (!(target instanceof TensorBase)) throw new Error(`${op}: the target must be a tensor, got ${describe(target)}`);
  const reduction = reductionOf(op, opts);
  if (!isIndexTarget(logProbs, target, axis)) {
    throw new Error(`${op}: target of shape ${fmt(target.shape)} must hold one class index per sample, shape ` +
      `${fmt(logProbs.shape.filter((_, i) => i !== axis))} for log-probabilities ${fmt(logProbs.shape)}`);
  }
  return reduce(picked(op, logProbs, target, axis), reduction);
}

// Embedding lookup (PyTorch's F.embedding): row i of the weight for each integer index i, so indices of any shape
// give [...indices.shape, dim]. The gradient goes to the weight only: each row of g is added into the row it was read
// from (repeats add up), except into paddingIdx's row, which gets none. That scatter is an op whose rule is the
// lookup again (reading paddingIdx's row as zeros, its exact adjoint), so the lookup differentiates to any order.
import { addRows, firstBadIndex, takeRows } from '../../tensor/kernels.ts';
import { fmt, show } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';
import { optionsOf } from '../options.ts';
import { eachExample } from './per-example.ts';

/** The row that gets no gradient (−1: none), and the row the lookup reads as zeros (−1: none; paddingIdx in the adjoint). */
interface Rows { paddingIdx: number; zeroRow: number }

/** Throw unless every index is an integer in [0, n), naming the first bad one and where it is in the indices. */
function checkIndices(idx: TensorBase, n: number): void {
  const k = firstBadIndex(idx.buf, idx.off, idx.size, n);
  if (k < 0) return;
  const v = idx.buf[idx.off + k], at: number[] = [];
  for (let d = idx.ndim - 1, r = k; d >= 0; d--) { at.unshift(r % idx.shape[d]); r = Math.floor(r / idx.shape[d]); }
  const why = Number.isInteger(v) ? `out of range for a weight of ${n} rows` : 'not an integer';
  throw new Error(`embedding: index ${String(v)} at ${fmt(at)} of the indices of shape ${fmt(idx.shape)} is ${why}`);
}

// The check is in the forward, so a replayed step (compile) checks each call's indices.
const LOOKUP: OpDef<Rows> = makeOp({
  name: 'embedding',
  forward: (out, [w, idx], a) => {
    checkIndices(idx, w.shape[0]);
    takeRows(idx.buf, idx.off, idx.size, w.shape[1], w.buf, w.off, a.zeroRow, out.buf, out.off);
  },
  grads: [(g, [w, idx], _y, a) => apply(SCATTER_ROWS, g, [g, idx], w.shape, a), null],
  tangent: ([t], [, idx], y, a) => apply(LOOKUP, t!, [t!, idx], y.shape, a), // linear in the weight (PyTorch's auto_linear)
  // A batch of indices into one weight is more indices; a weight per example, a lookup per example.
  batch: (xs, batched, a, shape) => (batched[0] ? eachExample(LOOKUP, xs, batched, a, shape) : apply(LOOKUP, xs[0], xs, [xs[1].shape[0], ...shape], a)),
});
const SCATTER_ROWS: OpDef<Rows> = makeOp({
  name: 'embeddingBackward',
  forward: (out, [g, idx], a) => addRows(idx.buf, idx.off, idx.size, out.shape[1], g.buf, g.off, a.paddingIdx, out.buf, out.off),
  grads: [(gg, [g, idx], _y, a) => apply(LOOKUP, gg, [gg, idx], g.shape, { paddingIdx: a.paddingIdx, zeroRow: a.paddingIdx }), null],
  tangent: ([t], [, idx], y, a) => apply(SCATTER_ROWS, t!, [t!, idx], y.shape, a),
  batch: (xs, batched, a, shape) => eachExample(SCATTER_ROWS, xs, batched, a, shape), // each example's gradient of the weight
});

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /** A row that gets no gradient (a padding token's); negative counts from the end. Default: none. */
  paddingIdx?: number | null;
}

/**
 * The rows of `weight` ([numEmbeddings, embeddingDim]) at `indices`, a tensor of integer values of any shape
 * (PyTorch's `F.embedding`): the output has shape [...indices.shape, embeddingDim]. The gradient flows to the weight
 * only, each looked-up row's gradient added into its row; `paddingIdx`'s row gets none. A non-integer or
 * out-of-range index throws, naming it and its position.
 *
 * @example
 * ```ts
 * const w = tensor([[0, 0], [1, 2], [3, 4]]);
 * embedding(tensor([[2, 1], [1, 1]]), w) // [[[3, 4], [1, 2]], [[1, 2], [1, 2]]]
 * embedding(tensor(0), w) // [0, 0]
 * embedding(tensor([3]), w) // throws 'embedding: index 3 at [0] of the indices of shape [1] is out of range for a weight of 3 rows'
 * ```
 */
export function embedding<X extends TensorBase>(indices: TensorBase, weight: X, opts?: EmbeddingOptions): X {
  expectTensor('embedding', 'the indices', indices);
  expectTensor('embedding', 'the weight', weight);
  if (weight.ndim !== 2) throw new Error(`embedding: the weight must be 2-D, [numEmbeddings, embeddingDim], got shape ${fmt(weight.shape)}`);
  const n = weight.shape[0], p = optionsOf('embedding', opts).paddingIdx;
  if (p != null && !(Number.isInteger(p) && p >= -n && p < n)) {
    throw new Error(`embedding: paddingIdx ${show(p)} is out of range for a weight of ${n} rows`);
  }
  const paddingIdx = p == null ? -1 : p < 0 ? p + n : p;
  return apply(LOOKUP, weight, [weight, indices], [...indices.shape, weight.shape[1]], { paddingIdx, zeroRow: -1 });
}

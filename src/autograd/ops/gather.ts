// Gathering values by index (gather, indexSelect) and scattering them back with addition (scatterAdd). A positions
// op turns the index into the position in the source of every output element; gather and scatter-add then read or
// add at those positions, and each is the other's derivative. Repeated indices add up in the scatter, so a value
// picked twice gets both gradients.
import { addAt, firstBadIndex, gatherPositions, selectPositions, takeAt } from '../../tensor/kernels.ts';
import { fmt, normalizeAxis, sizeOf, stridesOf, type Shape } from '../../tensor/shape.ts';
import { makeOp, TensorBase, type OpDef } from '../tensor-base.ts';
import { describe, apply, expectTensor } from '../op.ts';
import { add, sub } from './elementwise.ts';
import { expand } from './broadcast.ts';
import { reshape } from './movement.ts';
import { slice } from './slice.ts';

/**
 * The indices of gather, indexSelect and scatterAdd: a tensor of integer values (float64 holding integers, as
 * PyTorch's long tensors hold them), or a flat Int32Array or array of numbers (a 1-D index).
 */
export type Index = TensorBase | Int32Array | readonly number[];

/**
 * Where the positions come from: `gather` (the index has the source's number of dims; its value replaces the
 * coordinate along `axis`) or `select` (a 1-D index of entries along `axis`, with outer × inner blocks around it).
 */
interface Geometry { op: string; kind: 'gather' | 'select'; from: Shape; axis: number; n: number; outer: number; inner: number }

// The positions are an op of their own, computed from the index's values when it runs, so a replayed step
// (compile) reads each call's index. A bad index throws there, naming the op, the axis and the value.
const POSITIONS: OpDef<Geometry> = makeOp({
  name: 'positions',
  forward: (out, [index], g) => {
    const bad = firstBadIndex(index.buf, index.off, index.size, g.n);
    if (bad >= 0) {
      const v = index.buf[index.off + bad], why = Number.isInteger(v) ? `out of range for axis ${g.axis} of size ${g.n}` : `not an integer (axis ${g.axis})`;
      throw new Error(`${g.op}: index ${String(v)} at position ${bad} is ${why}`);
    }
    if (g.kind === 'gather') gatherPositions(index.buf, index.off, index.shape, stridesOf(g.from), g.axis, out.buf, out.off, out.size);
    else selectPositions(index.buf, index.off, index.size, g.outer, g.n, g.inner, out.buf, out.off);
  },
  grads: [null],
  // A batch of indices: gather's positions in a batch of sources [B, ...] (indexSelect's index first spread over
  // its outer and inner blocks, as gather's), less each example's offset, so each is its own example's.
  batch: ([index], _b, g, shape) => {
    const B = index.shape[0], gathers = g.kind === 'gather';
    const idx = gathers ? index : expand(reshape(index, [B, 1, -1, 1]), [B, g.outer, index.ndim === 1 ? 1 : index.shape[1], g.inner]);
    const from = gathers ? [B, ...g.from] : [B, g.outer, g.n, g.inner];
    const pos = apply(POSITIONS, idx, [idx], idx.shape, { ...g, op: `${g.op} (batched by vmap)`, kind: 'gather', from, axis: gathers ? g.axis + 1 : 2 });
    return reshape(sub(pos, exampleOffsets(B, sizeOf(g.from), idx.ndim - 1, idx)), [B, ...shape]);
  },
});

/** b·size for example b, shaped [B, 1 × rank]: added to positions in one example of that size, positions in the batch. */
export function exampleOffsets(B: number, size: number, rank: number, like: TensorBase): TensorBase {
  const t = like.make([B, ...new Array<number>(rank).fill(1)], B);
  for (let b = 0; b < B; b++) t.buf[t.off + b] = b * size;
  return t;
}

// out[k] = x[pos[k]], and the reverse: src[k] added at pos[k]. Each is the other's derivative.
const GATHER: OpDef<undefined> = makeOp({
  name: 'gather',
  forward: (out, [x, pos]) => takeAt(out.size, pos.buf, pos.off, x.buf, x.off, out.buf, out.off),
  grads: [(g, [x, pos]) => apply(SCATTER_ADD, g, [g, pos], x.shape, undefined), null],
  tangent: ([t], [, pos], y) => apply(GATHER, t!, [t!, pos], y.shape, undefined),
  batch: ([x, pos], [bx, bp], _a, shape) => {
    if (!bx) return apply(GATHER, x, [x, pos], [pos.shape[0], ...shape], undefined); // a batch of positions in one x
    const B = x.shape[0], at = add(pos, exampleOffsets(B, sizeOf(x.shape.slice(1)), pos.ndim - (bp ? 1 : 0), x));
    return apply(GATHER, x, [x, at], [B, ...shape], undefined);
  },
});
const SCATTER_ADD: OpDef<undefined> = makeOp({
  name: 'scatterAdd',
  forward: (out, [src, pos]) => addAt(src.size, pos.buf, pos.off, src.buf, src.off, out.buf, out.off),
  grads: [(g, [src, pos]) => apply(GATHER, g, [g, pos], src.shape, undefined), null],
  tangent: ([t], [, pos], y) => apply(SCATTER_ADD, t!, [t!, pos], y.shape, undefined),
  batch: ([src, pos], [bs, bp], _a, shape) => {
    const B = (bs ? src : pos).shape[0], s = bs ? src : expand(src, [B, ...src.shape]);
    const at = add(pos, exampleOffsets(B, sizeOf(shape), pos.ndim - (bp ? 1 : 0), pos));
    return apply(SCATTER_ADD, s, [s, at], [B, ...shape], undefined);
  },
});

/** The index as a tensor (an array becomes a 1-D constant); refuses anything else, naming the op. */
function indexTensor(op: string, index: unknown, like: TensorBase, axis: number): TensorBase {
  if (index instanceof TensorBase) return index;
  if (Array.isArray(index) && index.some(Array.isArray)) throw new Error(`${op}: a nested index array must be made a tensor, tensor([...])`);
  if (!(index instanceof Int32Array || Array.isArray(index))) {
    throw new Error(`${op}: the index must be a tensor of integers, an Int32Array or an array of numbers, got ${describe(index)}`);
  }
  const t = like.make([index.length], index.length);
  for (let i = 0; i < index.length; i++) {
    const v: unknown = index[i];
    if (typeof v !== 'number') throw new Error(`${op}: index ${String(v)} at position ${i} is not an integer (axis ${axis})`);
    t.buf[t.off + i] = v;
  }
  return t;
}

/**
 * Positions for out[…, i_axis, …] = x[…, index[…, i_axis, …], …] (PyTorch's gather): the index has x's number of
 * dims and, outside `axis`, no dim longer than x's; the output has the index's shape.
 */
function gathered(op: string, x: TensorBase, axis: number, index: unknown): TensorBase {
  const a = normalizeAxis(op, axis, x.shape), idx = indexTensor(op, index, x, a);
  if (idx.ndim !== x.ndim || idx.shape.some((d, i) => i !== a && d > x.shape[i])) {
    throw new Error(`${op}: index of shape ${fmt(idx.shape)} does not fit the tensor of shape ${fmt(x.shape)} along axis ${a} ` +
      '(same number of dims, and none longer outside the axis)');
  }
  return apply(POSITIONS, x, [idx], idx.shape, { op, kind: 'gather', from: x.shape, axis: a, n: x.shape[a], outer: 0, inner: 0 });
}

/** out[…, i, …] = x[…, index[…, i, …], …] along `axis`, as PyTorch's gather. */
export function gather<T extends TensorBase>(x: T, axis: number, index: Index): T {
  expectTensor('gather', 'the input', x);
  const pos = gathered('gather', x, axis, index);
  return apply(GATHER, x, [x, pos], pos.shape, undefined);
}

/** x plus src added at the positions the index gives along `axis` (PyTorch's scatter_add, out of place). */
export function scatterAdd<T extends TensorBase>(x: T, axis: number, index: Index, src: TensorBase): T {
  expectTensor('scatterAdd', 'the input', x);
  expectTensor('scatterAdd', 'the source', src);
  const pos = gathered('scatterAdd', x, axis, index);
  if (src.ndim !== pos.ndim || pos.shape.some((d, i) => d > src.shape[i])) {
    throw new Error(`scatterAdd: index of shape ${fmt(pos.shape)} is longer than the source of shape ${fmt(src.shape)} in some dim`);
  }
  // Only the source's first index.shape elements along each dim are scattered, as in PyTorch.
  const s = sizeOf(pos.shape) === src.size ? src : slice(src, pos.shape.map((d) => [0, d]));
  return add(x, apply(SCATTER_ADD, s, [s, pos], x.shape, undefined) as T);
}

/** The entries of x along `axis` at the given indices, in order (repeats allowed), as PyTorch's index_select. */
export function indexSelect<T extends TensorBase>(x: T, axis: number, index: Index): T {
  expectTensor('indexSelect', 'the input', x);
  const a = normalizeAxis('indexSelect', axis, x.shape), n = x.shape[a], idx = indexTensor('indexSelect', index, x, a);
  if (idx.ndim > 1) throw new Error(`indexSelect: the index must be 1-D (or 0-d), got shape ${fmt(idx.shape)}`);
  const outer = sizeOf(x.shape.slice(0, a)), inner = sizeOf(x.shape.slice(a + 1));
  const shape = x.shape.map((d, i) => (i === a ? idx.size : d));
  const pos = apply(POSITIONS, x, [idx], [outer * idx.size * inner], { op: 'indexSelect', kind: 'select', from: x.shape, axis: a, n, outer, inner });
  return apply(GATHER, x, [x, pos], shape, undefined);
}

/** out[k] = x[pos[k]], of `shape`, for positions another op computed (max pooling's tangent), with gather's rules. */
export const gatherAt = <T extends TensorBase>(x: T, pos: TensorBase, shape: Shape): T => apply(GATHER, x, [x, pos], shape, undefined);
/** src[k] added at pos[k] of zeros of `shape`, for positions another op computed (max pooling's rule), with scatterAdd's rules. */
export const scatterAt = <T extends TensorBase>(src: T, pos: TensorBase, shape: Shape): T => apply(SCATTER_ADD, src, [src, pos], shape, undefined);

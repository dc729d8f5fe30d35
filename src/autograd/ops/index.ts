// Gathering values by index (gather, indexSelect) and scattering them back with addition (scatterAdd). Each
// call works out the position in the source of every output element once; the two ops then read or add at
// those positions, and each is the other's derivative. Repeated indices add up in the scatter, so a value
// picked twice gets both gradients.
import { addAt, firstBadIndex, gatherPositions, selectPositions, takeAt } from '../../tensor/kernels.ts';
import { fmt, normalizeAxis, sizeOf, stridesOf, type Shape } from '../../tensor/shape.ts';
import { TensorBase, type OpDef } from '../tensor-base.ts';
import { describe, emit, expectTensor } from '../op.ts';
import { add } from './elementwise.ts';
import { slice } from './slice.ts';

/** Integer values (float64 holding integers, like PyTorch's long tensors), as a tensor or a flat array. */
export type Index = TensorBase | Int32Array | readonly number[];

/** Where each output element of a gather comes from in its source (of shape `from`). */
interface Positions { from: Shape; pos: Uint32Array }

const GATHER: OpDef<Positions> = {
  name: 'gather',
  run: (out, [x], p) => takeAt(p.pos, x.buf, x.off, out.buf, out.off),
  grads: [(g, _x, _y, p) => emit(SCATTER_ADD, g, [g], p.from, p)],
};

const SCATTER_ADD: OpDef<Positions> = {
  name: 'scatterAdd',
  run: (out, [src], p) => addAt(p.pos, src.buf, src.off, out.buf, out.off),
  grads: [(g, [src], _y, p) => emit(GATHER, g, [g], src.shape, p)],
};

/** The values, offset and shape of an index; throws naming the op unless every value is an integer in [0, n). */
function indexOf(op: string, index: unknown, axis: number, n: number): { v: ArrayLike<number>; off: number; shape: Shape } {
  let r: { v: ArrayLike<number>; off: number; shape: Shape };
  if (index instanceof TensorBase) r = { v: index.buf, off: index.off, shape: index.shape };
  else if (Array.isArray(index) && index.some(Array.isArray)) throw new Error(`${op}: a nested index array must be made a tensor, tensor([...])`);
  else if (index instanceof Int32Array || Array.isArray(index)) r = { v: index, off: 0, shape: [index.length] };
  else throw new Error(`${op}: the index must be a tensor of integers, an Int32Array or an array of numbers, got ${describe(index)}`);
  const bad = firstBadIndex(r.v, r.off, sizeOf(r.shape), n);
  if (bad >= 0) {
    const v = r.v[r.off + bad], why = typeof v === 'number' && Number.isInteger(v) ? `out of range for axis ${axis} of size ${n}` : `not an integer (axis ${axis})`;
    throw new Error(`${op}: index ${String(v)} at position ${bad} is ${why}`);
  }
  return r;
}

/**
 * Positions for out[…, i_axis, …] = x[…, index[…, i_axis, …], …] (PyTorch's gather): the index has x's number of
 * dims and, outside `axis`, no dim longer than x's; the output has the index's shape.
 */
function gathered(op: string, x: TensorBase, axis: number, index: unknown): Positions & { shape: Shape } {
  const a = normalizeAxis(op, axis, x.shape);
  const idx = indexOf(op, index, a, x.shape[a]);
  if (idx.shape.length !== x.ndim || idx.shape.some((d, i) => i !== a && d > x.shape[i])) {
    throw new Error(`${op}: index of shape ${fmt(idx.shape)} does not fit the tensor of shape ${fmt(x.shape)} along axis ${a} ` +
      '(same number of dims, and none longer outside the axis)');
  }
  const pos = new Uint32Array(sizeOf(idx.shape));
  gatherPositions(idx.v, idx.off, idx.shape, stridesOf(x.shape), a, pos);
  return { from: x.shape, pos, shape: idx.shape };
}

/** out[…, i, …] = x[…, index[…, i, …], …] along `axis`, as PyTorch's gather. */
export function gather<T extends TensorBase>(x: T, axis: number, index: Index): T {
  expectTensor('gather', 'the input', x);
  const p = gathered('gather', x, axis, index);
  return emit(GATHER, x, [x], p.shape, p);
}

/** x plus src added at the positions the index gives along `axis` (PyTorch's scatter_add, out of place). */
export function scatterAdd<T extends TensorBase>(x: T, axis: number, index: Index, src: TensorBase): T {
  expectTensor('scatterAdd', 'the input', x);
  expectTensor('scatterAdd', 'the source', src);
  const p = gathered('scatterAdd', x, axis, index);
  if (src.ndim !== p.shape.length || p.shape.some((d, i) => d > src.shape[i])) {
    throw new Error(`scatterAdd: index of shape ${fmt(p.shape)} is longer than the source of shape ${fmt(src.shape)} in some dim`);
  }
  // Only the source's first index.shape elements along each dim are scattered, as in PyTorch.
  const s = sizeOf(p.shape) === src.size ? src : slice(src, p.shape.map((d) => [0, d]));
  return add(x, emit(SCATTER_ADD, s, [s], x.shape, p) as T);
}

/** The entries of x along `axis` at the given indices, in order (repeats allowed), as PyTorch's index_select. */
export function indexSelect<T extends TensorBase>(x: T, axis: number, index: Index): T {
  expectTensor('indexSelect', 'the input', x);
  const a = normalizeAxis('indexSelect', axis, x.shape), n = x.shape[a];
  const idx = indexOf('indexSelect', index, a, n);
  if (idx.shape.length > 1) throw new Error(`indexSelect: the index must be 1-D (or 0-d), got shape ${fmt(idx.shape)}`);
  const len = sizeOf(idx.shape), outer = sizeOf(x.shape.slice(0, a)), inner = sizeOf(x.shape.slice(a + 1));
  const pos = new Uint32Array(outer * len * inner);
  selectPositions(idx.v, idx.off, len, outer, n, inner, pos);
  return emit(GATHER, x, [x], x.shape.map((d, i) => (i === a ? len : d)), { from: x.shape, pos });
}

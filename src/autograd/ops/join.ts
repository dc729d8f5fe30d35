// Joining tensors along an axis (cat, stack) and cutting one into pieces (split, chunk). cat's rule hands each
// input its own stretch of the gradient (a narrow); the pieces of split are narrows, whose rule puts them back.
import { placeRows } from '../../tensor/kernels.ts';
import { fmt, normalizeAxis, show, sizeOf } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { describe, apply, expectTensor } from '../op.ts';
import { reshape } from './movement.ts';
import { narrow } from './slice.ts';

/** The join axis, the sizes before it (outer) and after it (inner), and where each input starts along it. */
interface Joint { axis: number; outer: number; inner: number; starts: number[] }

const CAT: OpDef<Joint> = makeOp({
  name: 'cat',
  forward: (out, ins, j) => {
    const n = out.shape[j.axis];
    ins.forEach((x, i) => {
      const m = x.shape[j.axis];
      placeRows(x.buf, x.off, j.outer, m * j.inner, out.buf, out.off, n * j.inner, j.starts[i] * j.inner);
    });
  },
  grads: [], // one rule per input, made in cat (their number varies)
  tangent: (ts, ins, _y, j) => cat(ts.map((t, i) => t ?? ins[i].make(ins[i].shape, ins[i].size)), j.axis), // zeros for none
});

/** The rule of input i of a cat: its stretch of the gradient. */
const stretch = (i: number) => (g: TensorBase, ins: readonly TensorBase[], _y: TensorBase, j: Joint): TensorBase =>
  narrow(g, j.axis, j.starts[i], ins[i].shape[j.axis]);
const catOps: OpDef<Joint>[] = []; // cat of k inputs, by k

function tensorsOf(op: string, tensors: unknown): TensorBase[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`${op}: expected a non-empty array of tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => expectTensor(op, `tensor ${i}`, t));
  return tensors;
}

/**
 * The tensors (a non-empty array) joined along an existing `axis` (default 0); their other dims must agree. Each
 * input's gradient is its stretch of the output's.
 *
 * @example
 * ```ts
 * cat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])]) // [[1, 2], [3, 4], [5, 6]]
 * cat([tensor([[1], [2]]), tensor([[3], [4]])], 1) // [[1, 3], [2, 4]]
 * ```
 */
export function cat<T extends TensorBase>(tensors: readonly T[], axis = 0): T {
  const ts = tensorsOf('cat', tensors) as T[], first = ts[0];
  if (first.ndim === 0) throw new Error('cat: cannot join 0-d tensors (they have no axis); use stack');
  const a = normalizeAxis('cat', axis, first.shape);
  const starts: number[] = [];
  let n = 0;
  ts.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw new Error(`cat: tensor ${i} has shape ${fmt(t.shape)}, which does not match tensor 0's ${fmt(first.shape)} outside axis ${a}`);
    }
    starts.push(n);
    n += t.shape[a];
  });
  const k = ts.length;
  const op = (catOps[k] ??= makeOp({ ...CAT, grads: Array.from({ length: k }, (_, i) => stretch(i)) }));
  const shape = first.shape.map((d, i) => (i === a ? n : d));
  return apply(op, first, ts, shape, { axis: a, outer: sizeOf(first.shape.slice(0, a)), inner: sizeOf(first.shape.slice(a + 1)), starts });
}

/**
 * The tensors (a non-empty array, all of one shape) joined along a new `axis` (default 0, from −(ndim + 1) to ndim).
 *
 * @example
 * ```ts
 * stack([tensor([1, 2]), tensor([3, 4])]) // [[1, 2], [3, 4]]
 * stack([tensor([1, 2]), tensor([3, 4])], 1) // [[1, 3], [2, 4]]
 * ```
 */
export function stack<T extends TensorBase>(tensors: readonly T[], axis = 0): T {
  const ts = tensorsOf('stack', tensors) as T[], first = ts[0];
  ts.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new Error(`stack: tensor ${i} has shape ${fmt(t.shape)}, not tensor 0's ${fmt(first.shape)}`);
    }
  });
  const a = normalizeAxis('stack', axis, [...first.shape, 1]); // the new axis may come after the last
  const lifted = first.shape.map((d) => d);
  lifted.splice(a, 0, 1);
  return cat(ts.map((t) => reshape(t, lifted)), a);
}

/** Pieces of x along `axis`: each of `size` (the last may be shorter), or of the given sizes (which must add up). */
export function split<T extends TensorBase>(x: T, sizes: number | readonly number[], axis = 0): T[] {
  expectTensor('split', 'the input', x);
  const a = normalizeAxis('split', axis, x.shape), n = x.shape[a];
  let lens: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes < 1) throw new Error(`split: size ${show(sizes)} must be a positive integer (axis ${a} of shape ${fmt(x.shape)})`);
    lens = Array.from({ length: Math.max(1, Math.ceil(n / sizes)) }, (_, i) => Math.min(sizes, n - i * sizes));
  } else if (Array.isArray(sizes) && sizes.every((s) => Number.isInteger(s) && s >= 0) && sizes.reduce((p, s) => p + s, 0) === n) {
    lens = [...sizes];
  } else {
    throw new Error(`split: sizes ${show(sizes)} must be non-negative integers adding up to ${n}, the size of axis ${a} of shape ${fmt(x.shape)}`);
  }
  let start = 0;
  return lens.map((len) => narrow(x, a, (start += len) - len, len));
}

/** x cut into `chunks` pieces along `axis` as PyTorch's chunk: each of ⌈size / chunks⌉, so there may be fewer. */
export function chunk<T extends TensorBase>(x: T, chunks: number, axis = 0): T[] {
  expectTensor('chunk', 'the input', x);
  const a = normalizeAxis('chunk', axis, x.shape), n = x.shape[a];
  if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`chunk: the number of chunks ${show(chunks)} must be a positive integer`);
  if (n === 0) return Array.from({ length: chunks }, () => narrow(x, a, 0, 0));
  return split(x, Math.ceil(n / chunks), a);
}

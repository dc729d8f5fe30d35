// Taking a box out of a tensor (narrow, select, slice) and, as its derivative, putting a gradient back into a
// box of zeros of the input's shape: two ops, each the other's derivative. A box is a start, a step and a
// length per axis; the output is a copy (tensors stay contiguous), its shape the box's, less any dropped axes.
import { stridedCopy, stridedPlace, stridedWalk, type Walk } from '../../tensor/kernels.ts';
import { fmt, normalizeAxis, show, stridesOf, type Shape } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';

interface Box {
  /** The input's shape. */
  from: Shape;
  /** Where the box's first element sits in the input. */
  offset: number;
  /** A walk over the box reading the input (the input's strides times the steps); its output is contiguous. */
  read: Walk;
  /** The same walk reading a contiguous box and writing into the input's positions. */
  write: Walk;
  /** The box per axis of the input (for vmap's rules). */
  starts: readonly number[]; steps: readonly number[]; lens: Shape;
}

const SLICE: OpDef<Box> = makeOp({
  name: 'slice',
  forward: (out, [x], b) => stridedCopy(b.read, x.buf, x.off + b.offset, out.buf, out.off),
  grads: [(g, _x, _y, b) => apply(SLICE_BACKWARD, g, [g], b.from, b)],
  tangent: ([t], _x, y, b) => apply(SLICE, t!, [t!], y.shape, b),
  batch: ([x], _b, b, shape) => apply(SLICE, x, [x], [x.shape[0], ...shape], batchedBox(b, x.shape[0])),
});

const SLICE_BACKWARD: OpDef<Box> = makeOp({
  name: 'sliceBackward',
  forward: (out, [g], b) => stridedPlace(b.write, g.buf, g.off, out.buf, out.off + b.offset), // into zeros
  grads: [(gg, [g], _y, b) => apply(SLICE, gg, [gg], g.shape, b)],
  tangent: ([t], _g, y, b) => apply(SLICE_BACKWARD, t!, [t!], y.shape, b),
  batch: ([g], _b, b) => apply(SLICE_BACKWARD, g, [g], [g.shape[0], ...b.from], batchedBox(b, g.shape[0])),
});

/** The box of an input of shape `from` with these starts, steps and lengths. */
function boxOf(from: Shape, starts: readonly number[], steps: readonly number[], lens: Shape): Box {
  const strides = stridesOf(from), walked = strides.map((s, d) => s * steps[d]);
  const offset = starts.reduce((o, s, d) => o + s * strides[d], 0);
  const read = stridedWalk(lens, walked, lens.map(() => 0)), write = stridedWalk(lens, stridesOf(lens), walked);
  return { from, offset, read, write, starts, steps, lens };
}

/** The same box in each example of a batch of B (vmap): the batch is one more axis, taken whole. */
const batchedBox = (b: Box, B: number): Box => boxOf([B, ...b.from], [0, ...b.starts], [1, ...b.steps], [B, ...b.lens]);

/** The box of x with these starts, steps and lengths, as a tensor of `shape` (the lengths, maybe less some 1s). */
function box<T extends TensorBase>(x: T, starts: readonly number[], steps: readonly number[], lens: Shape, shape: Shape): T {
  return apply(SLICE, x, [x], shape, boxOf(x.shape, starts, steps, lens));
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The `length` entries of x along `axis` from `start` (negative: counted from the end), as PyTorch's narrow. */
export function narrow<T extends TensorBase>(x: T, axis: number, start: number, length: number): T {
  expectTensor('narrow', 'the input', x);
  const a = normalizeAxis('narrow', axis, x.shape), n = x.shape[a];
  if (!isInt(start) || start < -n || start > n) throw new Error(`narrow: start ${show(start)} is out of range for axis ${a} of size ${n} (shape ${fmt(x.shape)})`);
  const s = start < 0 ? start + n : start;
  if (!isInt(length) || length < 0 || s + length > n) {
    throw new Error(`narrow: length ${show(length)} from start ${s} does not fit axis ${a} of size ${n} (shape ${fmt(x.shape)})`);
  }
  const lens = x.shape.map((d, i) => (i === a ? length : d));
  return box(x, x.shape.map((_, i) => (i === a ? s : 0)), x.shape.map(() => 1), lens, lens);
}

/** Entry `index` of x along `axis` (negative: counted from the end), without that axis, as PyTorch's select. */
export function select<T extends TensorBase>(x: T, axis: number, index: number): T {
  expectTensor('select', 'the input', x);
  const a = normalizeAxis('select', axis, x.shape), n = x.shape[a];
  if (!isInt(index) || index < -n || index >= n) throw new Error(`select: index ${show(index)} is out of range for axis ${a} of size ${n} (shape ${fmt(x.shape)})`);
  const lens = x.shape.map((d, i) => (i === a ? 1 : d));
  return box(x, x.shape.map((_, i) => (i === a ? (index < 0 ? index + n : index) : 0)), x.shape.map(() => 1), lens, x.shape.filter((_, i) => i !== a));
}

/**
 * One axis of a {@link Tensor.slice}: null (all of it), an index (one entry; the axis is dropped), or
 * [start, stop, step] with any of them null (or left out): NumPy's `start:stop:step`.
 */
export type SliceSpec = number | null | undefined | readonly (number | null | undefined)[];

/**
 * NumPy's basic indexing, one spec per leading axis (the axes after the last spec are taken whole):
 * `x.slice([0, 2], null, [1, null, 2], -1)` is `x[0:2, :, 1::2, -1]`. Starts and stops may be negative (counted
 * from the end) and are clamped to the axis as Python clamps them; a negative step walks backwards.
 */
export function slice<T extends TensorBase>(x: T, specs: readonly SliceSpec[]): T {
  expectTensor('slice', 'the input', x);
  if (specs.length > x.ndim) throw new Error(`slice: ${specs.length} specs for a tensor of ${x.ndim} dims (shape ${fmt(x.shape)})`);
  const starts: number[] = [], steps: number[] = [], lens: number[] = [], shape: number[] = [];
  x.shape.forEach((n, d) => {
    const spec = specs[d];
    if (spec === null || spec === undefined) {
      starts.push(0); steps.push(1); lens.push(n); shape.push(n);
    } else if (typeof spec === 'number') {
      if (!isInt(spec) || spec < -n || spec >= n) throw new Error(`slice: index ${show(spec)} is out of range for axis ${d} of size ${n} (shape ${fmt(x.shape)})`);
      starts.push(spec < 0 ? spec + n : spec); steps.push(1); lens.push(1);
    } else if (Array.isArray(spec) && spec.length <= 3 && spec.every((v) => v === null || v === undefined || isInt(v))) {
      const [start, stop, step] = range(spec, n, d, x.shape);
      const len = Math.max(0, Math.ceil((stop - start) / step));
      starts.push(len === 0 ? 0 : start); steps.push(step); lens.push(len); shape.push(len);
    } else {
      throw new Error(`slice: spec ${show(spec)} for axis ${d} must be null, an integer index, or [start, stop, step] of integers or nulls`);
    }
  });
  return box(x, starts, steps, lens, shape);
}

/** [start, stop, step] resolved against an axis of size n, as Python's slice.indices. */
function range(spec: readonly (number | null | undefined)[], n: number, d: number, shape: Shape): [number, number, number] {
  const step = spec[2] ?? 1;
  if (step === 0) throw new Error(`slice: step 0 for axis ${d} (shape ${fmt(shape)}); a step must be non-zero`);
  const lo = step > 0 ? 0 : -1, hi = step > 0 ? n : n - 1;
  const at = (v: number | null | undefined, dflt: number): number => (v === null || v === undefined ? dflt : v < 0 ? Math.max(v + n, lo) : Math.min(v, hi));
  return [at(spec[0], step > 0 ? lo : hi), at(spec[1], step > 0 ? hi : lo), step];
}

// Reductions. Summing is the reverse of broadcasting, so sum's rule expands the gradient back over the
// reduced dims; max and min send it to the element that was chosen.
import { extremeAlong, flatWalk, reduceSum, stridedWalk, type Walk } from '../../tensor/kernels.ts';
import { fmt, reductionAxes, show, sizeOf, stridesOf, type Shape } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';
import { expand } from './broadcast.ts';
import { div, mul } from './elementwise.ts';
import { permute, reshape } from './movement.ts';

type Axis = number | readonly number[];

/** The reduced shape with the axes kept as 1 (for broadcasting back), and as returned. */
function reducedShapes(op: string, x: TensorBase, axis: Axis | undefined, keepdim: boolean): { axes: number[]; kept: number[]; shape: number[] } {
  if (typeof keepdim !== 'boolean') throw new Error(`${op}: keepdim must be true or false, got ${String(keepdim)}`);
  const axes = reductionAxes(op, x.shape, axis);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return { axes, kept, shape: keepdim ? kept : x.shape.filter((_, i) => !axes.includes(i)) };
}

/** g of a reduction's output shape, viewed with the reduced axes kept as 1, expanded back over x. */
const spread = (g: TensorBase, x: TensorBase, kept: Shape): TensorBase =>
  expand(g.ndim === kept.length || g.ndim === 0 ? g : reshape(g, kept), x.shape);

interface Sum { walk: Walk; kept: Shape }
const SUM: OpDef<Sum> = makeOp({
  name: 'sum',
  forward: (out, [x], s) => reduceSum(s.walk, x.buf, x.off, out.buf, out.off),
  grads: [(g, [x], _y, s) => spread(g, x, s.kept)],
  tangent: ([t], _x, y, s) => apply(SUM, t!, [t!], y.shape, s),
  fast: {
    source: (io, s) => (io.size(0) === 1 && s.walk.outer.length === 0 // everything into one value, in reduceSum's order
      ? `{ let s = 0; for (let i = 0; i < ${io.size(1)}; i++) s += ${io.at(1, 'i')}; ${io.at(0, '0')} = s; }` : null),
  },
});

/** Σ over one axis, several, or all (omitted). */
export function sum<T extends TensorBase>(x: T, axis?: Axis, keepdim = false): T {
  expectTensor('sum', 'the input', x);
  if (axis === undefined && keepdim === false) { // everything, as a loss does: one flat run
    return apply(SUM, x, [x], [], { walk: flatWalk(x.shape, x.size, 1, 0), kept: x.shape.map(() => 1) });
  }
  const { kept, shape } = reducedShapes('sum', x, axis, keepdim);
  const keptStrides = stridesOf(kept).map((s, i) => (kept[i] === 1 ? 0 : s));
  return apply(SUM, x, [x], shape, { walk: stridedWalk(x.shape, stridesOf(x.shape), keptStrides), kept });
}

export function mean<T extends TensorBase>(x: T, axis?: Axis, keepdim = false): T {
  expectTensor('mean', 'the input', x);
  const { axes } = reducedShapes('mean', x, axis, keepdim);
  return div(sum(x, axes, keepdim), axes.reduce((p, a) => p * x.shape[a], 1));
}

/** Lines along one axis (or through all elements), as an [outer, n, inner] view; sign 1 for max, −1 for min. */
interface Lines { sign: 1 | -1; outer: number; n: number; inner: number; kept: Shape }

function linesOf(x: TensorBase, sign: 1 | -1, axis: number | undefined): Lines {
  if (axis === undefined) return { sign, outer: 1, n: x.size, inner: 1, kept: x.shape.map(() => 1) };
  return { sign, outer: sizeOf(x.shape.slice(0, axis)), n: x.shape[axis], inner: sizeOf(x.shape.slice(axis + 1)), kept: x.shape.map((d, i) => (i === axis ? 1 : d)) };
}

function positions(x: TensorBase, l: Lines): Int32Array {
  const at = new Int32Array(l.outer * l.inner);
  extremeAlong(l.sign, x.buf, x.off, l.outer, l.n, l.inner, at);
  return at;
}

// 1 at the element each line chose: the same choice as the forward pass, made again from x.
const CHOSEN: OpDef<Lines> = makeOp({
  name: 'chosen',
  forward: (out, [x], l) => { for (const p of positions(x, l)) out.buf[out.off + p] = 1; },
  grads: [null],
});

const extremeOp = (name: 'max' | 'min'): OpDef<Lines> => makeOp({
  name,
  forward: (out, [x], l) => {
    const at = positions(x, l), v = x.buf, xo = x.off, y = out.buf, yo = out.off;
    for (let k = 0; k < at.length; k++) y[yo + k] = v[xo + at[k]];
  },
  grads: [(g, [x], _y, l) => mul(spread(g, x, l.kept), apply(CHOSEN, x, [x], x.shape, l))],
  // The tangent of the element each line chose: the lines' sums of t times the 1 at that element.
  tangent: ([t], [x], y, l) => reshape(sum(reshape(mul(t!, apply(CHOSEN, x, [x], x.shape, l)), [l.outer, l.n, l.inner]), 1), y.shape),
});
const MAX = extremeOp('max'), MIN = extremeOp('min');

/** The largest or smallest element over the axes; the gradient goes to the first one chosen. */
function extreme<T extends TensorBase>(op: 'max' | 'min', x: T, axis: Axis | undefined, keepdim: boolean): T {
  expectTensor(op, 'the input', x);
  const { axes, kept, shape } = reducedShapes(op, x, axis, keepdim);
  const sign = op === 'max' ? 1 : -1;
  // An empty list of axes reduces nothing, as NumPy's axis=() and sum([]): each value is a line of its own, so the
  // output is the input's values, in the graph (the gradient passes through).
  if (axes.length === 0) return apply(op === 'max' ? MAX : MIN, x, [x], shape, { sign, outer: x.size, n: 1, inner: 1, kept: x.shape });
  if (x.size === 0) throw new Error(`${op}: cannot reduce an empty tensor of shape ${fmt(x.shape)}`);
  if (axes.length > 1 && axes.length < x.ndim) { // several axes: move them to the end as one, then reduce it
    const rest = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const lined = reshape(permute(x, [...rest, ...axes]), [...rest.map((i) => x.shape[i]), -1]);
    const r = extreme(op, lined, -1, false);
    return keepdim ? reshape(r, kept) : r;
  }
  return apply(op === 'max' ? MAX : MIN, x, [x], shape, linesOf(x, sign, axes.length === 1 ? axes[0] : undefined));
}

export const max = <T extends TensorBase>(x: T, axis?: Axis, keepdim = false): T => extreme('max', x, axis, keepdim);
export const min = <T extends TensorBase>(x: T, axis?: Axis, keepdim = false): T => extreme('min', x, axis, keepdim);

// The index along the axis (or into the flattened tensor) of the first max / min: an integer, no gradient.
const argOp = (name: 'argmax' | 'argmin'): OpDef<Lines> => makeOp({
  name,
  forward: (out, [x], l) => {
    const at = positions(x, l), y = out.buf, yo = out.off;
    for (let k = 0; k < at.length; k++) y[yo + k] = Math.floor(at[k] / l.inner) % l.n;
  },
  grads: [null],
});
const ARGMAX = argOp('argmax'), ARGMIN = argOp('argmin');

function arg<T extends TensorBase>(op: 'argmax' | 'argmin', x: T, axis: number | undefined, keepdim: boolean): T {
  expectTensor(op, 'the input', x);
  if (x.size === 0) throw new Error(`${op}: cannot reduce an empty tensor of shape ${fmt(x.shape)}`);
  if (axis !== undefined && typeof axis !== 'number') throw new Error(`${op}: axis must be one number (or omitted), got ${show(axis)}`);
  const { axes, kept, shape } = reducedShapes(op, x, axis, keepdim);
  const l = linesOf(x, op === 'argmax' ? 1 : -1, axis === undefined ? undefined : axes[0]);
  // No rule: indices are constants, as PyTorch's long result.
  return apply(op === 'argmax' ? ARGMAX : ARGMIN, x, [x], axis === undefined ? (keepdim ? kept : []) : shape, l);
}

export const argmax = <T extends TensorBase>(x: T, axis?: number, keepdim = false): T => arg('argmax', x, axis, keepdim);
export const argmin = <T extends TensorBase>(x: T, axis?: number, keepdim = false): T => arg('argmin', x, axis, keepdim);

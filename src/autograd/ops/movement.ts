// Ops that move values without changing them; their rules move the gradient back.
import { stridedCopy, stridedWalk, type Walk } from '../../tensor/kernels.ts';
import { fmt, normalizeAxis, reductionAxes, show, sizeOf, stridesOf } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';

const RESHAPE: OpDef<undefined> = makeOp({
  name: 'reshape',
  forward: () => {}, // a view: the output shares the input's storage
  grads: [(g, [x]) => reshape(g, x.shape)],
  tangent: ([t], _x, y) => reshape(t!, y.shape),
  fast: { view: true },
});

/** The same values in a new shape (one dim may be −1, inferred), sharing storage with x. */
export function reshape<T extends TensorBase>(x: T, dims: readonly unknown[]): T {
  expectTensor('reshape', 'the input', x);
  const bad = (why: string): Error => new Error(`reshape: cannot view shape ${fmt(x.shape)} (${x.size} elements) as ${show(dims)}: ${why}`);
  let known = 1, free = -1;
  dims.forEach((d, i) => {
    if (d === -1 && free < 0) free = i;
    else if (d === -1) throw bad('only one dim can be -1');
    else if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw bad(`dim ${i} is ${show(d)}, not a non-negative integer or -1`);
    else known *= d;
  });
  const shape = [...dims] as number[];
  if (free >= 0) {
    if (known === 0 || x.size % known !== 0) throw bad(`the other dims (${known} elements) do not divide it`);
    shape[free] = x.size / known;
  }
  if (sizeOf(shape) !== x.size) throw bad(`that is ${sizeOf(shape)} elements`);
  return apply(RESHAPE, x, [x], shape, undefined);
}

interface Permutation { walk: Walk; inverse: number[] }
const PERMUTE: OpDef<Permutation> = makeOp({
  name: 'permute',
  forward: (out, [x], p) => stridedCopy(p.walk, x.buf, x.off, out.buf, out.off),
  grads: [(g, _x, _y, p) => permute(g, p.inverse)],
  tangent: ([t], _x, y, p) => apply(PERMUTE, t!, [t!], y.shape, p),
});

/** The axes reordered (a copy, so every tensor stays contiguous). */
export function permute<T extends TensorBase>(x: T, dims: readonly unknown[]): T {
  expectTensor('permute', 'the input', x);
  const nd = x.ndim;
  const perm = dims.map((d) => (typeof d === 'number' && d < 0 ? d + nd : d));
  if (perm.length !== nd || new Set(perm).size !== nd || perm.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d >= nd)) {
    throw new Error(`permute: ${show(dims)} is not a permutation of the ${nd} axes of shape ${fmt(x.shape)}`);
  }
  const p = perm as number[], strides = stridesOf(x.shape);
  const shape = p.map((d) => x.shape[d]);
  const inverse = new Array<number>(nd);
  p.forEach((d, i) => (inverse[d] = i));
  const walk = stridedWalk(shape, p.map((d) => strides[d]), shape.map(() => 0));
  return apply(PERMUTE, x, [x], shape, { walk, inverse });
}

const DETACH: OpDef<undefined> = makeOp({ name: 'detach', forward: () => {}, grads: [null], fast: { view: true } });

/** The same values (shared storage), cut from the graph (it has no rule): a view. */
export function detach<T extends TensorBase>(x: T): T {
  return apply(DETACH, x, [x], x.shape, undefined);
}

const CLONE: OpDef<undefined> = makeOp({
  name: 'clone',
  forward: (out, [x]) => out.buf.set(x.values(), out.off),
  grads: [(g) => g],
  tangent: ([t]) => t,
});

/** A copy of x in new storage, in the graph. */
export function clone<T extends TensorBase>(x: T): T {
  expectTensor('clone', 'the input', x);
  return apply(CLONE, x, [x], x.shape, undefined);
}

/** x with a new axis of size 1 at `axis` (from −(ndim + 1) to ndim), a view. */
export function unsqueeze<T extends TensorBase>(x: T, axis: number): T {
  expectTensor('unsqueeze', 'the input', x);
  const shape = [...x.shape];
  shape.splice(normalizeAxis('unsqueeze', axis, [...x.shape, 1]), 0, 1);
  return reshape(x, shape);
}

/** x without its axes of size 1, or without the given ones where they have size 1 (others are kept, as PyTorch), a view. */
export function squeeze<T extends TensorBase>(x: T, axis?: number | readonly number[]): T {
  expectTensor('squeeze', 'the input', x);
  const axes = axis === undefined ? null : reductionAxes('squeeze', x.shape, axis);
  return reshape(x, x.shape.filter((d, i) => d !== 1 || (axes !== null && !axes.includes(i))));
}

/** The axes from startAxis to endAxis (inclusive) merged into one, a view; a 0-d tensor becomes 1-D. */
export function flatten<T extends TensorBase>(x: T, startAxis = 0, endAxis = -1): T {
  expectTensor('flatten', 'the input', x);
  const shape = x.ndim === 0 ? [1] : x.shape;
  const s = normalizeAxis('flatten', startAxis, shape), e = normalizeAxis('flatten', endAxis, shape);
  if (s > e) throw new Error(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis} (shape ${fmt(x.shape)})`);
  return reshape(x, [...shape.slice(0, s), sizeOf(shape.slice(s, e + 1)), ...shape.slice(e + 1)]);
}

// In-place ops: they overwrite a tensor's storage (optimizer updates, zeroed gradients, loaded weights). The door
// stamps it with the clock, so that backward refuses a graph whose tensors were changed after it used them.
import { addScaled, fillRun, SET_MIN, stridedCopy, stridedWalk, type Walk } from '../../tensor/kernels.ts';
import { broadcastShapes, broadcastStrides, fmt, sameShape } from '../../tensor/shape.ts';
import { makeOp, TensorBase, type OpDef } from '../tensor-base.ts';
import { apply, describe, expectTensor, IN_PLACE } from '../op.ts';

/** A walk that reads `src` broadcast to the target's shape (refusing shapes that do not broadcast to it). */
function reading(op: string, target: TensorBase, src: TensorBase): Walk {
  if (!sameShape(broadcastShapes(op, target.shape, src.shape), target.shape)) {
    throw new Error(`${op}: a source of shape ${fmt(src.shape)} cannot be broadcast to the target's shape ${fmt(target.shape)}`);
  }
  return stridedWalk(target.shape, broadcastStrides(src.shape, target.shape), target.shape.map(() => 0));
}

const COPY: OpDef<Walk> = makeOp({ name: 'copy_', forward: (out, [src], w) => stridedCopy(w, src.buf, src.off, out.buf, out.off), grads: [] });
const FILL: OpDef<number> = makeOp({
  name: 'fill_',
  forward: (out, _ins, v) => fillRun(out.size, v, out.buf, out.off),
  grads: [],
  fast: { source: (io, v) => (io.size(0) >= SET_MIN ? null : `for (let i = 0; i < ${io.size(0)}; i++) ${io.at(0, 'i')} = ${io.value(v)};`) },
});
/**
 * A scale (alpha, value) is a number, or a one-element tensor read when the op runs: an optimizer keeps its learning
 * rate in one, so that a replayed step (compile) sees it change. As settings: the number, or null for "the last input".
 */
export type Scale = number | TensorBase;
const scaleOf = (s: number | null, ins: readonly TensorBase[]): number => s ?? ins[ins.length - 1].buf[ins[ins.length - 1].off];

/** A scale that is not a number, checked: a one-element tensor, which becomes the op's last input. */
function scaleTensor(op: string, which: string, s: unknown): TensorBase {
  if (s instanceof TensorBase && s.size === 1) return s;
  throw new Error(`${op}: ${which} must be a number or a one-element tensor, got ${s instanceof TensorBase ? `shape ${fmt(s.shape)}` : describe(s)}`);
}

const ADD: OpDef<number | null> = makeOp({
  name: 'add_',
  forward: (out, ins, s) => {
    const alpha = scaleOf(s, ins), src = ins[0], y = out.buf, yo = out.off, n = out.size, x = src.buf, xo = src.off;
    if (src.size === 1) { const v = alpha * x[xo]; for (let i = 0; i < n; i++) y[yo + i] += v; } else addScaled(n, alpha, x, xo, y, yo);
  },
  grads: [],
  fast: {
    source: (io, s) => {
      if (io.size(1) >= SET_MIN) return null; // the kernel's unrolled loop
      const alpha = s === null ? io.at(2, '0') : io.value(s); // a scale tensor is read at each run
      return io.size(1) === 1
        ? `{ const v = ${alpha} * ${io.at(1, '0')}; for (let i = 0; i < ${io.size(0)}; i++) ${io.at(0, 'i')} += v; }`
        : `{ const a = ${alpha}; for (let i = 0; i < ${io.size(0)}; i++) ${io.at(0, 'i')} += a * ${io.at(1, 'i')}; }`;
    },
  },
});
const MUL: OpDef<undefined> = makeOp({
  name: 'mul_',
  forward: (out, [src]) => {
    const y = out.buf, yo = out.off, n = out.size, s = src.buf, so = src.off;
    if (src.size === 1) { const v = s[so]; for (let i = 0; i < n; i++) y[yo + i] *= v; } else for (let i = 0; i < n; i++) y[yo + i] *= s[so + i];
  },
  grads: [],
});

const ADDCMUL: OpDef<number | null> = makeOp({
  name: 'addcmul_',
  forward: (out, ins, s) => {
    const value = scaleOf(s, ins), o = out.buf, oo = out.off, x = ins[0].buf, xo = ins[0].off, y = ins[1].buf, yo = ins[1].off;
    for (let i = 0; i < out.size; i++) o[oo + i] += value * x[xo + i] * y[yo + i];
  },
  grads: [],
});
const ADDCDIV: OpDef<number | null> = makeOp({
  name: 'addcdiv_',
  forward: (out, ins, s) => {
    const value = scaleOf(s, ins), o = out.buf, oo = out.off, x = ins[0].buf, xo = ins[0].off, y = ins[1].buf, yo = ins[1].off;
    for (let i = 0; i < out.size; i++) o[oo + i] += (value * x[xo + i]) / y[yo + i];
  },
  grads: [],
});

/** target ← src (broadcast to target's shape). */
export function copy_<T extends TensorBase>(target: T, src: TensorBase): T {
  expectTensor('copy_', 'the source', src);
  return apply(COPY, target, [src], IN_PLACE, reading('copy_', target, src));
}

/** target ← value everywhere. */
export function fill_<T extends TensorBase>(target: T, value: number): T {
  if (typeof value !== 'number') throw new Error(`fill_: value must be a number, got ${describe(value)}`);
  return apply(FILL, target, [], IN_PLACE, value);
}

/** Same shape, or a one-element source: the fast in-place forms of elementwise updates. */
function sameOrScalar(op: string, target: TensorBase, src: unknown): TensorBase {
  const t = expectTensor(op, 'the operand', src);
  if (t.size !== 1 && !sameShape(t.shape, target.shape)) {
    throw new Error(`${op}: the operand's shape ${fmt(t.shape)} must equal the target's ${fmt(target.shape)} (or hold one element)`);
  }
  return t;
}

/** target ← target + alpha·src. */
export function add_<T extends TensorBase>(target: T, src: TensorBase, alpha: Scale = 1): T {
  sameOrScalar('add_', target, src);
  if (typeof alpha === 'number') return apply(ADD, target, [src], IN_PLACE, alpha);
  return apply(ADD, target, [src, scaleTensor('add_', 'alpha', alpha)], IN_PLACE, null);
}

/** target ← target · src. */
export function mul_<T extends TensorBase>(target: T, src: TensorBase): T {
  return apply(MUL, target, [sameOrScalar('mul_', target, src)], IN_PLACE, undefined);
}

function sameShapes(op: string, target: TensorBase, a: TensorBase, b: TensorBase): void {
  expectTensor(op, 'the first operand', a);
  expectTensor(op, 'the second operand', b);
  if (!sameShape(a.shape, target.shape) || !sameShape(b.shape, target.shape)) {
    throw new Error(`${op}: operands ${fmt(a.shape)} and ${fmt(b.shape)} must both have the target's shape ${fmt(target.shape)}`);
  }
}

/** target ← target + value·a·b (as PyTorch's addcmul_). */
export function addcmul_<T extends TensorBase>(target: T, a: TensorBase, b: TensorBase, value: Scale = 1): T {
  sameShapes('addcmul_', target, a, b);
  if (typeof value === 'number') return apply(ADDCMUL, target, [a, b], IN_PLACE, value);
  return apply(ADDCMUL, target, [a, b, scaleTensor('addcmul_', 'value', value)], IN_PLACE, null);
}

/** target ← target + value·a / b (as PyTorch's addcdiv_). */
export function addcdiv_<T extends TensorBase>(target: T, a: TensorBase, b: TensorBase, value: Scale = 1): T {
  sameShapes('addcdiv_', target, a, b);
  if (typeof value === 'number') return apply(ADDCDIV, target, [a, b], IN_PLACE, value);
  return apply(ADDCDIV, target, [a, b, scaleTensor('addcdiv_', 'value', value)], IN_PLACE, null);
}

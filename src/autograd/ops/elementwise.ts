// Elementwise ops, as a derivative table: each line is a forward on numbers and the derivative rule of each
// input in tensor ops (g is ∂loss/∂y), so gradients can themselves be differentiated. Binary ops broadcast
// like NumPy; their rules are written for equal shapes and sumTo reduces each gradient to its operand's shape.
import { A_SCALAR, B_SCALAR, binaryMapOf, broadcastWalk, clampValues, SAME, ternaryMapOf, unaryMapOf, type Walk } from '../../tensor/kernels.ts';
import { makeOp, TensorBase, type OpDef, type Rule } from '../tensor-base.ts';
import { apply, expectTensor, operand, tensorAmong, type Operand } from '../op.ts';
import { expand, sumTo } from './broadcast.ts';
import { lift } from './movement.ts';
import { broadcastShapes, sameShape } from '../../tensor/shape.ts';

type T = TensorBase;
export interface UnaryDef {
  f: (x: number) => number;
  /** ∂loss/∂x from g, x and y = f(x), reading g once. */
  dx: (g: T, x: T, y: T) => T;
}
export interface BinaryDef {
  f: (a: number, b: number) => number;
  da: ((g: T, a: T, b: T, y: T) => T) | null;
  db: ((g: T, a: T, b: T, y: T) => T) | null;
}
export type UnaryFn = <X extends T>(x: X) => X;
export type BinaryFn = <X extends T>(a: X | number, b: X | number) => X;

// Every rule of these tables reads g once, so the backward walk may lend g to it as scratch.
// An elementwise op's Jacobian is diagonal, so a rule applied to a tangent instead of g gives that input's share of
// the output's tangent (forward mode): J·t = Jᵀ·t. The shares add up, broadcast to the output's shape.
const elementwise = (f: (...xs: number[]) => number) => ({ map: f, rulesReadGradOnce: true });

/** One function per entry of a table of unary ops, named by its key. */
export function unaryOps<K extends string>(defs: Record<K, UnaryDef>): Record<K, UnaryFn> {
  const fns = {} as Record<K, UnaryFn>;
  for (const name of Object.keys(defs) as K[]) {
    const { f, dx } = defs[name];
    const unaryMap = unaryMapOf(f);
    const op: OpDef<undefined> = makeOp({
      name,
      forward: (out, ins) => unaryMap(out.size, ins[0].buf, ins[0].off, out.buf, out.off),
      grads: [(g, ins, y) => dx(g, ins[0], y)],
      tangent: ([t], ins, y) => dx(t!, ins[0], y),
      batch: ([x]) => fns[name](x), // elementwise: the batch is one more axis
      fast: elementwise(f),
    });
    fns[name] = <X extends T>(x: X): X => {
      expectTensor(name, 'the input', x);
      return apply(op, x, [x], x.shape, undefined);
    };
  }
  return fns;
}

/** One function per entry of a table of binary ops, named by its key; a number operand is a 0-d constant. */
export function binaryOps<K extends string>(defs: Record<K, BinaryDef>): Record<K, BinaryFn> {
  const fns = {} as Record<K, BinaryFn>;
  for (const name of Object.keys(defs) as K[]) {
    const { f, da, db } = defs[name];
    const binaryMap = binaryMapOf(f);
    const op: OpDef<Walk> = makeOp({
      name,
      forward: (out, ins, w) => binaryMap(w, out.size, ins[0].buf, ins[0].off, ins[1].buf, ins[1].off, out.buf, out.off),
      grads: [
        da && ((g, ins, y) => sumTo(da(g, ins[0], ins[1], y), ins[0].shape)),
        db && ((g, ins, y) => sumTo(db(g, ins[0], ins[1], y), ins[1].shape)),
      ],
      tangent: ([ta, tb], [a, b], y) => tangentOf([ta && da && da(ta, a, b, y), tb && db && db(tb, a, b, y)], y),
      batch: (xs, b, _w, shape) => fns[name](...lift(xs, b, shape.length) as [T, T]),
      fast: elementwise(f),
    });
    fns[name] = <X extends T>(a: X | number, b: X | number): X => {
      let like: X, x: T, z: T;
      if (a instanceof TensorBase && b instanceof TensorBase) {
        like = a; x = a; z = b;
      } else {
        like = tensorAmong(name, a, b) as X;
        x = operand(a, like, name, 'the first operand');
        z = operand(b, like, name, 'the second operand');
      }
      // Same shapes, or a single value against a tensor, as in most ops of a small network: one flat walk.
      const w = sameShape(x.shape, z.shape) ? SAME : z.size === 1 && z.ndim <= x.ndim ? B_SCALAR
        : x.size === 1 && x.ndim <= z.ndim ? A_SCALAR : broadcastWalk(name, x.shape, z.shape);
      const shape = w === SAME || w === B_SCALAR ? x.shape : w === A_SCALAR ? z.shape : w.shape;
      return apply(op, like, [x, z], shape, w);
    };
  }
  return fns;
}

/** The sum of an output's tangent terms (null: zero), broadcast to the output's shape; null if all are zero. */
export function tangentOf(terms: readonly (T | null | undefined)[], out: T): T | null {
  let s: T | null = null;
  for (const t of terms) if (t != null) s = s === null ? t : add(s, t);
  return s === null || sameShape(s.shape, out.shape) ? s : expand(s, out.shape);
}

// Stable for any x: exp is only ever taken of a non-positive number, so it cannot overflow.
const sigmoidOf = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

export const { neg, exp, log, sigmoid, tanh, relu, abs, sign, sqrt, square, sin, cos, log1p, expm1 } = unaryOps({
  neg: { f: (x) => -x, dx: (g): T => neg(g) },
  exp: { f: Math.exp, dx: (g, _x, y): T => mul(g, y) },
  log: { f: Math.log, dx: (g, x): T => div(g, x) },
  sigmoid: { f: sigmoidOf, dx: (g, _x, y): T => sigmoidBackward(g, y) }, // F1: σ' = σ(1 − σ), from the output
  tanh: { f: Math.tanh, dx: (g, _x, y): T => tanhBackward(g, y) },
  relu: { f: (x) => (x <= 0 ? 0 : x), dx: (g, x): T => reluBackward(g, x) }, // NaN stays NaN, as PyTorch
  abs: { f: Math.abs, dx: (g, x): T => mul(g, sign(x)) },
  sign: { f: Math.sign, dx: (g): T => where(g, 0, 0) }, // zeros of g's shape, as PyTorch's sign
  sqrt: { f: Math.sqrt, dx: (g, _x, y): T => div(g, mul(y, 2)) },
  square: { f: (x) => x * x, dx: (g, x): T => mul(g, mul(x, 2)) },
  sin: { f: Math.sin, dx: (g, x): T => mul(g, cos(x)) },
  cos: { f: Math.cos, dx: (g, x): T => neg(mul(g, sin(x))) },
  log1p: { f: Math.log1p, dx: (g, x): T => div(g, add(x, 1)) },
  expm1: { f: Math.expm1, dx: (g, _x, y): T => mul(g, add(y, 1)) },
});

export const { add, sub, mul, div, pow, sigmoidBackward, tanhBackward, reluBackward } = binaryOps({
  add: { f: (a, b) => a + b, da: (g): T => g, db: (g): T => g },
  sub: { f: (a, b) => a - b, da: (g): T => g, db: (g): T => neg(g) },
  mul: { f: (a, b) => a * b, da: (g, _a, b): T => mul(g, b), db: (g, a): T => mul(g, a) },
  div: { f: (a, b) => a / b, da: (g, _a, b): T => div(g, b), db: (g, _a, b, y): T => neg(div(mul(g, y), b)) },
  // b·a^(b−1), taken as 0 for b = 0 (as PyTorch), so 0^0 does not give 0·∞; a^b·ln a, taken as 0 for a = 0, b ≥ 0.
  pow: {
    f: (a, b) => a ** b,
    da: (g, a, b): T => powBackward(g, a, b),
    db: (g, a, b, y): T => mul(g, powExponentGrad(a, b, y)),
  },
  // Fused backward ops (as PyTorch's sigmoid_backward(grad, result)): one pass instead of three, and ops
  // themselves, with their own rules, so higher derivatives still work.
  sigmoidBackward: {
    f: (g, y) => g * (y * (1 - y)), // the documents' order: delta · (a·(1 − a))
    da: (gg, _g, y): T => sigmoidBackward(gg, y),
    db: (gg, g, y): T => mul(mul(gg, g), sub(1, mul(y, 2))),
  },
  tanhBackward: {
    f: (g, y) => g * (1 - y * y),
    da: (gg, _g, y): T => tanhBackward(gg, y),
    db: (gg, g, y): T => mul(mul(gg, g), mul(y, -2)),
  },
  // g where x > 0, else 0 (PyTorch's threshold_backward: g also where x is NaN); relu' is a step, so nothing flows to x.
  reluBackward: {
    f: (g, x) => (x <= 0 ? 0 : g),
    da: (gg, _g, x): T => reluBackward(gg, x),
    db: null,
  },
});

/** ∂(aᵉ)/∂e = y·ln a for y = aᵉ, taken as 0 where a = 0 and e ≥ 0 (pow's exponent rule, for g = 1). */
const powExponentGrad = (a: T, e: T, y: T): T => where(mul(eq(a, 0), ge(e, 0)), 0, mul(y, log(a)));

// Comparisons give 1 where true and 0 where false; nothing flows back through them.
const comparisons = binaryOps({
  gt: { f: (a, b) => (a > b ? 1 : 0), da: null, db: null },
  lt: { f: (a, b) => (a < b ? 1 : 0), da: null, db: null },
  ge: { f: (a, b) => (a >= b ? 1 : 0), da: null, db: null },
  le: { f: (a, b) => (a <= b ? 1 : 0), da: null, db: null },
  eq: { f: (a, b) => (a === b ? 1 : 0), da: null, db: null },
  ne: { f: (a, b) => (a !== b ? 1 : 0), da: null, db: null },
  // On ties the gradient is split evenly, as PyTorch does.
  maximum: {
    f: (a, b) => (a > b || a !== a ? a : b),
    da: (g, a, b): T => mul(g, where(eq(a, b), 0.5, gt(a, b))),
    db: (g, a, b): T => mul(g, where(eq(a, b), 0.5, lt(a, b))),
  },
  minimum: {
    f: (a, b) => (a < b || a !== a ? a : b),
    da: (g, a, b): T => mul(g, where(eq(a, b), 0.5, lt(a, b))),
    db: (g, a, b): T => mul(g, where(eq(a, b), 0.5, gt(a, b))),
  },
});
export const { gt, lt, ge, le, eq, ne } = comparisons;

/**
 * The larger of `a` and `b`, elementwise, broadcasting as NumPy does (a number is a 0-d tensor); NaN where either
 * is NaN. On ties the gradient is split evenly between the two, as PyTorch does. Called with Tensors, it returns a
 * Tensor.
 *
 * @example
 * ```ts
 * maximum(tensor([1, 5]), tensor([3, 2])) // [3, 5]
 * maximum(tensor([-1, 2]), 0) // [0, 2]
 * ```
 *
 * @function
 */
export const maximum: <X extends TensorBase>(a: X | number, b: X | number) => X = comparisons.maximum;

/**
 * The smaller of `a` and `b`, elementwise, with broadcasting; NaN where either is NaN. On ties the gradient is split
 * evenly between the two.
 *
 * @example
 * ```ts
 * minimum(tensor([1, 5]), tensor([3, 2])) // [1, 2]
 * minimum(tensor([[1], [4]]), tensor([2, 3])) // [[1, 1], [2, 3]]
 * ```
 *
 * @function
 */
export const minimum: <X extends TensorBase>(a: X | number, b: X | number) => X = comparisons.minimum;

const CLAMP: OpDef<readonly [number, number]> = makeOp({
  name: 'clamp',
  forward: (out, [x], [lo, hi]) => clampValues(lo, hi, x.size, x.buf, x.off, out.buf, out.off),
  grads: [(g, [x], _y, [lo, hi]) => mul(g, mul(ge(x, lo), le(x, hi)))], // passes at the bounds too, as PyTorch
  tangent: ([t], [x], _y, [lo, hi]) => mul(t!, mul(ge(x, lo), le(x, hi))),
  batch: ([x], _b, [lo, hi]) => clamp(x, lo, hi),
  fast: { rulesReadGradOnce: true },
});

/** x limited to [lo, hi] (NaN stays NaN). */
export function clamp<X extends T>(x: X, lo = -Infinity, hi = Infinity): X {
  expectTensor('clamp', 'the input', x);
  if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new Error(`clamp: min ${String(lo)} must be a number not above max ${String(hi)}`);
  }
  return apply(CLAMP, x, [x], x.shape, [lo, hi] as const);
}

export interface TernaryDef {
  f: (a: number, b: number, c: number) => number;
  da: ((g: T, a: T, b: T, c: T, y: T) => T) | null;
  db: ((g: T, a: T, b: T, c: T, y: T) => T) | null;
  dc: ((g: T, a: T, b: T, c: T, y: T) => T) | null;
}
export type TernaryFn = <X extends T>(a: X | number, b: X | number, c: X | number) => X;

const fits = (t: T, shape: readonly number[]): boolean => sameShape(t.shape, shape) || (t.size === 1 && t.ndim <= shape.length);
const stride = (t: T, out: T): number => (t.size === 1 && out.size !== 1 ? 0 : 1);

/** Like binaryOps, for ops of three operands (where, and fused backward ops). */
export function ternaryOps<K extends string>(defs: Record<K, TernaryDef>): Record<K, TernaryFn> {
  const fns = {} as Record<K, TernaryFn>;
  for (const name of Object.keys(defs) as K[]) {
    const { f, da, db, dc } = defs[name];
    const ternaryMap = ternaryMapOf(f);
    const reduced = (rule: TernaryDef['da'], i: number): Rule<undefined> | null =>
      rule && ((g, ins, y) => sumTo(rule(g, ins[0], ins[1], ins[2], y), ins[i].shape));
    const op: OpDef<undefined> = makeOp({
      name,
      forward: (out, [a, b, c]) => ternaryMap(out.size, a.buf, a.off, stride(a, out), b.buf, b.off, stride(b, out),
        c.buf, c.off, stride(c, out), out.buf, out.off),
      grads: [reduced(da, 0), reduced(db, 1), reduced(dc, 2)],
      tangent: ([ta, tb, tc], [a, b, c], y) => tangentOf([ta && da && da(ta, a, b, c, y), tb && db && db(tb, a, b, c, y), tc && dc && dc(tc, a, b, c, y)], y),
      batch: (xs, b, _a, shape) => fns[name](...lift(xs, b, shape.length) as [T, T, T]),
      fast: elementwise(f),
    });
    fns[name] = <X extends T>(a: X | number, b: X | number, c: X | number): X => {
      const like = (a instanceof TensorBase ? a : tensorAmong(name, b, c)) as X;
      let x = operand(a, like, name, 'the first operand'), y = operand(b, like, name, 'the second operand'), z = operand(c, like, name, 'the third operand');
      // Each operand is read with stride 1, or 0 for a single value; any other broadcast is expanded first.
      const widest = x.ndim >= y.ndim && x.ndim >= z.ndim ? x : y.ndim >= z.ndim ? y : z;
      let shape = widest.shape;
      if (!fits(x, shape) || !fits(y, shape) || !fits(z, shape)) {
        shape = broadcastShapes(name, broadcastShapes(name, x.shape, y.shape), z.shape);
        if (!fits(x, shape)) x = expand(x, shape);
        if (!fits(y, shape)) y = expand(y, shape);
        if (!fits(z, shape)) z = expand(z, shape);
      }
      return apply(op, like, [x, y, z], shape, undefined);
    };
  }
  return fns;
}

const ternary = ternaryOps({
  where: {
    f: (c, a, b) => (c !== 0 ? a : b),
    da: null,
    db: (g, c): T => where(c, g, 0),
    dc: (g, c): T => where(c, 0, g),
  },
  // Fused backward ops of the losses (see losses.ts), each one pass instead of three.
  squaredErrorBackward: { // g·2(p − y)
    f: (g, p, y) => g * (2 * (p - y)),
    da: (gg, _g, p, y): T => squaredErrorBackward(gg, p, y),
    db: (gg, g): T => mul(mul(gg, g), 2),
    dc: (gg, g): T => mul(mul(gg, g), -2),
  },
  // g·b·a^(b−1), 0 where b = 0 (as PyTorch's pow_backward); its own rules are those of that expression.
  powBackward: {
    f: (g, a, b) => (b === 0 ? 0 : g * (b * a ** (b - 1))),
    da: (gg, _g, a, b): T => powBackward(gg, a, b),
    db: (gg, g, a, b): T => where(eq(b, 0), 0, mul(powBackward(mul(gg, g), a, sub(b, 1)), b)),
    dc: (gg, g, a, b): T => { // d/db (b·a^(b−1)) = a^(b−1) + b·∂a^(b−1)/∂b
      const e = sub(b, 1), y = pow(a, e);
      return where(eq(b, 0), 0, mul(mul(gg, g), add(y, mul(b, powExponentGrad(a, e, y)))));
    },
  },
  bceWithLogitsBackward: { // g·(σ(z) − y)
    f: (g, z, y) => g * (sigmoidOf(z) - y),
    da: (gg, _g, z, y): T => bceWithLogitsBackward(gg, z, y),
    db: (gg, g, z): T => sigmoidBackward(mul(gg, g), sigmoid(z)),
    dc: (gg, g): T => neg(mul(gg, g)),
  },
});
export const { powBackward, squaredErrorBackward, bceWithLogitsBackward } = ternary;

/**
 * `a` where `cond` is non-zero, else `b`, elementwise, with the three broadcast together as NumPy does (a number is a
 * 0-d tensor). The gradient flows to `a` where it was chosen and to `b` elsewhere; none flows to `cond`.
 *
 * @example
 * ```ts
 * where(tensor([1, 0, 1]), tensor([1, 2, 3]), 0) // [1, 0, 3]
 * const x = tensor([-2, 3]);
 * where(x.gt(0), x, x.mul(0.1)) // [-0.2, 3]
 * ```
 *
 * @function
 */
export const where: <X extends TensorBase>(cond: X | number, a: X | number, b: X | number) => X = ternary.where;

export type { Operand };

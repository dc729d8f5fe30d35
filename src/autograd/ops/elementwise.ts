// Elementwise ops. Each line is a forward and its derivative side by side, like a derivative table:
// the backward pass multiplies the incoming gradient by the derivative given here.
import { alloc } from '../../tensor/alloc.ts';
import { Tensor, type Operand } from '../../tensor/tensor.ts';
import { broadcast, FORWARD, GRAD_A, GRAD_B, map, mapGrad, walk, type Binary } from '../../tensor/kernels.ts';
import { gradOf, record } from '../graph.ts';

// y = f(a, b);  ∂y/∂a;  ∂y/∂b
export const ADD: Binary = { f: (a, b) => a + b, da: () => 1, db: () => 1 };
export const SUB: Binary = { f: (a, b) => a - b, da: () => 1, db: () => -1 };
export const MUL: Binary = { f: (a, b) => a * b, da: (_a, b) => b, db: (a) => a };
export const DIV: Binary = { f: (a, b) => a / b, da: (_a, b) => 1 / b, db: (_a, b, y) => -y / b };
export const POW: Binary = {
  f: (a, b) => a ** b,
  da: (a, b) => (b === 0 ? 0 : b * a ** (b - 1)), // b·a^(b−1), taken as 0 for b = 0 (as PyTorch) to avoid 0·∞
  db: (a, b, y) => (a === 0 && b >= 0 ? 0 : y * Math.log(a)), // a^b·ln a
};

/** y = f(x) and dy/dx, given x and y (so σ' reuses σ, exp' reuses exp). */
export interface Unary {
  f(x: number): number;
  df(x: number, y: number): number;
}

// Stable for any x: exp is only ever taken of a non-positive number, so it cannot overflow.
const sigmoid = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
};

export const NEG: Unary = { f: (x) => -x, df: () => -1 };
export const EXP: Unary = { f: Math.exp, df: (_x, y) => y };
export const LOG: Unary = { f: Math.log, df: (x) => 1 / x };
export const SIGMOID: Unary = { f: sigmoid, df: (_x, s) => s * (1 - s) }; // F1: σ'(z) = σ(z)(1 − σ(z))
export const TANH: Unary = { f: Math.tanh, df: (_x, y) => 1 - y * y };
export const RELU: Unary = { f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) };
export const ABS: Unary = { f: Math.abs, df: (x) => Math.sign(x) };
export const clamp = (lo: number, hi: number): Unary => {
  if (lo > hi || Number.isNaN(lo) || Number.isNaN(hi)) throw new Error(`clamp: min ${lo} must be a number not above max ${hi}`);
  return { f: (x) => (x < lo ? lo : x > hi ? hi : x), df: (x) => (x >= lo && x <= hi ? 1 : 0) };
};

export function unary(op: string, fn: Unary, x: Tensor): Tensor {
  const out = new Tensor(alloc(x.size), x.shape);
  map(fn.f, x.data, out.data);
  return record(out, op, [x], (g) => mapGrad(fn.df, x.data, out.data, g, gradOf(x)));
}

// A number operand becomes a 0-d constant. Programs reuse a few constants (0.5, a learning rate, n for a
// mean) in every step, so they are cached: no ops ever write to a constant, and users never hold one.
const constants = new Map<number, Tensor>();
const SCALAR: readonly number[] = [];
function asTensor(b: Operand): Tensor {
  if (typeof b !== 'number') return b;
  let t = constants.get(b);
  if (t === undefined || !Object.is(t.data[0], b)) { // Map keys conflate 0 and −0
    if (constants.size >= 1024) constants.clear();
    const data = new Float64Array(1);
    data[0] = b;
    constants.set(b, (t = new Tensor(data, SCALAR)));
  }
  return t;
}

export function binary(op: string, fn: Binary, a: Tensor, operand: Operand): Tensor {
  const b = asTensor(operand);
  const w = walk(op, a.shape, b.shape);
  const out = new Tensor(alloc(w.size), w.shape);
  broadcast(FORWARD, fn, w, a.data, b.data, out.data);
  return record(out, op, [a, b], (g) => {
    if (a.requiresGrad) broadcast(GRAD_A, fn, w, a.data, b.data, out.data, g, gradOf(a));
    if (b.requiresGrad) broadcast(GRAD_B, fn, w, a.data, b.data, out.data, g, gradOf(b));
  });
}

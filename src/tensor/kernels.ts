// Loops over Float64Array buffers. No graph bookkeeping here: the ops in src/autograd
// call these for their forward and backward passes.
import { broadcastShapes, broadcastStrides, sameShape, sizeOf, type Shape } from './shape.ts';

/** An elementwise binary function with its partial derivatives (y = f(a, b) is passed in to save work). */
export interface Binary {
  f(a: number, b: number): number;
  da(a: number, b: number, y: number): number;
  db(a: number, b: number, y: number): number;
}

/**
 * A walk over the broadcast of two shapes: an inner run of n elements (input strides ia, ib) repeated over
 * the outer dims (outermost first, with their strides). Adjacent dims are merged where both operands allow,
 * so same-shape and scalar operands walk one flat run, and a row broadcast over a matrix walks two loops.
 */
export interface Walk {
  readonly shape: Shape;
  readonly size: number;
  readonly n: number;
  readonly ia: number;
  readonly ib: number;
  readonly outer: readonly number[];
  readonly sa: readonly number[];
  readonly sb: readonly number[];
}

const NONE: readonly number[] = [];
const flat = (shape: Shape, n: number, ia: number, ib: number): Walk => ({ shape, size: n, n, ia, ib, outer: NONE, sa: NONE, sb: NONE });

export function walk(op: string, aShape: Shape, bShape: Shape): Walk {
  // The common cases first, without building strides: they are most of the ops of a small network.
  if (sameShape(aShape, bShape)) return flat(aShape, sizeOf(aShape), 1, 1);
  if (sizeOf(bShape) === 1 && bShape.length <= aShape.length) return flat(aShape, sizeOf(aShape), 1, 0);
  if (sizeOf(aShape) === 1 && aShape.length <= bShape.length) return flat(bShape, sizeOf(bShape), 0, 1);
  const shape = broadcastShapes(op, aShape, bShape);
  return strided(shape, broadcastStrides(aShape, shape), broadcastStrides(bShape, shape));
}

/** A walk over `shape` that reads a and b with any strides (0 to broadcast; permuted to transpose). */
export function strided(shape: Shape, sa: readonly number[], sb: readonly number[]): Walk {
  const dims: number[] = [], wa: number[] = [], wb: number[] = [];
  // Innermost first, merging dim d into the current run when both strides continue it.
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d];
    if (n === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && sa[d] === wa[k] * dims[k] && sb[d] === wb[k] * dims[k]) dims[k] *= n;
    else { dims.push(n); wa.push(sa[d]); wb.push(sb[d]); }
  }
  const size = sizeOf(shape);
  if (dims.length <= 1) return flat(shape, size, wa[0] ?? 0, wb[0] ?? 0);
  return { shape, size, n: dims[0], ia: wa[0], ib: wb[0], outer: dims.slice(1).reverse(), sa: wa.slice(1).reverse(), sb: wb.slice(1).reverse() };
}

export const FORWARD = 0, GRAD_A = 1, GRAD_B = 2;
export type Mode = typeof FORWARD | typeof GRAD_A | typeof GRAD_B;

/**
 * The one broadcasting kernel. For every element o of the walk, with input offsets i and j:
 *   FORWARD: y[o] = f(a[i], b[j])
 *   GRAD_A:  gx[i] += g[o] · ∂f/∂a        GRAD_B:  gx[j] += g[o] · ∂f/∂b
 * Accumulating through the broadcast strides is what sums a broadcast operand's gradient back to its shape.
 */
export function broadcast(mode: Mode, fn: Binary, w: Walk, a: Float64Array, b: Float64Array, y: Float64Array,
  g: Float64Array | null = null, gx: Float64Array | null = null): void {
  const { n, ia, ib, outer, sa, sb } = w;
  if (w.size === 0) return;
  const nd = outer.length;
  const idx = nd > 0 ? new Array<number>(nd).fill(0) : null;
  let i = 0, j = 0, o = 0;
  for (;;) {
    for (let k = 0; k < n; k++, o++, i += ia, j += ib) {
      if (mode === FORWARD) y[o] = fn.f(a[i], b[j]);
      else if (mode === GRAD_A) gx![i] += g![o] * fn.da(a[i], b[j], y[o]);
      else gx![j] += g![o] * fn.db(a[i], b[j], y[o]);
    }
    if (idx === null) return;
    i -= n * ia; j -= n * ib;
    let d = nd - 1; // odometer over the outer dims
    for (; d >= 0; d--) {
      if (++idx[d] < outer[d]) { i += sa[d]; j += sb[d]; break; }
      idx[d] = 0; i -= (outer[d] - 1) * sa[d]; j -= (outer[d] - 1) * sb[d];
    }
    if (d < 0) return;
  }
}

/** y[i] = f(x[i]) */
export function map(f: (x: number) => number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
}

/** gx[i] += g[i] · f'(x[i]), with y = f(x) at hand so derivatives like σ(1 − σ) need no recomputation. */
export function mapGrad(df: (x: number, y: number) => number, x: Float64Array, y: Float64Array, g: Float64Array, gx: Float64Array): void {
  for (let i = 0; i < x.length; i++) gx[i] += g[i] * df(x[i], y[i]);
}

/** Max along the middle dim of an [outer, n, inner] view; records where each max was found. */
export function maxAlong(x: Float64Array, outer: number, n: number, inner: number, y: Float64Array, arg: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let at = o * n * inner + i, best = x[at];
      for (let k = 1, p = at + inner; k < n; k++, p += inner) {
        // NaN propagates, as in NumPy and PyTorch.
        if (x[p] > best || (x[p] !== x[p] && best === best)) { best = x[p]; at = p; }
      }
      y[o * inner + i] = best;
      arg[o * inner + i] = at;
    }
  }
}

/** dst[i] += src[i] */
export function addInto(dst: Float64Array, src: Float64Array): void {
  for (let i = 0; i < src.length; i++) dst[i] += src[i];
}

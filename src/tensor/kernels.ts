// Loops over Float64Array buffers. No graph bookkeeping here: the ops in src/autograd
// call these for their forward and backward passes.
import { broadcastStrides, sizeOf, type Shape } from './shape.ts';

/** An elementwise binary function with its partial derivatives (y = f(a, b) is passed in to save work). */
export interface Binary {
  f(a: number, b: number): number;
  da(a: number, b: number, y: number): number;
  db(a: number, b: number, y: number): number;
}

/** A walk over a broadcast iteration space, with adjacent dims merged where both operands allow it. */
export interface Walk {
  readonly dims: number[];
  readonly sa: number[];
  readonly sb: number[];
  readonly size: number;
}

export function walk(out: Shape, aShape: Shape, bShape: Shape): Walk {
  const sa = broadcastStrides(aShape, out);
  const sb = broadcastStrides(bShape, out);
  const dims: number[] = [], wa: number[] = [], wb: number[] = [];
  // Build innermost-first, merging dim d into the current inner run when the strides are contiguous with it:
  // same-shape ops become one flat loop, a row broadcast over a matrix two loops.
  for (let d = out.length - 1; d >= 0; d--) {
    const n = out[d];
    if (n === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && sa[d] === wa[k] * dims[k] && sb[d] === wb[k] * dims[k]) dims[k] *= n;
    else { dims.push(n); wa.push(sa[d]); wb.push(sb[d]); }
  }
  if (dims.length === 0) { dims.push(1); wa.push(0); wb.push(0); }
  return { dims: dims.reverse(), sa: wa.reverse(), sb: wb.reverse(), size: sizeOf(out) };
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
  const { dims, sa, sb } = w;
  if (w.size === 0) return;
  const nd = dims.length, inner = dims[nd - 1], ia = sa[nd - 1], ib = sb[nd - 1];
  const idx = nd > 1 ? new Array<number>(nd - 1).fill(0) : null;
  let i = 0, j = 0, o = 0;
  for (;;) {
    for (let k = 0; k < inner; k++, o++, i += ia, j += ib) {
      if (mode === FORWARD) y[o] = fn.f(a[i], b[j]);
      else if (mode === GRAD_A) gx![i] += g![o] * fn.da(a[i], b[j], y[o]);
      else gx![j] += g![o] * fn.db(a[i], b[j], y[o]);
    }
    if (idx === null) return;
    i -= inner * ia; j -= inner * ib;
    let d = nd - 2; // odometer over the outer dims
    for (; d >= 0; d--) {
      if (++idx[d] < dims[d]) { i += sa[d]; j += sb[d]; break; }
      idx[d] = 0; i -= (dims[d] - 1) * sa[d]; j -= (dims[d] - 1) * sb[d];
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

/** y = x with its axes permuted: y's dim d is x's dim perm[d]. Walks y in order, reading x strided. */
export function permute(x: Float64Array, shape: Shape, perm: readonly number[], y: Float64Array, accumulate = false): void {
  const nd = shape.length;
  const xs = new Array<number>(nd);
  for (let d = nd - 1, s = 1; d >= 0; d--) { xs[d] = s; s *= shape[d]; }
  const dims = perm.map((p) => shape[p]), st = perm.map((p) => xs[p]);
  const idx = new Array<number>(nd).fill(0);
  let i = 0;
  for (let o = 0; o < y.length; o++) {
    if (accumulate) y[o] += x[i]; else y[o] = x[i];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) { i += st[d]; break; }
      idx[d] = 0; i -= (dims[d] - 1) * st[d];
    }
  }
}

// Loops over Float64Array buffers, named for what they do. No graph bookkeeping here: the ops in
// src/autograd call these from their forward rules.
import { broadcastShapes, broadcastStrides, sameShape, sizeOf, type Shape } from './shape.ts';

/**
 * A walk over an output of `shape` that reads two arrays a and b with their own strides: an inner run of n
 * elements (strides ia, ib) repeated over the outer dims (outermost first). Adjacent dims are merged where both
 * strides allow, so same-shape and scalar operands walk one flat run, and a row broadcast over a matrix two loops.
 * Strides of 0 broadcast; permuted strides transpose.
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
/** A walk of one flat run of n elements: a read with stride 1, or 0 to repeat one element. */
export const flatWalk = (shape: Shape, n: number, ia: number, ib: number): Walk => ({ shape, size: n, n, ia, ib, outer: NONE, sa: NONE, sb: NONE });

/** Flat walks of a binary op whose operands have the same shape, or one of them a single value. */
export const SAME = flatWalk([], 0, 1, 1), B_SCALAR = flatWalk([], 0, 1, 0), A_SCALAR = flatWalk([], 0, 0, 1);

/** The walk of a binary op over the broadcast of its operands' shapes. */
export function broadcastWalk(op: string, aShape: Shape, bShape: Shape): Walk {
  // The common cases first, without building strides: they are most of the ops of a small network.
  if (sameShape(aShape, bShape)) return flatWalk(aShape, sizeOf(aShape), 1, 1);
  if (bShape.length <= aShape.length && sizeOf(bShape) === 1) return flatWalk(aShape, sizeOf(aShape), 1, 0);
  if (aShape.length <= bShape.length && sizeOf(aShape) === 1) return flatWalk(bShape, sizeOf(bShape), 0, 1);
  const shape = broadcastShapes(op, aShape, bShape);
  return stridedWalk(shape, broadcastStrides(aShape, shape), broadcastStrides(bShape, shape));
}

/** A walk over `shape` reading a and b with any strides. */
export function stridedWalk(shape: Shape, sa: readonly number[], sb: readonly number[]): Walk {
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
  if (dims.length <= 1) return flatWalk(shape, size, wa[0] ?? 0, wb[0] ?? 0);
  return { shape, size, n: dims[0], ia: wa[0], ib: wb[0], outer: dims.slice(1).reverse(), sa: wa.slice(1).reverse(), sb: wb.slice(1).reverse() };
}

/** The start offsets (i in a, j in b, o in the output) of each inner run of a walk, in order: an odometer. */
class Runs {
  i = 0; j = 0; o = 0;
  private readonly idx: number[];
  constructor(private readonly w: Walk) { this.idx = new Array<number>(w.outer.length).fill(0); }
  next(): boolean {
    const { outer, sa, sb, n } = this.w, idx = this.idx;
    this.o += n;
    for (let d = outer.length - 1; d >= 0; d--) {
      if (++idx[d] < outer[d]) { this.i += sa[d]; this.j += sb[d]; return true; }
      idx[d] = 0; this.i -= (outer[d] - 1) * sa[d]; this.j -= (outer[d] - 1) * sb[d];
    }
    return false;
  }
}

// Every array comes with the offset of its first element (small tensors live in shared slabs, see storage.ts).

// The elementwise kernels are made per op, around its function of numbers f, so that V8 inlines f into the loop.
// V8 keeps type feedback per function literal, not per closure: the loops one factory returns for many ops share
// it, and once several ops' f have reached its call, f is called out of line for every element (4–9× the time
// a value, measured). So each op's loop is compiled from the factory's source apart (see `perOp`).

export type BinaryMap = (w: Walk, size: number, a: Float64Array, ao: number, b: Float64Array, bo: number, y: Float64Array, yo: number) => void;
export type UnaryMap = (n: number, x: Float64Array, xo: number, y: Float64Array, yo: number) => void;
export type TernaryMap = (n: number, a: Float64Array, ao: number, sa: number, b: Float64Array, bo: number, sb: number,
  c: Float64Array, co: number, sc: number, y: Float64Array, yo: number) => void;

/** Whether this platform compiles code at run time (a Content-Security-Policy without 'unsafe-eval' forbids it). */
export const RUNTIME_CODE = ((): boolean => {
  try {
    return new Function('return 1')() === 1;
  } catch {
    return false;
  }
})();

/**
 * `make(...args)`, with make compiled afresh from its own source: a literal of its own, whose loops gather type
 * feedback for this op alone. `make` must use nothing but its arguments and globals. Where code cannot be compiled
 * at run time, `make` itself: the same values, slower.
 */
function perOp<A extends unknown[], F>(make: (...args: A) => F, ...args: A): F {
  if (!RUNTIME_CODE) return make(...args);
  // Numbered: V8 caches compiled code by its source text, and the same text would give the same literal again.
  return (new Function(`return ${make.toString()}\n// copy ${++copies}`)() as typeof make)(...args);
}
let copies = 0;

const binaryMap = (f: (a: number, b: number) => number, RunsOf: typeof Runs): BinaryMap =>
  (w, size, a, ao, b, bo, y, yo) => {
    const { ia, ib } = w;
    if (w.outer.length === 0) {
      const n = size;
      if (ia === 1 && ib === 1) for (let k = 0; k < n; k++) y[yo + k] = f(a[ao + k], b[bo + k]);
      else for (let k = 0, i = ao, j = bo; k < n; k++, i += ia, j += ib) y[yo + k] = f(a[i], b[j]);
      return;
    }
    if (size === 0) return;
    const r = new RunsOf(w), n = w.n;
    do {
      for (let k = 0, i = ao + r.i, j = bo + r.j, o = yo + r.o; k < n; k++, i += ia, j += ib, o++) y[o] = f(a[i], b[j]);
    } while (r.next());
  };

/** The kernel y[o] = f(a[i], b[j]) over the walk of `size` elements (a flat walk's own n is not used). */
export const binaryMapOf = (f: (a: number, b: number) => number): BinaryMap => perOp(binaryMap, f, Runs);

const unaryMap = (f: (x: number) => number): UnaryMap => (n, x, xo, y, yo) => {
  for (let k = 0; k < n; k++) y[yo + k] = f(x[xo + k]);
};

/** The kernel y[k] = f(x[k]) for n elements. */
export const unaryMapOf = (f: (x: number) => number): UnaryMap => perOp(unaryMap, f);

type SumOfMap = (n: number, a: Float64Array, ao: number, b: Float64Array, bo: number) => number;
const sumOfMap = (f: (a: number, b: number) => number): SumOfMap => (n, a, ao, b, bo) => {
  let s = 0;
  for (let k = 0; k < n; k++) s += f(a[ao + k], b[bo + k]);
  return s;
};

/** The kernel Σ_k f(a[k], b[k]) over n elements, added in order from 0 (as reduceSum adds). */
export const sumOfMapOf = (f: (a: number, b: number) => number): SumOfMap => perOp(sumOfMap, f);

const ternaryMap = (f: (a: number, b: number, c: number) => number): TernaryMap => (n, a, ao, sa, b, bo, sb, c, co, sc, y, yo) => {
  for (let k = 0, i = ao, j = bo, l = co; k < n; k++, i += sa, j += sb, l += sc) y[yo + k] = f(a[i], b[j], c[l]);
};

/** The kernel y[k] = f(a[i], b[j], c[l]) for n elements, each operand read with stride 1, or 0 to repeat one value. */
export const ternaryMapOf = (f: (a: number, b: number, c: number) => number): TernaryMap => perOp(ternaryMap, f);

/** y[k] = x[k] clamped to [lo, hi] (NaN stays NaN), for n elements. */
export function clampValues(lo: number, hi: number, n: number, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  for (let k = 0; k < n; k++) { const v = x[xo + k]; y[yo + k] = v < lo ? lo : v > hi ? hi : v; }
}

/** y[j] += x[i] over a walk of x's shape (a: x's strides, b: y's, 0 along the reduced dims). */
export function reduceSum(w: Walk, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const { n, ia, ib } = w;
  if (w.size === 0) return;
  if (w.outer.length === 0 && ia === 1 && ib === 0) { // everything into one value
    let s = 0;
    for (let k = 0; k < n; k++) s += x[xo + k];
    y[yo] += s;
    return;
  }
  if (w.outer.length === 1 && ia === 1 && ib === 1 && w.sb[0] === 0) { // rows into one row (a bias's gradient)
    sumRows(w.outer[0], n, w.sa[0], x, xo, y, yo);
    return;
  }
  const r = new Runs(w);
  do {
    if (ib === 0) { // a run along a reduced dim: one sum
      let s = 0;
      for (let k = 0, i = xo + r.i; k < n; k++, i += ia) s += x[i];
      y[yo + r.j] += s;
    } else {
      for (let k = 0, i = xo + r.i, j = yo + r.j; k < n; k++, i += ia, j += ib) y[j] += x[i];
    }
  } while (r.next());
}

/** y[j] += Σ_r x[r·stride + j] for j < n over `rows` rows, in the order of the rows (as one at a time would add
 *  them), four rows a pass: y is loaded and stored once a pass rather than once a row. */
function sumRows(rows: number, n: number, stride: number, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a = xo + r * stride, b = a + stride, c = b + stride, d = c + stride;
    for (let j = 0; j < n; j++) y[yo + j] = (((y[yo + j] + x[a + j]) + x[b + j]) + x[c + j]) + x[d + j];
  }
  for (; r < rows; r++) for (let j = 0, a = xo + r * stride; j < n; j++) y[yo + j] += x[a + j];
}

/** From this many values a run is filled or copied by the runtime (TypedArray.fill, or set: a memset or memcpy,
 *  ~0.1 ns a value, but ~100 ns to enter, or to make the subarray) rather than by a loop (~1 ns a value), and
 *  y += a·x runs over subarrays (its loop then without bounds checks): measured crossovers. A replay (compile)
 *  calls these kernels from this size too, instead of writing the loop out. */
export const SET_MIN = 128;

/** y[yo + i] = v for i < n. */
export function fillRun(n: number, v: number, y: Float64Array, yo: number): void {
  if (n >= SET_MIN) y.fill(v, yo, yo + n);
  else for (let i = 0; i < n; i++) y[yo + i] = v;
}

/** y[yo + i] += a·x[xo + i] for i < n (an optimizer's update). */
export function addScaled(n: number, a: number, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  if (n < SET_MIN) {
    for (let i = 0; i < n; i++) y[yo + i] += a * x[xo + i];
    return;
  }
  // Unrolled by 8: V8 unrolls nothing, and the loop's counter, branch and interrupt check cost more than its
  // multiply-add (100k values: 63 against 113 µs, measured).
  const ys = y.subarray(yo, yo + n), xs = x.subarray(xo, xo + n), end = n - (n & 7);
  let i = 0;
  for (; i < end; i += 8) {
    ys[i] += a * xs[i]; ys[i + 1] += a * xs[i + 1]; ys[i + 2] += a * xs[i + 2]; ys[i + 3] += a * xs[i + 3];
    ys[i + 4] += a * xs[i + 4]; ys[i + 5] += a * xs[i + 5]; ys[i + 6] += a * xs[i + 6]; ys[i + 7] += a * xs[i + 7];
  }
  for (; i < n; i++) ys[i] += a * xs[i];
}

/** y[yo + i] = x[xo + i] for i < n: a copy between runs of two arrays (x and y distinct, or not overlapping). */
export function copyRun(n: number, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  if (n >= SET_MIN) y.set(x.subarray(xo, xo + n), yo);
  else for (let i = 0; i < n; i++) y[yo + i] = x[xo + i];
}

/** y[o] = x[i] over a walk of y's shape, x read through the walk's `a` strides (0 to expand, permuted to transpose). */
export function stridedCopy(w: Walk, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const { n, ia } = w;
  if (w.size === 0) return;
  if (w.outer.length === 0 && ia === 0) { // one value repeated
    y.fill(x[xo], yo, yo + n);
    return;
  }
  const r = new Runs(w);
  do {
    if (ia === 1) copyRun(n, x, xo + r.i, y, yo + r.o);
    else for (let k = 0, i = xo + r.i, o = yo + r.o; k < n; k++, i += ia, o++) y[o] = x[i];
  } while (r.next());
}

/** y[j] = x[i] over a walk of x's shape (a: x's strides, b: y's): x placed at the walk's positions in y. */
export function stridedPlace(w: Walk, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const { n, ia, ib } = w;
  if (w.size === 0) return;
  const r = new Runs(w);
  do {
    if (ia === 1 && ib === 1) copyRun(n, x, xo + r.i, y, yo + r.j);
    else for (let k = 0, i = xo + r.i, j = yo + r.j; k < n; k++, i += ia, j += ib) y[j] = x[i];
  } while (r.next());
}

/**
 * Padding: row r of y (cols.length elements) reads x at rows[r] + cols[j], or is v where either offset is −1 (outside a
 * constant pad). The offsets map each output element to its source in x (see pad.ts), reflected or replicated.
 */
export function padRows(x: Float64Array, xo: number, rows: Int32Array, cols: Int32Array, v: number, y: Float64Array, yo: number): void {
  const n = cols.length;
  for (let r = 0, o = yo; r < rows.length; r++, o += n) {
    const b = rows[r];
    if (b < 0) fillRun(n, v, y, o);
    else for (let j = 0; j < n; j++) y[o + j] = cols[j] < 0 ? v : x[xo + b + cols[j]];
  }
}

/** The adjoint of padRows: each element of g that was read from x is added back at its source in y. */
export function unpadRows(g: Float64Array, go: number, rows: Int32Array, cols: Int32Array, y: Float64Array, yo: number): void {
  const n = cols.length;
  for (let r = 0, o = go; r < rows.length; r++, o += n) {
    const b = rows[r];
    if (b >= 0) for (let j = 0; j < n; j++) if (cols[j] >= 0) y[yo + b + cols[j]] += g[o + j];
  }
}

/**
 * For each line along the middle dim of an [outer, n, inner] view of x, the index (from xo) of its largest (sign 1)
 * or smallest (sign −1) element: the first one on ties; a NaN wins (as in NumPy and PyTorch).
 */
export function extremeAlong(sign: 1 | -1, x: Float64Array, xo: number, outer: number, n: number, inner: number, at: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let p0 = o * n * inner + i, best = sign * x[xo + p0];
      for (let k = 1, p = p0 + inner; k < n && best === best; k++, p += inner) {
        const v = sign * x[xo + p];
        if (v > best || v !== v) { best = v; p0 = p; }
      }
      at[o * inner + i] = p0;
    }
  }
}

/** The largest of x[from], x[from + step], … below `end` (NaN if there is one). */
function lineMax(x: Float64Array, from: number, end: number, step: number): number {
  let m = -Infinity;
  for (let p = from; p < end; p += step) if (x[p] > m || x[p] !== x[p]) m = x[p];
  return m;
}

/**
 * Softmax along the middle dim of an [outer, n, inner] view: e^(x − max) / Σ e^(x − max). Subtracting each
 * line's max keeps every exponent ≤ 0, so no logit, however large, overflows.
 */
export function softmaxAlong(x: Float64Array, xo: number, outer: number, n: number, inner: number, y: Float64Array, yo: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const p0 = o * n * inner + i, end = p0 + n * inner, m = lineMax(x, xo + p0, xo + end, inner);
      let s = 0;
      for (let p = p0; p < end; p += inner) s += (y[yo + p] = Math.exp(x[xo + p] - m));
      for (let p = p0; p < end; p += inner) y[yo + p] /= s;
    }
  }
}

/** log-softmax along the middle dim of an [outer, n, inner] view: (x − max) − log Σ e^(x − max), stable likewise. */
export function logSoftmaxAlong(x: Float64Array, xo: number, outer: number, n: number, inner: number, y: Float64Array, yo: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const p0 = o * n * inner + i, end = p0 + n * inner, m = lineMax(x, xo + p0, xo + end, inner);
      let s = 0;
      for (let p = p0; p < end; p += inner) s += Math.exp(x[xo + p] - m);
      const ls = Math.log(s);
      for (let p = p0; p < end; p += inner) y[yo + p] = x[xo + p] - m - ls;
    }
  }
}

/** The mean of x[from], …, x[from + n − 1]. */
function rowMean(x: Float64Array, from: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += x[from + k];
  return s / n;
}

/** 1/√(var + eps) of a row of n values with mean m, var the biased variance Σ(x − m)²/n (two passes: no cancellation). */
function rowRstd(x: Float64Array, from: number, n: number, m: number, eps: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += (x[from + k] - m) * (x[from + k] - m);
  return 1 / Math.sqrt(s / n + eps);
}

/** r[i] = 1/√(var + eps) of row i, for `rows` rows of n elements of x. */
export function rstdRows(x: Float64Array, xo: number, rows: number, n: number, eps: number, r: Float64Array, ro: number): void {
  for (let i = 0, p = xo; i < rows; i++, p += n) r[ro + i] = rowRstd(x, p, n, rowMean(x, p, n), eps);
}

/** Each row of n elements of x normalized: y = (x − mean)/√(var + eps). */
export function normalizeRows(x: Float64Array, xo: number, rows: number, n: number, eps: number, y: Float64Array, yo: number): void {
  for (let i = 0; i < rows; i++) {
    const p = xo + i * n, q = yo + i * n, m = rowMean(x, p, n), r = rowRstd(x, p, n, m, eps);
    for (let k = 0; k < n; k++) y[q + k] = (x[p + k] - m) * r;
  }
}

/** normalizeRows' backward, per row: out = r·(g − mean(g) − y·mean(g·y)), from g, the output y and r = 1/√(var + eps). */
export function normalizeRowsBackward(g: Float64Array, go: number, y: Float64Array, yo: number, r: Float64Array, ro: number,
  rows: number, n: number, out: Float64Array, oo: number): void {
  for (let i = 0; i < rows; i++) {
    const a = go + i * n, b = yo + i * n, c = oo + i * n;
    let sg = 0, sgy = 0;
    for (let k = 0; k < n; k++) { sg += g[a + k]; sgy += g[a + k] * y[b + k]; }
    const mg = sg / n, mgy = sgy / n, ri = r[ro + i];
    for (let k = 0; k < n; k++) out[c + k] = ri * (g[a + k] - mg - y[b + k] * mgy);
  }
}

/** The position of the first of `len` values (from `off`) that is not an integer in [0, n), or −1 if all are. */
export function firstBadIndex(v: ArrayLike<number>, off: number, len: number, n: number): number {
  for (let k = 0; k < len; k++) {
    const i = v[off + k];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) return k;
  }
  return -1;
}

/**
 * For gather along `axis`: the position in x (row-major, `strides`) of each element of an index of `shape` (walked
 * row-major): its own coordinates, except along `axis`, where its value.
 */
export function gatherPositions(v: ArrayLike<number>, off: number, shape: Shape, strides: readonly number[], axis: number, pos: Float64Array, po: number, n: number): void {
  const nd = shape.length, idx = new Array<number>(nd).fill(0);
  let base = 0; // Σ over the other dims of coordinate × stride
  for (let k = 0; k < n; k++) {
    pos[po + k] = base + v[off + k] * strides[axis];
    for (let d = nd - 1; d >= 0; d--) { // odometer
      if (++idx[d] < shape[d]) { if (d !== axis) base += strides[d]; break; }
      if (d !== axis) base -= (shape[d] - 1) * strides[d];
      idx[d] = 0;
    }
  }
}

/** For indexSelect along the middle dim of an [outer, n, inner] view: the position of each output element. */
export function selectPositions(v: ArrayLike<number>, off: number, len: number, outer: number, n: number, inner: number, pos: Float64Array, po: number): void {
  for (let o = 0, k = po; o < outer; o++) {
    for (let j = 0; j < len; j++) {
      const p0 = (o * n + v[off + j]) * inner;
      for (let i = 0; i < inner; i++) pos[k++] = p0 + i;
    }
  }
}

/** y[k] = x[pos[k]] for n positions (integers held in a Float64Array). */
export function takeAt(n: number, pos: Float64Array, po: number, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  for (let k = 0; k < n; k++) y[yo + k] = x[xo + pos[po + k]];
}

/** y[pos[k]] += x[k] for n positions: repeated positions add up. */
export function addAt(n: number, pos: Float64Array, po: number, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  for (let k = 0; k < n; k++) y[yo + pos[po + k]] += x[xo + k];
}

/** Row k of y = row idx[k] of x, rows of n elements, for len indices; row `skip` gives zeros (−1: none does). */
export function takeRows(idx: ArrayLike<number>, io: number, len: number, n: number, x: Float64Array, xo: number, skip: number, y: Float64Array, yo: number): void {
  for (let k = 0; k < len; k++) {
    const i = idx[io + k];
    if (i === skip) fillRun(n, 0, y, yo + k * n);
    else copyRun(n, x, xo + i * n, y, yo + k * n);
  }
}

/** The adjoint of takeRows: row k of g added into row idx[k] of y (repeats add up), except into row `skip`. */
export function addRows(idx: ArrayLike<number>, io: number, len: number, n: number, g: Float64Array, go: number, skip: number, y: Float64Array, yo: number): void {
  for (let k = 0; k < len; k++) {
    const i = idx[io + k];
    if (i === skip) continue;
    for (let j = 0, a = go + k * n, b = yo + i * n; j < n; j++) y[b + j] += g[a + j];
  }
}

/** Copy the `outer` rows of `block` elements of x into rows of `rowLen` elements of y, starting `at` into each row. */
export function placeRows(x: Float64Array, xo: number, outer: number, block: number, y: Float64Array, yo: number, rowLen: number, at: number): void {
  for (let o = 0; o < outer; o++) copyRun(block, x, xo + o * block, y, yo + o * rowLen + at);
}

/** y[k] = scale where draw() < keep, else 0, for n elements: a dropout mask. */
export function keepMask(draw: () => number, keep: number, scale: number, n: number, y: Float64Array, yo: number): void {
  for (let k = 0; k < n; k++) y[yo + k] = draw() < keep ? scale : 0;
}

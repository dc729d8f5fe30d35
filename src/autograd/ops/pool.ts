// Pooling over windows of the last one or two dims. Max pooling's rule scatters g to the position of each window's
// largest value, found from x when the rule runs (by an op of its own, so a replayed step finds them again); the
// scatter's rule gathers from the same positions, and so does the tangent. Average pooling is linear: its rule is
// its adjoint, which spreads each g evenly over its window, and the adjoint's rule is the average again.
import { adaptiveTaps, spreadWindowMeans, windowMax, windowMeans, windowTaps, type Taps } from '../../tensor/pool.ts';
import { fmt, sizeOf, type Shape } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';
import { flagOf, knownOptionsOf, spatialOf, what } from '../options.ts';
import { exampleOffsets, gatherAt, scatterAt } from './gather.ts';
import { sub } from './elementwise.ts';
import type { SpatialSize } from './conv.ts';

/** Pooling seen as `planes` planes of H × W values (a 1-D signal: H = 1), each output reading the rows and columns of its taps. */
interface Pool { planes: number; H: number; W: number; rows: Taps; cols: Taps; inShape: Shape; outShape: Shape }
/** An average pool's divisor of output (oh, ow) is rowDiv[oh]·colDiv[ow]. */
interface Mean extends Pool { rowDiv: Float64Array; colDiv: Float64Array }

const MAX_POOL: OpDef<Pool> = makeOp({
  name: 'maxPool',
  forward: (out, [x], p) => windowMax(p.planes, p.H, p.W, p.rows, p.cols, x.buf, x.off, out.buf, out.off, false),
  grads: [(g, [x], _y, p) => scatterAt(g, apply(MAX_POSITIONS, x, [x], p.outShape, p), p.inShape)],
  tangent: ([t], [x], _y, p) => gatherAt(t!, apply(MAX_POSITIONS, x, [x], p.outShape, p), p.outShape), // each window's maximum moves with its tangent
  batch: ([x], _b, p) => apply(MAX_POOL, x, [x], [x.shape[0], ...p.outShape], batchOf(p, x.shape[0])),
});
const MAX_POSITIONS: OpDef<Pool> = makeOp({
  name: 'maxPoolPositions',
  forward: (out, [x], p) => windowMax(p.planes, p.H, p.W, p.rows, p.cols, x.buf, x.off, out.buf, out.off, true),
  grads: [null],
  // Positions in the whole batch, less each example's offset: positions in its own example, as gatherAt and
  // scatterAt take them inside vmap.
  batch: ([x], _b, p) => {
    const B = x.shape[0], pos = apply(MAX_POSITIONS, x, [x], [B, ...p.outShape], batchOf(p, B));
    return sub(pos, exampleOffsets(B, sizeOf(p.inShape), p.outShape.length, x));
  },
});

/** The pool of a batch of B examples (vmap): B times the planes. */
const batchOf = <P extends Pool>(p: P, B: number): P => ({ ...p, planes: p.planes * B, inShape: [B, ...p.inShape], outShape: [B, ...p.outShape] });

/** An average-pooling op and its adjoint (`name` and `name`Backward), each the other's rule. */
function meanOps(name: string): OpDef<Mean> {
  const mean: OpDef<Mean> = makeOp({
    name,
    forward: (out, [x], m) => windowMeans(m.planes, m.H, m.W, m.rows, m.cols, m.rowDiv, m.colDiv, x.buf, x.off, out.buf, out.off),
    grads: [(g, _x, _y, m) => apply(spread, g, [g], m.inShape, m)],
    tangent: ([t], _x, _y, m) => apply(mean, t!, [t!], m.outShape, m), // linear: the op itself, on the tangent
    batch: ([x], _b, m) => apply(mean, x, [x], [x.shape[0], ...m.outShape], batchOf(m, x.shape[0])),
  });
  const spread: OpDef<Mean> = makeOp({
    name: `${name}Backward`,
    forward: (out, [g], m) => spreadWindowMeans(m.planes, m.H, m.W, m.rows, m.cols, m.rowDiv, m.colDiv, g.buf, g.off, out.buf, out.off),
    grads: [(gg, _g, _y, m) => apply(mean, gg, [gg], m.outShape, m)],
    tangent: ([t], _g, _y, m) => apply(spread, t!, [t!], m.inShape, m),
    batch: ([g], _b, m) => apply(spread, g, [g], [g.shape[0], ...m.inShape], batchOf(m, g.shape[0])),
  });
  return mean;
}
const AVG_POOL = meanOps('avgPool'), ADAPTIVE_AVG_POOL = meanOps('adaptiveAvgPool');

/** The one row of a 1-D signal, read whole by every output. */
const ONE_ROW: Taps = { at: Int32Array.of(0), n: Int32Array.of(1), step: 1 };
const ONE = Float64Array.of(1);

/** Options of {@link maxPool1d} and {@link maxPool2d} (and nn.MaxPool1d, nn.MaxPool2d), PyTorch's. */
export interface MaxPoolOptions {
  /** The step between windows (default: the kernel size). */
  stride?: SpatialSize | null;
  /** Implicit −∞ added on both sides of each spatial dim, at most half the kernel (default 0). */
  padding?: SpatialSize;
  /** The distance between the kernel's taps (default 1). */
  dilation?: SpatialSize;
  /** Round the output size up instead of down, so that a last, partial window counts, if it starts inside the input or its left padding (default false). */
  ceilMode?: boolean;
}

/** Options of {@link avgPool1d} and {@link avgPool2d} (and nn.AvgPool1d, nn.AvgPool2d), PyTorch's. */
export interface AvgPoolOptions {
  /** The step between windows (default: the kernel size). */
  stride?: SpatialSize | null;
  /** Zeros added on both sides of each spatial dim, at most half the kernel (default 0). */
  padding?: SpatialSize;
  /** Round the output size up instead of down, as in {@link MaxPoolOptions} (default false). */
  ceilMode?: boolean;
  /** Count the padding's zeros in each window's divisor (default true); a window's part past the padding, in ceil mode, never counts. */
  countIncludePad?: boolean;
}

/** The input's spatial sizes, after checking it has `dims` spatial dims after a channel dim and maybe a batch dim. */
function spatialDims(op: string, x: TensorBase, dims: number): number[] {
  expectTensor(op, 'the input', x);
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    const layout = dims === 1 ? 'C, L' : 'C, H, W';
    throw new Error(`${op}: expects an input of ${dims + 1} dims (unbatched, [${layout}]) or ${dims + 2} (batched, [N, ${layout}]), got shape ${fmt(x.shape)}`);
  }
  if (x.shape.some((d, i) => d === 0 && i >= x.ndim - dims)) throw new Error(`${op}: the input of shape ${fmt(x.shape)} has an empty spatial dim`);
  return x.shape.slice(-dims);
}

/** The pool of x reading, along each of its spatial dims, the taps given. */
function poolOf(x: TensorBase, taps: Taps[]): Pool {
  const dims = taps.length, lead = x.shape.slice(0, -dims), size = x.shape.slice(-dims);
  return {
    planes: sizeOf(lead), H: dims === 1 ? 1 : size[0], W: size[dims - 1], rows: dims === 1 ? ONE_ROW : taps[0], cols: taps[dims - 1],
    inShape: x.shape, outShape: [...lead, ...taps.map((t) => t.at.length)],
  };
}

/**
 * PyTorch's pooled size: ⌊(size + 2p − d·(k − 1) − 1 + (ceil ? s − 1 : 0)) / s⌋ + 1, one less in ceil mode when the
 * last window would start past the input and its left padding.
 */
function pooledSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  return ceil && (out - 1) * s >= size + p ? out - 1 : out;
}

/** A kernel sliding over the spatial dims of x, checked: its sizes per dim and the taps of each output. */
function sliding(op: string, x: TensorBase, dims: number, kernelSize: unknown, o: MaxPoolOptions) {
  const size = spatialDims(op, x, dims), k = spatialOf(op, 'kernelSize', kernelSize, dims, 1);
  const stride = o.stride === undefined || o.stride === null ? k : spatialOf(op, 'stride', o.stride, dims, 1);
  const padding = spatialOf(op, 'padding', o.padding ?? 0, dims, 0), dilation = spatialOf(op, 'dilation', o.dilation ?? 1, dims, 1);
  const ceilMode = flagOf(op, 'ceilMode', o.ceilMode, false);
  if (padding.some((p, d) => p > k[d] / 2)) throw new Error(`${op}: padding ${fmt(padding)} is more than half the kernel ${fmt(k)}`);
  const out = size.map((s, d) => pooledSize(s, k[d], stride[d], padding[d], dilation[d], ceilMode));
  if (out.some((n) => n < 1)) {
    throw new Error(`${op}: the input of shape ${fmt(x.shape)} is too small for the kernel ${fmt(k)} (stride ${fmt(stride)}, padding ` +
      `${fmt(padding)}, dilation ${fmt(dilation)}): the output would have size ${fmt(out)}`);
  }
  const taps = size.map((s, d) => windowTaps(s, out[d], k[d], stride[d], padding[d], dilation[d]));
  return { size, k, stride, padding, taps };
}

function maxPool<T extends TensorBase>(op: string, dims: number, x: T, kernelSize: SpatialSize, opts: MaxPoolOptions | undefined): T {
  const s = sliding(op, x, dims, kernelSize, knownOptionsOf(op, opts, ['stride', 'padding', 'dilation', 'ceilMode']));
  s.taps.forEach((t, d) => { // PyTorch gives −∞ for a window of padding only (dilated taps can all miss the input)
    const i = t.n.indexOf(0);
    if (i >= 0) throw new Error(`${op}: window ${i} along spatial dim ${d} (of size ${s.size[d]}) holds no input value, only padding`);
  });
  const p = poolOf(x, s.taps);
  return apply(MAX_POOL, x, [x], p.outShape, p);
}

function avgPool<T extends TensorBase>(op: string, dims: number, x: T, kernelSize: SpatialSize, opts: AvgPoolOptions | undefined): T {
  const o = knownOptionsOf(op, opts, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
  const includePad = flagOf(op, 'countIncludePad', o.countIncludePad, true), s = sliding(op, x, dims, kernelSize, o);
  // The divisor along one dim: the taps inside the input, or the window's length clipped to the padded input.
  const divs = s.taps.map((t, d) => Float64Array.from(t.n, (n, i) =>
    (includePad ? Math.min(i * s.stride[d] + s.k[d], s.size[d] + 2 * s.padding[d]) - i * s.stride[d] : n)));
  const p = poolOf(x, s.taps);
  return apply(AVG_POOL, x, [x], p.outShape, { ...p, rowDiv: dims === 1 ? ONE : divs[0], colDiv: divs[dims - 1] });
}

/**
 * The largest value of each window of `kernelSize` sliding over the last dim of x [N, C, L] (or [C, L]), as PyTorch's
 * max_pool1d; the gradient goes to the first largest value of each window.
 *
 * @example
 * ```ts
 * maxPool1d(tensor([[1, 3, 2, 5, 4]]), 2) // [[3, 5]]
 * maxPool1d(tensor([[1, 3, 2, 5, 4]]), 2, { ceilMode: true }) // [[3, 5, 4]]
 * ```
 */
export function maxPool1d<T extends TensorBase>(x: T, kernelSize: SpatialSize, opts?: MaxPoolOptions): T {
  return maxPool('maxPool1d', 1, x, kernelSize, opts);
}

/**
 * The largest value of each window of `kernelSize` sliding over the last two dims of x [N, C, H, W] (or [C, H, W]), as
 * PyTorch's max_pool2d; the gradient goes to the first largest value of each window (row-major).
 *
 * @example
 * ```ts
 * maxPool2d(arange(16).reshape(1, 1, 4, 4), 2) // [[[[5, 7], [13, 15]]]]
 * maxPool2d(arange(16).reshape(1, 4, 4), 3, { stride: 1, padding: 1 }).shape // [1, 4, 4]
 * ```
 */
export function maxPool2d<T extends TensorBase>(x: T, kernelSize: SpatialSize, opts?: MaxPoolOptions): T {
  return maxPool('maxPool2d', 2, x, kernelSize, opts);
}

/**
 * The mean of each window of `kernelSize` sliding over the last dim of x [N, C, L] (or [C, L]), as PyTorch's
 * avg_pool1d.
 *
 * @example
 * ```ts
 * avgPool1d(tensor([[1, 2, 3, 4]]), 2) // [[1.5, 3.5]]
 * avgPool1d(tensor([[1, 2, 3, 4]]), 2, { padding: 1 }) // [[0.5, 2.5, 2]]
 * avgPool1d(tensor([[1, 2, 3, 4]]), 2, { padding: 1, countIncludePad: false }) // [[1, 2.5, 4]]
 * ```
 */
export function avgPool1d<T extends TensorBase>(x: T, kernelSize: SpatialSize, opts?: AvgPoolOptions): T {
  return avgPool('avgPool1d', 1, x, kernelSize, opts);
}

/**
 * The mean of each window of `kernelSize` sliding over the last two dims of x [N, C, H, W] (or [C, H, W]), as
 * PyTorch's avg_pool2d.
 *
 * @example
 * ```ts
 * avgPool2d(arange(16).reshape(1, 1, 4, 4), 2) // [[[[2.5, 4.5], [10.5, 12.5]]]]
 * ```
 */
export function avgPool2d<T extends TensorBase>(x: T, kernelSize: SpatialSize, opts?: AvgPoolOptions): T {
  return avgPool('avgPool2d', 2, x, kernelSize, opts);
}

/**
 * The last two dims of x [N, C, H, W] (or [C, H, W]) averaged down to `outputSize` (a number for both, or a pair,
 * where null keeps that dim's size), as PyTorch's adaptive_avg_pool2d: output i along a dim of size n averages the
 * inputs from ⌊i·n/out⌋ to ⌈(i + 1)·n/out⌉ (exclusive).
 *
 * @example
 * ```ts
 * adaptiveAvgPool2d(arange(16).reshape(1, 1, 4, 4), 1) // [[[[7.5]]]]
 * adaptiveAvgPool2d(arange(6).reshape(1, 2, 3), [1, 2]) // [[[2, 3]]]
 * adaptiveAvgPool2d(zeros([2, 3, 7, 5]), [4, null]).shape // [2, 3, 4, 5]
 * ```
 */
export function adaptiveAvgPool2d<T extends TensorBase>(x: T, outputSize: number | readonly (number | null)[]): T {
  const size = spatialDims('adaptiveAvgPool2d', x, 2);
  const given = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) && outputSize.length === 2 ? outputSize : null;
  const out = given?.map((n, d) => (n === null ? size[d] : n));
  if (out === undefined || !out.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`adaptiveAvgPool2d: outputSize must be a positive integer or a pair of them (null keeps a dim's size), got ${what(outputSize)}`);
  }
  const taps = size.map((n, d) => adaptiveTaps(n, out[d])), p = poolOf(x, taps);
  return apply(ADAPTIVE_AVG_POOL, x, [x], p.outShape, { ...p, rowDiv: Float64Array.from(taps[0].n), colDiv: Float64Array.from(taps[1].n) });
}

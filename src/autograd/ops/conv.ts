// Convolution as PyTorch computes it on a CPU: im2col and a matrix product (gemm) per sample (src/tensor/conv.ts).
// It is three ops, each linear in each of its two inputs, whose rules are one another (as PyTorch's
// convolution_backward): for y = conv(x, w), ⟨g, conv(x, w)⟩ = ⟨convInput(g, w), x⟩ = ⟨convWeight(x, g), w⟩, so a
// convolution can be differentiated to any order. unfold (im2col, each window of the input as a column) and fold
// (col2im, the columns added back) are ops too, each the other's rule.
import { convForward, convInputGrad, convWeightGrad } from '../../tensor/conv.ts';
import { col2im, im2col, type Windows } from '../../tensor/im2col.ts';
import { fmt, sameShape, type Shape } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';
import { knownOptionsOf, spatialOf, what } from '../options.ts';
import { sumTo } from './broadcast.ts';
import { tangentOf } from './elementwise.ts';
import { reshape } from './movement.ts';
import { eachExample } from './per-example.ts';

/**
 * A convolution: its windows, groups and output channels, and the shapes of its input, weight and output; M, N, K
 * are the sizes of its products taken together (samples · output channels, windows, taps per group), from which the
 * profiler counts 2·M·N·K FLOPs for each of the three ops.
 */
interface Conv { w: Windows; groups: number; OC: number; x: Shape; weight: Shape; y: Shape; M: number; N: number; K: number }

const CONV: OpDef<Conv> = makeOp({
  name: 'convolution',
  forward: (out, [x, w, b], c) => convForward(c.w, c.groups, c.OC, x.buf, x.off, w.buf, w.off, b === undefined ? null : b.buf, b?.off ?? 0, out.buf, out.off),
  grads: [
    (g, [, w], _y, c) => apply(CONV_INPUT, g, [g, w], c.x, c),
    (g, [x], _y, c) => apply(CONV_WEIGHT, x, [x, g], c.weight, c),
    (g, _i, _y, c) => reshape(sumTo(g, [c.OC, ...c.weight.slice(2).map(() => 1)]), [c.OC]), // Σ over the batch and the windows
  ],
  // ∂conv(x, w) + ∂b = conv(∂x, w) + conv(x, ∂w) + ∂b, the bias broadcast over the batch and the windows
  tangent: ([tx, tw, tb], [x, w], y, c) => tangentOf([tx && apply(CONV, tx, [tx, w], c.y, c), tw && apply(CONV, x, [x, tw], c.y, c),
    tb && reshape(tb, [c.OC, ...c.weight.slice(2).map(() => 1)])], y),
  // A batch of inputs to one weight and bias is more samples; a weight or bias per example, a convolution per example.
  batch: (xs, batched, c, shape) => (batched[0] && !batched[1] && !batched[2] ? samples(CONV, xs, c, 'x', 'y', shape) : eachExample(CONV, xs, batched, c, shape)),
});
// convInput(g, w) is conv's ∂x (a transposed convolution); as a function of g it is conv(·, w)'s adjoint.
const CONV_INPUT: OpDef<Conv> = makeOp({
  name: 'convolutionBackwardInput',
  forward: (out, [g, w], c) => convInputGrad(c.w, c.groups, c.OC, g.buf, g.off, w.buf, w.off, out.buf, out.off),
  grads: [
    (gg, [, w], _y, c) => apply(CONV, gg, [gg, w], c.y, c),
    (gg, [g], _y, c) => apply(CONV_WEIGHT, gg, [gg, g], c.weight, c),
  ],
  tangent: ([tg, tw], [g, w], y, c) => tangentOf([tg && apply(CONV_INPUT, tg, [tg, w], c.x, c), tw && apply(CONV_INPUT, g, [g, tw], c.x, c)], y),
  batch: (xs, batched, c, shape) => (batched[1] ? eachExample(CONV_INPUT, xs, batched, c, shape) : samples(CONV_INPUT, xs, c, 'y', 'x', shape)),
});
// convWeight(x, g) is conv's ∂w, the correlation of the input with g summed over the batch.
const CONV_WEIGHT: OpDef<Conv> = makeOp({
  name: 'convolutionBackwardWeight',
  forward: (out, [x, g], c) => convWeightGrad(c.w, c.groups, c.OC, x.buf, x.off, g.buf, g.off, out.buf, out.off),
  grads: [
    (gw, [, g], _y, c) => apply(CONV_INPUT, g, [g, gw], c.x, c),
    (gw, [x], _y, c) => apply(CONV, x, [x, gw], c.y, c),
  ],
  tangent: ([tx, tg], [x, g], y, c) => tangentOf([tx && apply(CONV_WEIGHT, tx, [tx, g], c.weight, c), tg && apply(CONV_WEIGHT, x, [x, tg], c.weight, c)], y),
  batch: (xs, batched, c, shape) => eachExample(CONV_WEIGHT, xs, batched, c, shape), // each example's own sum over its samples
});

/**
 * Op `op` of a batch of B examples (vmap) whose first input, of c's shape `from`, is the only one batched: the B·N
 * samples of the examples taken as one convolution's, for an output of c's shape `to`.
 */
function samples(op: OpDef<Conv>, xs: readonly TensorBase[], c: Conv, from: 'x' | 'y', to: 'x' | 'y', shape: Shape): TensorBase {
  const B = xs[0].shape[0], N = B * c.w.N, dims = c.weight.length - 1; // channels and spatial dims
  const f: Conv = { ...c, w: { ...c.w, N }, x: [N, ...c.x.slice(-dims)], y: [N, ...c.y.slice(-dims)], M: c.M * B };
  const x = reshape(xs[0], f[from]);
  return reshape(apply(op, x, [x, ...xs.slice(1)], f[to], f), [B, ...shape]);
}

const UNFOLD: OpDef<Windows> = makeOp({
  name: 'unfold',
  forward: (out, [x], w) => im2col(w, x.buf, x.off, out.buf, out.off),
  grads: [(g, _x, _y, w) => apply(FOLD, g, [g], [w.N, w.C, w.H, w.W], w)],
  tangent: ([t], _x, y, w) => apply(UNFOLD, t!, [t!], y.shape, w), // linear: the op itself, on the tangent
  batch: ([x], _b, w, shape) => windowsOfBatch(UNFOLD, x, w, shape),
});
const FOLD: OpDef<Windows> = makeOp({
  name: 'fold',
  forward: (out, [cols], w) => col2im(w, cols.buf, cols.off, out.buf, out.off),
  grads: [(g, _cols, _y, w) => apply(UNFOLD, g, [g], [w.N, w.C * w.KH * w.KW, w.OH * w.OW], w)],
  tangent: ([t], _cols, y, w) => apply(FOLD, t!, [t!], y.shape, w),
  batch: ([cols], _b, w, shape) => windowsOfBatch(FOLD, cols, w, shape),
});

/** Unfold or fold of a batch of B examples of N samples each (vmap), as one of B·N samples. */
function windowsOfBatch(op: OpDef<Windows>, x: TensorBase, w: Windows, shape: Shape): TensorBase {
  const B = x.shape[0], N = B * w.N, x1 = reshape(x, [N, ...x.shape.slice(2)]);
  return reshape(apply(op, x1, [x1], [N, ...shape.slice(1)], { ...w, N }), [B, ...shape]);
}

/** A size for each spatial dim: one number for all of them, or a list of one per dim (`[height, width]`). */
export type SpatialSize = number | readonly number[];

/** Options of {@link unfold} and {@link fold}, PyTorch's: each a number for both spatial dims, or a pair. */
export interface UnfoldOptions {
  /** The distance between the kernel's taps (default 1). */
  dilation?: SpatialSize;
  /** Zeros added on both sides of each spatial dim (default 0). */
  padding?: SpatialSize;
  /** The step between windows (default 1). */
  stride?: SpatialSize;
}

/** Options of {@link conv1d} and {@link conv2d} (and of nn.Conv1d, nn.Conv2d), PyTorch's. */
export interface ConvOptions {
  /** The step between windows (default 1). */
  stride?: SpatialSize;
  /**
   * Zeros added on both sides of each spatial dim (default 0); or 'valid' (none), or 'same' (stride 1 only): the
   * output as large as the input, with dilation·(k − 1) zeros in all, half before and the rest (one more when it is
   * odd) after, as PyTorch.
   */
  padding?: SpatialSize | 'same' | 'valid';
  /** The distance between the kernel's taps (default 1). */
  dilation?: SpatialSize;
  /** Input and output channels split into this many groups, each convolved on its own (default 1). */
  groups?: number;
}

/** The input as it is when it already has `shape`, else reshaped (a view). */
const as = <T extends TensorBase>(x: T, shape: Shape): T => (sameShape(x.shape, shape) ? x : reshape(x, shape));

/**
 * The windows of a kernel `k` over the spatial dims `size` (one or two; one is a row of height 1), padded by `before`
 * and `after`, or an Error naming `op` when the dilated kernel is larger than the padded input.
 */
function windowsOf(op: string, N: number, C: number, size: readonly number[], k: number[], stride: number[], before: number[], after: number[], dilation: number[]): Windows {
  const span = k.map((kd, d) => dilation[d] * (kd - 1) + 1), padded = size.map((s, d) => s + before[d] + after[d]);
  if (span.some((s, d) => s > padded[d])) {
    throw new Error(`${op}: the kernel ${fmt(k)}${dilation.some((d) => d > 1) ? ` (dilation ${fmt(dilation)}: it spans ${fmt(span)})` : ''} ` +
      `is larger than the padded input ${fmt(padded)} (input ${fmt(size)}, padding ${fmt(before)}${sameShape(before, after) ? '' : ` before and ${fmt(after)} after`})`);
  }
  const out = padded.map((p, d) => Math.floor((p - span[d]) / stride[d]) + 1);
  const two = (v: number[], one: number): [number, number] => (v.length === 2 ? [v[0], v[1]] : [one, v[0]]); // 1-D: a row of height 1
  const [H, W] = two([...size], 1), [KH, KW] = two(k, 1), [SH, SW] = two(stride, 1), [PH, PW] = two(before, 0), [DH, DW] = two(dilation, 1);
  const [OH, OW] = two(out, 1);
  return { N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW };
}

/** Throw unless x has `dims` spatial dims after one channel dim, and maybe a batch dim before it; whether it has one. */
function batched(op: string, x: TensorBase, dims: number, layout: string): boolean {
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new Error(`${op}: expects an input of ${dims + 1} dims (unbatched, [${layout}]) or ${dims + 2} (batched, [N, ${layout}]), got shape ${fmt(x.shape)}`);
  }
  return x.ndim === dims + 2;
}

function convolve<T extends TensorBase>(op: 'conv1d' | 'conv2d', dims: 1 | 2, x: T, weight: TensorBase, bias: TensorBase | null | undefined, opts: ConvOptions | undefined): T {
  expectTensor(op, 'the input', x);
  expectTensor(op, 'the weight', weight);
  if (bias !== null && bias !== undefined) expectTensor(op, 'the bias', bias);
  const o = knownOptionsOf(op, opts, ['stride', 'padding', 'dilation', 'groups']), layout = dims === 1 ? 'C, L' : 'C, H, W';
  const isBatched = batched(op, x, dims, layout);
  if (weight.ndim !== dims + 2) throw new Error(`${op}: expects a weight of ${dims + 2} dims, [out, in / groups, ${dims === 1 ? 'k' : 'kH, kW'}], got shape ${fmt(weight.shape)}`);
  if (weight.size === 0 || x.shape.some((d, i) => d === 0 && (i > 0 || !isBatched))) {
    throw new Error(`${op}: the input of shape ${fmt(x.shape)} and the weight of shape ${fmt(weight.shape)} may have no empty dim but the batch`);
  }
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${what(groups)}`);
  const [OC, Cg] = weight.shape, C = x.shape[x.ndim - dims - 1], N = isBatched ? x.shape[0] : 1;
  if (C % groups !== 0) throw new Error(`${op}: the input's ${C} channels (shape ${fmt(x.shape)}) are not divisible by groups=${groups}`);
  if (OC % groups !== 0) throw new Error(`${op}: the weight's ${OC} output channels (shape ${fmt(weight.shape)}) are not divisible by groups=${groups}`);
  if (C !== Cg * groups) {
    throw new Error(`${op}: the input of shape ${fmt(x.shape)} has ${C} channels, but the weight of shape ${fmt(weight.shape)} ` +
      `takes ${Cg * groups} (${Cg} per group, groups=${groups})`);
  }
  if (bias !== null && bias !== undefined && (bias.ndim !== 1 || bias.size !== OC)) {
    throw new Error(`${op}: the bias must have shape [${OC}] (one per output channel of the weight ${fmt(weight.shape)}), got ${fmt(bias.shape)}`);
  }
  const k = weight.shape.slice(2), stride = spatialOf(op, 'stride', o.stride ?? 1, dims, 1), dilation = spatialOf(op, 'dilation', o.dilation ?? 1, dims, 1);
  let before: number[], after: number[];
  if (o.padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new Error(`${op}: padding 'same' needs stride 1, got stride ${fmt(stride)} (as in PyTorch)`);
    before = k.map((kd, d) => Math.floor((dilation[d] * (kd - 1)) / 2));
    after = k.map((kd, d) => dilation[d] * (kd - 1) - before[d]);
  } else {
    before = after = o.padding === 'valid' ? k.map(() => 0) : spatialOf(op, 'padding', o.padding ?? 0, dims, 0);
  }
  const w = windowsOf(op, N, C, x.shape.slice(-dims), k, stride, before, after, dilation);
  const spatial = dims === 1 ? [w.OW] : [w.OH, w.OW], y = isBatched ? [N, OC, ...spatial] : [OC, ...spatial];
  const inputs = bias === null || bias === undefined ? [x, weight] : [x, weight, bias];
  return apply(CONV, x, inputs, y, { w, groups, OC, x: x.shape, weight: weight.shape, y, M: N * OC, N: w.OH * w.OW, K: Cg * w.KH * w.KW });
}

/**
 * The 1-D convolution (cross-correlation, as PyTorch's conv1d) of x [N, C, L] (or unbatched [C, L]) with a weight
 * [out, C / groups, k] and an optional bias [out]: the output is [N, out, L'] with
 * L' = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1.
 *
 * @example
 * ```ts
 * conv1d(tensor([[[1, 2, 3, 4]]]), tensor([[[1, -1]]])) // [[[-1, -1, -1]]]
 * conv1d(tensor([[1, 2, 3]]), tensor([[[1, 1, 1]]]), tensor([10]), { padding: 'same' }) // [[13, 16, 15]]
 * ```
 */
export function conv1d<T extends TensorBase>(x: T, weight: TensorBase, bias?: TensorBase | null, opts?: ConvOptions): T {
  return convolve('conv1d', 1, x, weight, bias, opts);
}

/**
 * The 2-D convolution (cross-correlation, as PyTorch's conv2d) of x [N, C, H, W] (or unbatched [C, H, W]) with a
 * weight [out, C / groups, kH, kW] and an optional bias [out]: the output is [N, out, H', W'], each spatial size
 * ⌊(size + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1. Computed as unfold, then one matrix product.
 *
 * @example
 * ```ts
 * const x = arange(16).reshape(1, 1, 4, 4);
 * conv2d(x, ones([1, 1, 2, 2])) // [[[[10, 14, 18], [26, 30, 34], [42, 46, 50]]]]
 * conv2d(x, ones([1, 1, 2, 2]), null, { stride: 2 }) // [[[[10, 18], [42, 50]]]]
 * conv2d(x, ones([2, 1, 3, 3]), tensor([0, 100]), { padding: 1 }).shape // [1, 2, 4, 4]
 * ```
 */
export function conv2d<T extends TensorBase>(x: T, weight: TensorBase, bias?: TensorBase | null, opts?: ConvOptions): T {
  return convolve('conv2d', 2, x, weight, bias, opts);
}

/** The windows of unfold and fold, from PyTorch's arguments. */
function unfoldWindows(op: string, N: number, C: number, size: readonly number[], kernelSize: unknown, opts: UnfoldOptions | undefined): Windows {
  const o = knownOptionsOf(op, opts, ['dilation', 'padding', 'stride']), padding = spatialOf(op, 'padding', o.padding ?? 0, 2, 0);
  return windowsOf(op, N, C, size, spatialOf(op, 'kernelSize', kernelSize, 2, 1), spatialOf(op, 'stride', o.stride ?? 1, 2, 1),
    padding, padding, spatialOf(op, 'dilation', o.dilation ?? 1, 2, 1));
}

/**
 * Every window of x [N, C, H, W] (or unbatched [C, H, W]) as a column, as PyTorch's `nn.functional.unfold` (im2col):
 * the output is [N, C·kH·kW, L], L the number of windows, row (c·kH + i)·kW + j holding tap (i, j) of channel c,
 * zero where the tap falls in the padding. Its gradient is {@link fold}.
 *
 * @example
 * ```ts
 * unfold(arange(9).reshape(1, 1, 3, 3), 2) // [[[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]]
 * unfold(ones([2, 3, 5, 5]), [2, 3], { padding: 1, stride: 2 }).shape // [2, 18, 9]
 * ```
 */
export function unfold<T extends TensorBase>(x: T, kernelSize: SpatialSize, opts?: UnfoldOptions): T {
  expectTensor('unfold', 'the input', x);
  const isBatched = batched('unfold', x, 2, 'C, H, W'), N = isBatched ? x.shape[0] : 1, C = x.shape[x.ndim - 3];
  const w = unfoldWindows('unfold', N, C, x.shape.slice(-2), kernelSize, opts), rows = C * w.KH * w.KW, L = w.OH * w.OW;
  const x4 = as(x, [N, C, w.H, w.W]), cols = apply(UNFOLD, x4, [x4], [N, rows, L], w);
  return isBatched ? cols : reshape(cols, [rows, L]);
}

/**
 * Columns of windows added back into an array of spatial size `outputSize`, as PyTorch's `nn.functional.fold`
 * (col2im): x [N, C·kH·kW, L] (or unbatched [C·kH·kW, L]) gives [N, C, H, W], each entry the sum of the column
 * entries that {@link unfold} would have read from it. L must be the number of windows. Its gradient is unfold.
 *
 * @example
 * ```ts
 * fold(ones([1, 4, 4]), 3, 2) // [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]
 * ```
 */
export function fold<T extends TensorBase>(x: T, outputSize: SpatialSize, kernelSize: SpatialSize, opts?: UnfoldOptions): T {
  expectTensor('fold', 'the input', x);
  if (x.ndim !== 2 && x.ndim !== 3) throw new Error(`fold: expects an input of 2 dims (unbatched, [C·kH·kW, L]) or 3 (batched, [N, C·kH·kW, L]), got shape ${fmt(x.shape)}`);
  const size = spatialOf('fold', 'outputSize', outputSize, 2, 1), k = spatialOf('fold', 'kernelSize', kernelSize, 2, 1);
  const rows = x.shape[x.ndim - 2], L = x.shape[x.ndim - 1], N = x.ndim === 3 ? x.shape[0] : 1;
  if (rows % (k[0] * k[1]) !== 0) {
    throw new Error(`fold: the input of shape ${fmt(x.shape)} has ${rows} rows, not a multiple of the kernel's ${k[0]}·${k[1]} = ${k[0] * k[1]} taps`);
  }
  const w = unfoldWindows('fold', N, rows / (k[0] * k[1]), size, k, opts);
  if (L !== w.OH * w.OW) {
    throw new Error(`fold: the input of shape ${fmt(x.shape)} has ${L} columns, but an output of size ${fmt(size)} has ` +
      `${w.OH}·${w.OW} = ${w.OH * w.OW} windows (kernel ${fmt(k)}, stride [${w.SH}, ${w.SW}], padding [${w.PH}, ${w.PW}], dilation [${w.DH}, ${w.DW}])`);
  }
  const x3 = as(x, [N, rows, L]), out = apply(FOLD, x3, [x3], [N, w.C, w.H, w.W], w);
  return x.ndim === 3 ? out : reshape(out, [w.C, w.H, w.W]);
}

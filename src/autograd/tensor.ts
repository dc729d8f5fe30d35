// The Tensor users hold: TensorBase (values, shape, graph links) with every op as a method.
import { checkShape, fmt, shapeArgs, type Shape } from '../tensor/shape.ts';
import { TensorBase } from './tensor-base.ts';
import { operand } from './op.ts';
import { backward, type BackwardOptions } from './backward.ts';
import * as ew from './ops/elementwise.ts';
import * as red from './ops/reduce.ts';
import * as mov from './ops/movement.ts';
import * as inplace from './ops/inplace.ts';
import * as sl from './ops/slice.ts';
import * as join from './ops/join.ts';
import * as idx from './ops/gather.ts';
import { logSoftmax, softmax } from './ops/softmax.ts';
import { softplus, type SoftplusOptions } from './ops/activations.ts';
import { expand } from './ops/broadcast.ts';
import { matmul } from './ops/matmul.ts';
import { encodeNpy } from '../tensor/npy.ts';
import { flagOf, optionsOf } from './options.ts';
import type { FloatDtype } from '../tensor/bytes.ts';

/** A tensor, or a number standing for a 0-d tensor (a constant): `x.add(1)` is `x.add(tensor(1))`. */
export type Operand = Tensor | number;

/**
 * An n-dimensional array of float64 values in row-major order, with its place in the autograd graph.
 *
 * Make one with {@link tensor}, {@link zeros}, {@link ones}, {@link full}, {@link arange}, {@link rand},
 * {@link randn} or {@link Tensor.from}. Every op is a method returning a new tensor (the in-place ones end in `_`);
 * binary ops broadcast as NumPy does, and a number operand stands for a 0-d tensor. When an input requires grad,
 * the output records the op, and {@link Tensor.backward} computes ∂output/∂input into each leaf's `.grad`.
 * (Package functions written for any tensor, such as {@link where} or {@link nn.mseLoss}, are typed
 * `<X extends TensorBase>(…) => X`: TensorBase is Tensor's base class, so given Tensors they return a Tensor.)
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
 * const y = x.mul(2).sum();
 * y.item() // 42
 * y.backward();
 * x.grad // [[2, 2, 2], [2, 2, 2]]
 * ```
 */
export class Tensor extends TensorBase {
  /**
   * Wrap a Float64Array as a tensor of `shape` without copying it: the tensor's values are `data` (row-major), so
   * later writes to one show in the other. `data.length` must be the product of the shape.
   *
   * @example
   * ```ts
   * Tensor.from(new Float64Array([1, 2, 3, 4]), [2, 2]) // [[1, 2], [3, 4]]
   * ```
   */
  static from(data: Float64Array, shape: Shape, opts?: { requiresGrad?: boolean }): Tensor {
    if (!(data instanceof Float64Array)) {
      throw new Error(`Tensor.from: expected a Float64Array, got ${(data as object)?.constructor?.name ?? String(data)}`);
    }
    const s = [...checkShape('Tensor.from', shape)];
    if (s.reduce((p, d) => p * d, 1) !== data.length) throw new Error(`Tensor.from: data of length ${data.length} does not fit shape ${fmt(s)}`);
    const requiresGrad = flagOf('Tensor.from', 'requiresGrad', optionsOf('Tensor.from', opts).requiresGrad, false);
    const t = new Tensor(data, s);
    t.requiresGrad = requiresGrad;
    return t;
  }

  // Elementwise, with NumPy broadcasting; a number is a 0-d tensor.
  /**
   * this + b, elementwise, broadcasting the shapes as NumPy does (a number is a 0-d tensor).
   *
   * @example
   * ```ts
   * tensor([1, 2]).add(tensor([[10], [20]])) // [[11, 12], [21, 22]]
   * ```
   */
  add(b: Operand): Tensor { return ew.add(this, b); }
  /**
   * this − b, elementwise, with broadcasting.
   *
   * @example
   * ```ts
   * tensor([5, 7]).sub(2) // [3, 5]
   * ```
   */
  sub(b: Operand): Tensor { return ew.sub(this, b); }
  /**
   * this · b, elementwise (not the matrix product: see {@link Tensor.matmul}), with broadcasting.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).mul(tensor([10, 100])) // [[10, 200], [30, 400]]
   * ```
   */
  mul(b: Operand): Tensor { return ew.mul(this, b); }
  /**
   * this / b, elementwise, with broadcasting.
   *
   * @example
   * ```ts
   * tensor([1, 2]).div(4) // [0.25, 0.5]
   * ```
   */
  div(b: Operand): Tensor { return ew.div(this, b); }
  /**
   * this ** b, elementwise, with broadcasting. Its gradient is b·a^(b−1) (taken as 0 where b = 0) with respect to the
   * base, and a^b·ln a (taken as 0 where a = 0 and b ≥ 0) with respect to the exponent.
   *
   * @example
   * ```ts
   * tensor([2, 3]).pow(2) // [4, 9]
   * ```
   */
  pow(b: Operand): Tensor { return ew.pow(this, b); }
  /**
   * −this, elementwise.
   *
   * @example
   * ```ts
   * tensor([1, -2]).neg() // [-1, 2]
   * ```
   */
  neg(): Tensor { return ew.neg(this); }
  /**
   * e^this, elementwise.
   *
   * @example
   * ```ts
   * tensor([0, 1]).exp() // [1, 2.718282]
   * ```
   */
  exp(): Tensor { return ew.exp(this); }
  /**
   * The natural logarithm, elementwise (−Infinity at 0, NaN below).
   *
   * @example
   * ```ts
   * tensor([1, Math.E]).log() // [0, 1]
   * ```
   */
  log(): Tensor { return ew.log(this); }
  /**
   * The logistic function σ(x) = 1 / (1 + e^−x), elementwise, computed stably for any x; its derivative is
   * σ(x)·(1 − σ(x)), from the output.
   *
   * @example
   * ```ts
   * tensor([0, 2]).sigmoid() // [0.5, 0.880797]
   * ```
   */
  sigmoid(): Tensor { return ew.sigmoid(this); }
  /**
   * The hyperbolic tangent, elementwise; its derivative is 1 − tanh², from the output.
   *
   * @example
   * ```ts
   * tensor([0, 1]).tanh() // [0, 0.761594]
   * ```
   */
  tanh(): Tensor { return ew.tanh(this); }
  /**
   * max(x, 0), elementwise; the gradient is 1 where x > 0, else 0 (also at 0).
   *
   * @example
   * ```ts
   * tensor([-1, 0, 2]).relu() // [0, 0, 2]
   * ```
   */
  relu(): Tensor { return ew.relu(this); }
  /**
   * |x|, elementwise; the gradient is sign(x) (0 at 0).
   *
   * @example
   * ```ts
   * tensor([-1.5, 2]).abs() // [1.5, 2]
   * ```
   */
  abs(): Tensor { return ew.abs(this); }
  /**
   * −1, 0 or 1 by the sign of x, elementwise (NaN stays NaN); the gradient is 0.
   *
   * @example
   * ```ts
   * tensor([-3, 0, 2]).sign() // [-1, 0, 1]
   * ```
   */
  sign(): Tensor { return ew.sign(this); }
  /**
   * √x, elementwise (NaN below 0).
   *
   * @example
   * ```ts
   * tensor([4, 9]).sqrt() // [2, 3]
   * ```
   */
  sqrt(): Tensor { return ew.sqrt(this); }
  /**
   * x², elementwise.
   *
   * @example
   * ```ts
   * tensor([-3, 2]).square() // [9, 4]
   * ```
   */
  square(): Tensor { return ew.square(this); }
  /**
   * sin x (radians), elementwise.
   *
   * @example
   * ```ts
   * tensor([0, Math.PI / 2]).sin() // [0, 1]
   * ```
   */
  sin(): Tensor { return ew.sin(this); }
  /**
   * cos x (radians), elementwise.
   *
   * @example
   * ```ts
   * tensor([0, Math.PI]).cos() // [1, -1]
   * ```
   */
  cos(): Tensor { return ew.cos(this); }
  /**
   * log(1 + x), elementwise, accurate for small x.
   *
   * @example
   * ```ts
   * tensor([0, Math.E - 1]).log1p() // [0, 1]
   * ```
   */
  log1p(): Tensor { return ew.log1p(this); }
  /**
   * e^x − 1, elementwise, accurate for small x.
   *
   * @example
   * ```ts
   * tensor([0, Math.log(2)]).expm1() // [0, 1]
   * ```
   */
  expm1(): Tensor { return ew.expm1(this); }
  /**
   * log(1 + e^(βx))/β, elementwise ({@link softplus}: β = 1 and threshold 20 unless `opts` says otherwise), computed
   * so that it never overflows; its derivative is σ(βx).
   *
   * @example
   * ```ts
   * tensor([0, 1000]).softplus() // [0.693147, 1000]
   * ```
   */
  softplus(opts?: SoftplusOptions): Tensor { return softplus(this, opts); }
  /**
   * Each value limited to [min, max] (either bound may be omitted: ±Infinity); NaN stays NaN. The gradient
   * passes where min ≤ x ≤ max (at the bounds too, as PyTorch) and is 0 elsewhere.
   *
   * @example
   * ```ts
   * tensor([-2, 0.5, 3]).clamp(0, 1) // [0, 0.5, 1]
   * ```
   */
  clamp(min = -Infinity, max = Infinity): Tensor { return ew.clamp(this, min, max); }

  // Comparisons: 1 where true, 0 where false; no gradient.
  /**
   * 1 where this > b, else 0, elementwise with broadcasting; no gradient flows through a comparison.
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).gt(2) // [0, 0, 1]
   * ```
   */
  gt(b: Operand): Tensor { return ew.gt(this, b); }
  /**
   * 1 where this < b, else 0 (broadcasting; no gradient).
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).lt(2) // [1, 0, 0]
   * ```
   */
  lt(b: Operand): Tensor { return ew.lt(this, b); }
  /**
   * 1 where this ≥ b, else 0 (broadcasting; no gradient).
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).ge(2) // [0, 1, 1]
   * ```
   */
  ge(b: Operand): Tensor { return ew.ge(this, b); }
  /**
   * 1 where this ≤ b, else 0 (broadcasting; no gradient).
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).le(2) // [1, 1, 0]
   * ```
   */
  le(b: Operand): Tensor { return ew.le(this, b); }
  /**
   * 1 where this = b, else 0 (broadcasting; no gradient); NaN equals nothing.
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).eq(tensor([1, 0, 3])) // [1, 0, 1]
   * ```
   */
  eq(b: Operand): Tensor { return ew.eq(this, b); }
  /**
   * 1 where this ≠ b, else 0 (broadcasting; no gradient).
   *
   * @example
   * ```ts
   * tensor([1, 2, 3]).ne(2) // [1, 0, 1]
   * ```
   */
  ne(b: Operand): Tensor { return ew.ne(this, b); }

  /**
   * The matrix product this·b. Both operands have at least 2 dims: [n, k]·[k, m] is [n, m], and leading (batch)
   * dims broadcast as NumPy's matmul, so [B, n, k]·[k, m] is [B, n, m]. (A vector is a [1, k] or [k, 1] matrix:
   * use unsqueeze or reshape.)
   *
   * @example
   * ```ts
   * tensor([[1, 2]]).matmul(tensor([[3], [4]])) // [[11]]
   * zeros([5, 2, 3]).matmul(zeros([3, 4])).shape // [5, 2, 4]
   * ```
   */
  matmul(b: Tensor): Tensor { return matmul(this, b); }

  // Reductions over one axis, several, or all (axis omitted).
  /**
   * The sum over `axis`: one axis, several (an array), or all of them (omitted), which the output drops, or keeps
   * as size 1 with `keepdim`. An empty array of axes reduces nothing (the values, as a new tensor), as NumPy's axis=().
   *
   * @example
   * ```ts
   * tensor([[1, 2, 3], [4, 5, 6]]).sum() // 21
   * tensor([[1, 2, 3], [4, 5, 6]]).sum(0) // [5, 7, 9]
   * tensor([[1, 2, 3], [4, 5, 6]]).sum(-1, true) // [[6], [15]]
   * ```
   */
  sum(axis?: number | number[], keepdim = false): Tensor { return red.sum(this, axis, keepdim); }
  /**
   * The mean over `axis` (one, several, or all when omitted), dropping the reduced axes unless `keepdim`. An empty
   * array of axes reduces nothing.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).mean() // 2.5
   * tensor([[1, 2], [3, 4]]).mean(1, true) // [[1.5], [3.5]]
   * ```
   */
  mean(axis?: number | number[], keepdim = false): Tensor { return red.mean(this, axis, keepdim); }
  /**
   * The largest value over `axis` (one, several, or all when omitted), dropping the reduced axes unless `keepdim`.
   * The gradient goes to the first largest element of each reduced line (PyTorch splits it among ties for a full
   * reduction). The axes reduced must not be empty; an empty array of axes reduces nothing, as for sum.
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).max() // 7
   * tensor([[1, 5], [7, 2]]).max(1) // [5, 7]
   * tensor([[1, 5], [7, 2]]).max([]) // [[1, 5], [7, 2]]
   * ```
   */
  max(axis?: number | number[], keepdim = false): Tensor { return red.max(this, axis, keepdim); }
  /**
   * The smallest value over `axis` (one, several, or all when omitted), dropping the reduced axes unless `keepdim`;
   * the gradient goes to the first smallest element. An empty array of axes reduces nothing.
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).min() // 1
   * tensor([[1, 5], [7, 2]]).min(0, true) // [[1, 2]]
   * ```
   */
  min(axis?: number | number[], keepdim = false): Tensor { return red.min(this, axis, keepdim); }
  /**
   * The index of the first largest value along `axis`, or in the flattened tensor when `axis` is omitted, as a
   * tensor of integer values (no gradient).
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).argmax(1) // [1, 0]
   * tensor([[1, 5], [7, 2]]).argmax() // 2
   * ```
   */
  argmax(axis?: number, keepdim = false): Tensor { return red.argmax(this, axis, keepdim); }
  /**
   * The index of the first smallest value along `axis`, or in the flattened tensor when `axis` is omitted (integer
   * values, no gradient).
   *
   * @example
   * ```ts
   * tensor([[1, 5], [7, 2]]).argmin(0) // [0, 1]
   * ```
   */
  argmin(axis?: number, keepdim = false): Tensor { return red.argmin(this, axis, keepdim); }

  // Normalised exponentials along an axis, stable at any logits.
  /**
   * e^x / Σ e^x along `axis` (default the last): each line becomes probabilities that add up to 1. Stable at any
   * logits (every exponent is ≤ 0).
   *
   * @example
   * ```ts
   * tensor([0, Math.log(3)]).softmax() // [0.25, 0.75]
   * tensor([[1000, 1000]]).softmax(1) // [[0.5, 0.5]]
   * ```
   */
  softmax(axis = -1): Tensor { return softmax(this, axis); }
  /**
   * log(softmax(x)) along `axis` (default the last), computed as (x − max) − log Σ e^(x − max): finite at any
   * logits. Feed it to {@link nn.nllLoss}, or give {@link nn.crossEntropyLoss} the logits.
   *
   * @example
   * ```ts
   * tensor([0, 0]).logSoftmax() // [-0.693147, -0.693147]
   * ```
   */
  logSoftmax(axis = -1): Tensor { return logSoftmax(this, axis); }

  // Shapes.
  /**
   * The same values in a new shape with as many elements, as numbers or one array; one dim may be −1, inferred from
   * the others. A view: it shares this tensor's storage (and stays in the graph).
   *
   * @example
   * ```ts
   * arange(6).reshape(2, 3) // [[0, 1, 2], [3, 4, 5]]
   * arange(6).reshape([-1, 2]).shape // [3, 2]
   * ```
   */
  reshape(...shape: number[] | [number[]]): Tensor { return mov.reshape(this, shapeArgs(shape)); }
  /**
   * The axes in a new order (dims is a permutation of 0 … ndim − 1; negative counts from the end), as a copy.
   *
   * @example
   * ```ts
   * zeros([2, 3, 4]).permute(2, 0, 1).shape // [4, 2, 3]
   * ```
   */
  permute(...dims: number[] | [number[]]): Tensor { return mov.permute(this, shapeArgs(dims)); }
  /**
   * The transpose of a 2-D tensor (a copy); use {@link Tensor.permute} for more dims.
   *
   * @example
   * ```ts
   * tensor([[1, 2, 3]]).transpose() // [[1], [2], [3]]
   * ```
   */
  transpose(): Tensor {
    if (this.ndim !== 2) throw new Error(`transpose: expects a 2-D tensor, got shape ${fmt(this.shape)}; use permute for n-D`);
    return mov.permute(this, [1, 0]);
  }
  /**
   * The transpose of a 2-D tensor, as {@link Tensor.transpose}.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).T // [[1, 3], [2, 4]]
   * ```
   */
  get T(): Tensor { return this.transpose(); }
  /**
   * This tensor broadcast to `shape` (as numbers or one array): dims of size 1 repeat, new leading dims may be
   * added, and −1 keeps this tensor's size. A copy; its gradient sums back over the repeated dims.
   *
   * @example
   * ```ts
   * tensor([[1], [2]]).expand(2, 3) // [[1, 1, 1], [2, 2, 2]]
   * tensor([1, 2]).expand([2, -1]) // [[1, 2], [1, 2]]
   * ```
   */
  expand(...shape: number[] | [number[]]): Tensor {
    const dims = shapeArgs(shape), lead = dims.length - this.ndim;
    if (dims.some((d, i) => d === -1 && i < lead)) {
      throw new Error(`expand: -1 in ${fmt(dims as number[])} stands for a dim of shape ${fmt(this.shape)}; a new leading dim needs a size`);
    }
    return expand(this, checkShape('expand', dims.map((d, i) => (d === -1 ? this.shape[i - lead] : d))));
  }
  /**
   * A new axis of size 1 at `axis` (from −(ndim + 1) to ndim), as a view.
   *
   * @example
   * ```ts
   * tensor([1, 2]).unsqueeze(0).shape // [1, 2]
   * tensor([1, 2]).unsqueeze(-1) // [[1], [2]]
   * ```
   */
  unsqueeze(axis: number): Tensor { return mov.unsqueeze(this, axis); }
  /**
   * Without its axes of size 1, or without the given ones (a number or an array) where they have size 1 (others are
   * kept, as PyTorch), as a view.
   *
   * @example
   * ```ts
   * zeros([2, 1, 3, 1]).squeeze().shape // [2, 3]
   * zeros([2, 1, 3, 1]).squeeze(1).shape // [2, 3, 1]
   * ```
   */
  squeeze(axis?: number | number[]): Tensor { return mov.squeeze(this, axis); }
  /**
   * The axes from `startAxis` to `endAxis` (inclusive; default all) merged into one, as a view; a 0-d tensor
   * becomes 1-D.
   *
   * @example
   * ```ts
   * zeros([2, 3, 4]).flatten().shape // [24]
   * zeros([2, 3, 4]).flatten(1).shape // [2, 12]
   * ```
   */
  flatten(startAxis = 0, endAxis = -1): Tensor { return mov.flatten(this, startAxis, endAxis); }
  /**
   * A copy in new storage, still in the graph (its gradient passes through unchanged).
   *
   * @example
   * ```ts
   * tensor([1, 2]).clone() // [1, 2]
   * ```
   */
  clone(): Tensor { return mov.clone(this); }

  // Slicing: copies of parts of the tensor (negative starts and indices count from the end).
  /**
   * The `length` entries along `axis` from `start` (negative: counted from the end), as PyTorch's narrow; a copy.
   *
   * @example
   * ```ts
   * tensor([1, 2, 3, 4]).narrow(0, 1, 2) // [2, 3]
   * ```
   */
  narrow(axis: number, start: number, length: number): Tensor { return sl.narrow(this, axis, start, length); }
  /**
   * Entry `index` along `axis` (negative: counted from the end), without that axis, as PyTorch's select; a copy.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).select(1, -1) // [2, 4]
   * ```
   */
  select(axis: number, index: number): Tensor { return sl.select(this, axis, index); }
  /**
   * NumPy's basic indexing, one spec per leading axis: `null` takes the whole axis, an integer takes one entry and
   * drops the axis, `[start, stop, step]` (any of them null, the list may be shorter) takes a range. Negative starts,
   * stops and indices count from the end, starts and stops are clamped as Python clamps them, a negative step walks
   * backwards; axes after the last spec are taken whole. NumPy's `x[0:2, :, 1::2, -1]` is
   * `x.slice([0, 2], null, [1, null, 2], -1)`. A copy.
   *
   * @example
   * ```ts
   * tensor([[1, 2, 3], [4, 5, 6]]).slice(null, [null, null, -1]) // [[3, 2, 1], [6, 5, 4]]
   * tensor([[1, 2, 3], [4, 5, 6]]).slice(-1, [1]) // [5, 6]
   * ```
   */
  slice(...specs: sl.SliceSpec[]): Tensor { return sl.slice(this, specs); }
  /**
   * Pieces along `axis` (default 0): each of `size` (the last may be shorter), or of the given sizes, which must add
   * up to the axis's length. Each piece is a copy, in the graph.
   *
   * @example
   * ```ts
   * arange(5).split(2) // [[0, 1], [2, 3], [4]]
   * arange(5).split([1, 4]) // [[0], [1, 2, 3, 4]]
   * ```
   */
  split(sizes: number | number[], axis = 0): Tensor[] { return join.split(this, sizes, axis); }
  /**
   * `chunks` pieces along `axis` (default 0), each of ⌈length / chunks⌉ (the last may be shorter, and there may be
   * fewer pieces), as PyTorch's chunk.
   *
   * @example
   * ```ts
   * arange(6).chunk(3) // [[0, 1], [2, 3], [4, 5]]
   * ```
   */
  chunk(chunks: number, axis = 0): Tensor[] { return join.chunk(this, chunks, axis); }

  // Gathering by integer index (a tensor of integer values, an Int32Array or a number array); no negative indices.
  /**
   * out[i][j] = this[index[i][j]][j] along `axis` 0, this[i][index[i][j]] along `axis` 1, and so on: the index (a tensor of
   * integer values, an Int32Array or a number array) has this tensor's number of dims, and the output has the index's
   * shape. No negative indices (as PyTorch); a bad index throws naming the op, the axis and the value. Repeated indices
   * add up their gradients.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).gather(1, tensor([[1], [0]])) // [[2], [3]]
   * ```
   */
  gather(axis: number, index: idx.Index): Tensor { return idx.gather(this, axis, index); }
  /**
   * The entries along `axis` at the indices of a 1-D index (a tensor of integer values, an Int32Array or a number
   * array), in order; repeats are allowed and add up their gradients. As PyTorch's index_select.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4], [5, 6]]).indexSelect(0, [2, 0]) // [[5, 6], [1, 2]]
   * ```
   */
  indexSelect(axis: number, index: idx.Index): Tensor { return idx.indexSelect(this, axis, index); }
  /**
   * A copy of this tensor with `src` added at the positions the index gives along `axis`, as PyTorch's scatter_add
   * (out of place): out[index[i][j]][j] += src[i][j] along axis 0. Repeated indices add up; the index has src's number
   * of dims and is no longer than src in any dim.
   *
   * @example
   * ```ts
   * zeros([3]).scatterAdd(0, [0, 2, 0], tensor([1, 2, 3])) // [4, 0, 2]
   * ```
   */
  scatterAdd(axis: number, index: idx.Index, src: Tensor): Tensor { return idx.scatterAdd(this, axis, index, src); }

  // In place (outside the graph: inside noGrad for tensors that require grad). Each stamps the tensor's
  // version, so a backward that needs the old values refuses to run.
  /**
   * Write `src` (broadcast to this tensor's shape) into this tensor, in place; returns this tensor. Outside the graph:
   * a tensor that requires grad can only be changed inside {@link noGrad}. Each in-place op stamps the tensor's
   * version, so a backward that would need the old values throws instead of computing wrong gradients.
   *
   * @example
   * ```ts
   * zeros([2, 2]).copy_(tensor([1, 2])) // [[1, 2], [1, 2]]
   * ```
   */
  copy_(src: Operand): this { return inplace.copy_(this, operand(src, this, 'copy_', 'the source')); }
  /**
   * Set every value to `value`, in place; returns this tensor.
   *
   * @example
   * ```ts
   * zeros([2]).fill_(7) // [7, 7]
   * ```
   */
  fill_(value: number): this { return inplace.fill_(this, value); }
  /**
   * Set every value to 0, in place; returns this tensor.
   *
   * @example
   * ```ts
   * ones([2]).zero_() // [0, 0]
   * ```
   */
  zero_(): this { return inplace.fill_(this, 0); }
  /**
   * this += alpha·b, in place (b of this tensor's shape or a single value; alpha a number, or a one-element tensor
   * read when the op runs); returns this tensor.
   *
   * @example
   * ```ts
   * ones([2]).add_(tensor([1, 2]), 10) // [11, 21]
   * ```
   */
  add_(b: Operand, alpha: Operand = 1): this { return inplace.add_(this, operand(b, this, 'add_', 'the operand'), alpha); }
  /**
   * this ·= b, in place (b of this tensor's shape, or a single value); returns this tensor.
   *
   * @example
   * ```ts
   * ones([2]).mul_(3) // [3, 3]
   * ```
   */
  mul_(b: Operand): this { return inplace.mul_(this, operand(b, this, 'mul_', 'the operand')); }
  /**
   * this += value·a·b, in place (a and b of this tensor's shape), as PyTorch's addcmul_; returns this tensor.
   *
   * @example
   * ```ts
   * zeros([2]).addcmul_(tensor([1, 2]), tensor([3, 4]), 0.5) // [1.5, 4]
   * ```
   */
  addcmul_(a: Tensor, b: Tensor, value: Operand = 1): this { return inplace.addcmul_(this, a, b, value); }
  /**
   * this += value·a / b, in place (a and b of this tensor's shape), as PyTorch's addcdiv_; returns this tensor.
   *
   * @example
   * ```ts
   * zeros([2]).addcdiv_(tensor([1, 2]), tensor([4, 8]), 2) // [0.5, 0.5]
   * ```
   */
  addcdiv_(a: Tensor, b: Tensor, value: Operand = 1): this { return inplace.addcdiv_(this, a, b, value); }

  /**
   * The bytes of a NumPy .npy file holding this tensor, which `np.load` reads: float64 (the default), or float32
   * with each value rounded to nearest. {@link fromNpy} reads them back.
   *
   * @example
   * ```ts
   * fromNpy(tensor([[1, 2]]).toNpy()) // [[1, 2]]
   * tensor([1, 2]).toNpy({ dtype: 'float32' }).length // 136
   * ```
   */
  toNpy(opts?: { dtype?: FloatDtype }): Uint8Array { return encodeNpy(this.values(), this.shape, optionsOf('toNpy', opts).dtype); }

  /**
   * Reverse-mode differentiation: ∂this/∂x accumulates (adds) into the `.grad` of every leaf x that requires grad,
   * and of every tensor that called {@link Tensor.retainGrad}. A one-element tensor needs no seed (it is 1); otherwise
   * pass `seed`, ∂loss/∂this, of this tensor's shape. The graph's rules are released afterwards unless
   * `opts.retainGraph`; `opts.createGraph` records the gradients as a graph, to differentiate them again.
   *
   * @example
   * ```ts
   * const x = tensor([1, 2, 3], { requiresGrad: true });
   * x.square().sum().backward();
   * x.grad // [2, 4, 6]
   * ```
   */
  backward(seed?: Tensor, opts?: BackwardOptions): void {
    if (opts !== undefined) {
      const { retainGraph, createGraph } = optionsOf('backward', opts);
      flagOf('backward', 'retainGraph', retainGraph, false);
      flagOf('backward', 'createGraph', createGraph, false);
    }
    backward(this, seed, opts);
  }

  /**
   * Keep this intermediate tensor's gradient in `.grad` after backward (only leaves keep theirs otherwise), e.g. to
   * read a layer's delta δ = ∂loss/∂z. Returns this tensor.
   *
   * @example
   * ```ts
   * const x = tensor([1, 2], { requiresGrad: true });
   * const z = x.mul(3).retainGrad();
   * z.square().sum().backward();
   * z.grad // [6, 12]
   * ```
   */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /**
   * The same values (shared storage), cut from the graph: a leaf that does not require grad.
   *
   * @example
   * ```ts
   * tensor([1, 2], { requiresGrad: true }).mul(2).detach().requiresGrad // false
   * ```
   */
  detach(): Tensor { return mov.detach(this); }

  /** What console.log shows in Node: the values, as toString (a symbol, so no import of node:util). */
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

  /**
   * Set `.grad` to zeros in place, if there is one (optimizers' zeroGrad calls it for every parameter).
   *
   * @example
   * ```ts
   * const x = tensor([1, 2], { requiresGrad: true });
   * x.sum().backward();
   * x.zeroGrad();
   * x.grad // [0, 0]
   * ```
   */
  zeroGrad(): void { if (this.grad !== null) inplace.fill_(this.grad, 0); }
}

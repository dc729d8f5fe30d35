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
import { expand } from './ops/broadcast.ts';
import { matmul } from './ops/matmul.ts';
import { encodeNpy } from '../tensor/npy.ts';
import type { FloatDtype } from '../tensor/bytes.ts';

/** A tensor, or a number standing for a 0-d tensor. */
export type Operand = Tensor | number;

export class Tensor extends TensorBase {
  /** Wrap a Float64Array (no copy) as a tensor of the given shape; the length must match. */
  static from(data: Float64Array, shape: Shape, opts: { requiresGrad?: boolean } = {}): Tensor {
    if (!(data instanceof Float64Array)) {
      throw new Error(`Tensor.from: expected a Float64Array, got ${(data as object)?.constructor?.name ?? String(data)}`);
    }
    const s = [...checkShape('Tensor.from', shape)];
    if (s.reduce((p, d) => p * d, 1) !== data.length) throw new Error(`Tensor.from: data of length ${data.length} does not fit shape ${fmt(s)}`);
    const t = new Tensor(data, s);
    t.requiresGrad = opts.requiresGrad ?? false;
    return t;
  }

  // Elementwise, with NumPy broadcasting; a number is a 0-d tensor.
  add(b: Operand): Tensor { return ew.add(this, b); }
  sub(b: Operand): Tensor { return ew.sub(this, b); }
  mul(b: Operand): Tensor { return ew.mul(this, b); }
  div(b: Operand): Tensor { return ew.div(this, b); }
  pow(b: Operand): Tensor { return ew.pow(this, b); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  tanh(): Tensor { return ew.tanh(this); }
  relu(): Tensor { return ew.relu(this); }
  abs(): Tensor { return ew.abs(this); }
  sign(): Tensor { return ew.sign(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  square(): Tensor { return ew.square(this); }
  sin(): Tensor { return ew.sin(this); }
  cos(): Tensor { return ew.cos(this); }
  log1p(): Tensor { return ew.log1p(this); }
  expm1(): Tensor { return ew.expm1(this); }
  softplus(): Tensor { return ew.softplus(this); }
  clamp(min = -Infinity, max = Infinity): Tensor { return ew.clamp(this, min, max); }

  // Comparisons: 1 where true, 0 where false; no gradient.
  gt(b: Operand): Tensor { return ew.gt(this, b); }
  lt(b: Operand): Tensor { return ew.lt(this, b); }
  ge(b: Operand): Tensor { return ew.ge(this, b); }
  le(b: Operand): Tensor { return ew.le(this, b); }
  eq(b: Operand): Tensor { return ew.eq(this, b); }
  ne(b: Operand): Tensor { return ew.ne(this, b); }

  matmul(b: Tensor): Tensor { return matmul(this, b); }

  // Reductions over one axis, several, or all (axis omitted).
  sum(axis?: number | number[], keepdim = false): Tensor { return red.sum(this, axis, keepdim); }
  mean(axis?: number | number[], keepdim = false): Tensor { return red.mean(this, axis, keepdim); }
  max(axis?: number | number[], keepdim = false): Tensor { return red.max(this, axis, keepdim); }
  min(axis?: number | number[], keepdim = false): Tensor { return red.min(this, axis, keepdim); }
  argmax(axis?: number, keepdim = false): Tensor { return red.argmax(this, axis, keepdim); }
  argmin(axis?: number, keepdim = false): Tensor { return red.argmin(this, axis, keepdim); }

  // Normalised exponentials along an axis, stable at any logits.
  softmax(axis = -1): Tensor { return softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return logSoftmax(this, axis); }

  // Shapes.
  reshape(...shape: number[] | [number[]]): Tensor { return mov.reshape(this, shapeArgs(shape)); }
  permute(...dims: number[] | [number[]]): Tensor { return mov.permute(this, shapeArgs(dims)); }
  transpose(): Tensor {
    if (this.ndim !== 2) throw new Error(`transpose: expects a 2-D tensor, got shape ${fmt(this.shape)}; use permute for n-D`);
    return mov.permute(this, [1, 0]);
  }
  get T(): Tensor { return this.transpose(); }
  /** Broadcast to `shape` (a dim of −1 keeps this tensor's size there). */
  expand(...shape: number[] | [number[]]): Tensor {
    const dims = shapeArgs(shape), lead = dims.length - this.ndim;
    if (dims.some((d, i) => d === -1 && i < lead)) {
      throw new Error(`expand: -1 in ${fmt(dims as number[])} stands for a dim of shape ${fmt(this.shape)}; a new leading dim needs a size`);
    }
    return expand(this, checkShape('expand', dims.map((d, i) => (d === -1 ? this.shape[i - lead] : d))));
  }
  /** A new axis of size 1 at `axis` (a view). */
  unsqueeze(axis: number): Tensor { return mov.unsqueeze(this, axis); }
  /** Without the axes of size 1, or without the given ones if they have size 1 (a view). */
  squeeze(axis?: number | number[]): Tensor { return mov.squeeze(this, axis); }
  /** The axes from startAxis to endAxis merged into one (a view). */
  flatten(startAxis = 0, endAxis = -1): Tensor { return mov.flatten(this, startAxis, endAxis); }
  /** A copy in new storage, in the graph. */
  clone(): Tensor { return mov.clone(this); }

  // Slicing: copies of parts of the tensor (negative starts and indices count from the end).
  /** `length` entries along `axis` from `start`. */
  narrow(axis: number, start: number, length: number): Tensor { return sl.narrow(this, axis, start, length); }
  /** Entry `index` along `axis`, dropping the axis. */
  select(axis: number, index: number): Tensor { return sl.select(this, axis, index); }
  /** NumPy's x[0:2, :, 1::2, -1] is x.slice([0, 2], null, [1, null, 2], -1): per axis null, an index, or [start, stop, step]. */
  slice(...specs: sl.SliceSpec[]): Tensor { return sl.slice(this, specs); }
  /** Pieces along `axis`, each of `size` (the last may be shorter) or of the given sizes. */
  split(sizes: number | number[], axis = 0): Tensor[] { return join.split(this, sizes, axis); }
  /** `chunks` pieces of equal size (the last may be shorter) along `axis`, as PyTorch's chunk. */
  chunk(chunks: number, axis = 0): Tensor[] { return join.chunk(this, chunks, axis); }

  // Gathering by integer index (a tensor of integer values, an Int32Array or a number array); no negative indices.
  /** out[…, i, …] = this[…, index[…, i, …], …] along `axis`; the output has the index's shape. */
  gather(axis: number, index: idx.Index): Tensor { return idx.gather(this, axis, index); }
  /** The entries along `axis` at the indices of a 1-D index, in order (repeats allowed). */
  indexSelect(axis: number, index: idx.Index): Tensor { return idx.indexSelect(this, axis, index); }
  /** A copy with src added at the positions the index gives along `axis` (repeats add up). */
  scatterAdd(axis: number, index: idx.Index, src: Tensor): Tensor { return idx.scatterAdd(this, axis, index, src); }

  // In place (outside the graph: inside noGrad for tensors that require grad). Each stamps the tensor's
  // version, so a backward that needs the old values refuses to run.
  copy_(src: Operand): this { return inplace.copy_(this, operand(src, this, 'copy_', 'the source')); }
  fill_(value: number): this { return inplace.fill_(this, value); }
  zero_(): this { return inplace.fill_(this, 0); }
  /** this += alpha·b (alpha a number, or a one-element tensor read when the op runs). */
  add_(b: Operand, alpha: Operand = 1): this { return inplace.add_(this, operand(b, this, 'add_', 'the operand'), alpha); }
  mul_(b: Operand): this { return inplace.mul_(this, operand(b, this, 'mul_', 'the operand')); }
  addcmul_(a: Tensor, b: Tensor, value: Operand = 1): this { return inplace.addcmul_(this, a, b, value); }
  addcdiv_(a: Tensor, b: Tensor, value: Operand = 1): this { return inplace.addcdiv_(this, a, b, value); }

  /** The bytes of a NumPy .npy file holding this tensor (np.load reads it); float32 rounds to nearest. */
  toNpy(opts: { dtype?: FloatDtype } = {}): Uint8Array { return encodeNpy(this.values(), this.shape, opts.dtype); }

  /** Reverse-mode differentiation: ∂this/∂leaf accumulates into every leaf's .grad (seed: 1 for a scalar). */
  backward(seed?: Tensor, opts?: BackwardOptions): void { backward(this, seed, opts); }

  /** Keep this intermediate tensor's gradient after backward() (e.g. to read a layer's delta δ = ∂loss/∂z). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** The same values (shared storage), cut from the graph. */
  detach(): Tensor { return mov.detach(this); }

  /** What console.log shows in Node: the values, as toString (a symbol, so no import of node:util). */
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

  /** Set .grad to zeros (in place), if there is one. */
  zeroGrad(): void { if (this.grad !== null) inplace.fill_(this.grad, 0); }
}

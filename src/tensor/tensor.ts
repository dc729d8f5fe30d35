// The tensor: a contiguous row-major Float64Array and a shape, plus what autograd needs to know.
import { checkShape, fmt, sizeOf, type Shape } from './shape.ts';
import { format } from './format.ts';
import { encodeNpy } from './npy.ts';
import type { FloatDtype } from './bytes.ts';
import { backward, type BackwardOptions, type Node } from '../autograd/graph.ts';
import * as ew from '../autograd/ops/elementwise.ts';
import * as red from '../autograd/ops/reduce.ts';
import * as mov from '../autograd/ops/movement.ts';
import { matmul } from '../autograd/ops/matmul.ts';

export type Operand = Tensor | number;

export class Tensor {
  readonly data: Float64Array;
  readonly shape: Shape;
  readonly size: number;
  requiresGrad: boolean;
  /** ∂loss/∂this after backward(): kept for leaves that require grad, and for tensors that called retainGrad(). */
  grad: Tensor | null = null;
  /** The op that made this tensor, or null for a leaf. */
  node: Node | null = null;
  /** @internal the gradient being accumulated by the current backward walk */
  gradBuffer: Float64Array | null = null;
  /** @internal set by retainGrad() */
  retainsGrad = false;
  /** @internal visit stamp of the backward walk */
  mark = 0;

  constructor(data: Float64Array, shape: Shape, requiresGrad = false) {
    this.data = data;
    this.shape = shape;
    this.size = data.length;
    this.requiresGrad = requiresGrad;
  }

  /** Wrap a Float64Array (no copy) as a tensor of the given shape; the length must match. */
  static from(data: Float64Array, shape: Shape, opts: { requiresGrad?: boolean } = {}): Tensor {
    if (!(data instanceof Float64Array)) {
      throw new Error(`Tensor.from: expected a Float64Array, got ${(data as object)?.constructor?.name ?? typeof data}`);
    }
    if (sizeOf(checkShape('Tensor.from', shape)) !== data.length) {
      throw new Error(`Tensor.from: data of length ${data.length} does not fit shape ${fmt(shape)}`);
    }
    return new Tensor(data, [...shape], opts.requiresGrad ?? false);
  }

  get ndim(): number { return this.shape.length; }
  get isLeaf(): boolean { return this.node === null; }

  // Elementwise, with NumPy broadcasting; a number is a 0-d tensor.
  add(b: Operand): Tensor { return ew.binary('add', ew.ADD, this, b); }
  sub(b: Operand): Tensor { return ew.binary('sub', ew.SUB, this, b); }
  mul(b: Operand): Tensor { return ew.binary('mul', ew.MUL, this, b); }
  div(b: Operand): Tensor { return ew.binary('div', ew.DIV, this, b); }
  pow(b: Operand): Tensor { return ew.binary('pow', ew.POW, this, b); }
  neg(): Tensor { return ew.unary('neg', ew.NEG, this); }
  exp(): Tensor { return ew.unary('exp', ew.EXP, this); }
  log(): Tensor { return ew.unary('log', ew.LOG, this); }
  sigmoid(): Tensor { return ew.unary('sigmoid', ew.SIGMOID, this); }
  tanh(): Tensor { return ew.unary('tanh', ew.TANH, this); }
  relu(): Tensor { return ew.unary('relu', ew.RELU, this); }
  abs(): Tensor { return ew.unary('abs', ew.ABS, this); }
  clamp(min = -Infinity, max = Infinity): Tensor { return ew.unary('clamp', ew.clamp(min, max), this); }

  matmul(b: Tensor): Tensor { return matmul(this, b); }

  // Reductions over one axis, several, or all (axis omitted).
  sum(axis?: number | number[], keepdim = false): Tensor { return red.sum(this, axis, keepdim); }
  mean(axis?: number | number[], keepdim = false): Tensor { return red.mean(this, axis, keepdim); }
  max(axis?: number, keepdim = false): Tensor { return red.max(this, axis, keepdim); }

  reshape(...shape: number[] | [number[]]): Tensor { return mov.reshape(this, shape.flat()); }
  permute(...dims: number[] | [number[]]): Tensor { return mov.permute(this, dims.flat()); }
  transpose(): Tensor {
    if (this.ndim !== 2) throw new Error(`transpose: expects a 2-D tensor, got shape ${fmt(this.shape)}; use permute for n-D`);
    return mov.permute(this, [1, 0]);
  }
  get T(): Tensor { return this.transpose(); }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements, not 1`);
    return this.data[0];
  }

  /** Nested plain arrays (a number for a 0-d tensor). */
  toArray(): unknown {
    const build = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return this.data[off];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  toString(): string { return format(this); }
  /** The bytes of a NumPy .npy file holding this tensor (np.load reads it); float32 rounds to nearest. */
  toNpy(opts: { dtype?: FloatDtype } = {}): Uint8Array { return encodeNpy(this.data, this.shape, opts.dtype); }

  backward(grad?: Tensor, opts?: BackwardOptions): void { backward(this, grad, opts); }

  /** Keep this intermediate tensor's gradient after backward() (e.g. to read a layer's delta δ = ∂loss/∂z). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** The same values, cut from the graph. */
  detach(): Tensor { return new Tensor(this.data, this.shape); }

  zeroGrad(): void { this.grad?.data.fill(0); }
}

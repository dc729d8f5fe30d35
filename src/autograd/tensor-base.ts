// What a tensor is, below its op methods: its values (a contiguous row-major Float64Array and a shape), its
// place in the graph, and the bookkeeping that keeps shared buffers and in-place writes safe. And what an op is.
import { slab, SLAB_MAX, takeSlab } from '../tensor/storage.ts';
import { checkShape, fmt, show, sizeOf, type Shape } from '../tensor/shape.ts';
import { format } from '../tensor/format.ts';
import { tape, tick } from './state.ts';

/** Refuse to read values while a program is recorded: its replays would not read them again. */
function readable(what: string): void {
  if (tape !== null) {
    throw new Error(`compile: the traced function reads tensor values (${what}), which a replay cannot repeat; ` +
      'return the tensor from the function and read it after the call, or call the function without compile()');
  }
}

/** ∂loss/∂input of one op input, given g = ∂loss/∂output, written in tensor ops (so it can be differentiated again). */
export type Rule<A = never> = (g: TensorBase, inputs: readonly TensorBase[], out: TensorBase, attrs: A) => TensorBase;

/**
 * The output's tangent in forward mode (jvp) from the tangents of the inputs (null where an input carries none, a
 * zero tangent): J·t, the directional derivative, in tensor ops. Null for a zero tangent.
 */
export type Tangent<A = never> = (ts: readonly (TensorBase | null)[], inputs: readonly TensorBase[], out: TensorBase, attrs: A) => TensorBase | null;

/**
 * An op: a name, its forward, and the derivative rule of each input. Ops are applied through one door, `apply`
 * (op.ts), which runs the forward and records the application; everything an op needs to say beyond its math is
 * in `fast`.
 */
export interface OpDef<A = never> {
  readonly name: string;
  /** Writes the output's values into `out` (fresh zeroed memory, or an in-place op's target) from the inputs' values. */
  readonly forward: (out: TensorBase, ins: readonly TensorBase[], attrs: A) => void;
  /** One rule per input; null where no gradient flows (an index, a mask). */
  readonly grads: readonly (Rule<A> | null)[];
  /** Its forward-mode rule (see Tangent); undefined when it has none, and jvp then refuses the op by name. An op
   *  whose rules are all null (an index, a mask, a comparison) needs none: its output carries no tangent. */
  readonly tangent: Tangent<A> | undefined;
  /** Optional fast paths, each an equivalent of the forward or a rule that the engine may use instead. */
  readonly fast: FastPaths<A>;
}

/** What the engine may do instead of the plain forward and rules: none of it changes a value. */
export interface FastPaths<A> {
  /** Elementwise: the output's value i is this function of the inputs' values i (an input of one value is read
   *  at 0). A replay (compile) inlines it as a loop, and the output may be written over an input of its shape. */
  readonly map?: (...xs: number[]) => number;
  /** Every rule reads g once: the backward walk may lend g to the rule as scratch (see `lend` in state.ts). */
  readonly rulesReadGradOnce?: boolean;
  /** The output shares input 0's storage (reshape, detach): nothing to run. */
  readonly view?: boolean;
  /** Rules that add their result into a leaf's .grad in place instead of returning it (a big product's weight
   *  gradient, where a new tensor and a pass to add it cost as much as the product); false to decline. */
  readonly into?: readonly (RuleInto<A> | null)[];
  /** The forward as JavaScript statements for a replay, with the sizes of this application written in (null to
   *  decline, e.g. when the kernel is better called); see replay.ts. */
  readonly source?: (io: SourceIO, attrs: A) => string | null;
}

/** A rule that adds its result into `acc` (a leaf's .grad) and returns true, or returns false to decline. */
export type RuleInto<A = never> = (acc: TensorBase, g: TensorBase, inputs: readonly TensorBase[], out: TensorBase, attrs: A) => boolean;

/** What a `source` writes with: `at(t, i)` reads or writes element i of tensor t (0 the output, 1… the
 *  inputs) as an expression; `value(v)` names a number; `size(t)` is tensor t's element count. */
export interface SourceIO {
  at(t: number, i: string): string;
  value(v: number): string;
  size(t: number): number;
}

const NO_FAST_PATHS: FastPaths<any> = Object.freeze({ map: undefined, rulesReadGradOnce: false, view: false, into: undefined, source: undefined });

/**
 * An op from its parts, every optional part present and in one order: all ops then share one shape, so the
 * backward walk and the replay read their fields without a lookup per op kind.
 */
export function makeOp<A>(spec: { name: string; forward: OpDef<A>['forward']; grads: OpDef<A>['grads']; tangent?: Tangent<A>; fast?: FastPaths<A> }): OpDef<A> {
  const f = spec.fast ?? NO_FAST_PATHS;
  const fast: FastPaths<A> = f === NO_FAST_PATHS ? f : { map: f.map, rulesReadGradOnce: f.rulesReadGradOnce ?? false, view: f.view ?? false, into: f.into, source: f.source };
  return { name: spec.name, forward: spec.forward, grads: spec.grads, tangent: spec.tangent, fast };
}

/** An op of any settings type, as the graph stores it. */
export type AnyOp = OpDef<any>;

/** One op application, as compile() records it: the op's forward on `inputs` into `out` (in place: a target). */
export interface Step { readonly op: AnyOp; readonly out: TensorBase; readonly inputs: readonly TensorBase[]; readonly attrs: unknown; readonly inPlace: boolean }

type TensorClass<T> = new (data: Float64Array, shape: Shape, offset?: number, size?: number) => T;

/** The checks of `new Tensor(data, shape)`, the form users call (the library's own calls give an offset): the size. */
function checkedSize(data: unknown, shape: unknown): number {
  if (!(data instanceof Float64Array)) {
    const got = typeof data === 'object' && data !== null && !Array.isArray(data) ? `an object of type ${data.constructor?.name ?? 'Object'}` : show(data);
    throw new Error(`Tensor: data must be a Float64Array, got ${got}; make a tensor of numbers with tensor([...]), or wrap a Float64Array with Tensor.from(data, shape)`);
  }
  const n = sizeOf(checkShape('Tensor', shape));
  if (data.length !== n) throw new Error(`Tensor: data of length ${data.length} does not fit shape ${fmt(shape as Shape)}; use Tensor.from or tensor()`);
  return n;
}
const NO_INPUTS: readonly TensorBase[] = [];

/**
 * What every tensor is below its op methods: its values (a contiguous row-major Float64Array and a shape), its place
 * in the graph (`grad`, `gradFn`, `requiresGrad`) and the reads (`item`, `toArray`, `data`). Users hold
 * {@link Tensor}s, which add every op as a method; functions written for any tensor type take `X extends TensorBase`
 * and return X, so called with Tensors they return a Tensor.
 */
export class TensorBase {
  /**
   * The size of each dimension; `[]` for a 0-d tensor (one value).
   *
   * @example
   * ```ts
   * tensor([[1, 2, 3], [4, 5, 6]]).shape // [2, 3]
   * ```
   */
  readonly shape: Shape;
  /**
   * The number of values, the product of the shape (1 for a 0-d tensor).
   *
   * @example
   * ```ts
   * zeros([2, 3]).size // 6
   * ```
   */
  readonly size: number;
  /** @internal whose storage this is: the tensor itself, or the one it is a view of (reshape, detach). */
  base: TensorBase;
  /** @internal the array holding the values, from `offset` on (read them through `base`: buf, off). */
  store: Float64Array;
  /** @internal where this tensor's values start in `store`. */
  offset: number;
  /** @internal `store` is a shared slab (see storage.ts). */
  onSlab = false;
  /** @internal tick of the last in-place write to this storage. */
  written = 0;
  /** @internal tick at which this tensor was made. */
  readonly serial = tick();
  /** @internal backs `requiresGrad`. */
  private needsGrad = false;
  /**
   * ∂loss/∂this after {@link Tensor.backward}, of this tensor's shape: kept for leaves that require grad, and for
   * tensors that called {@link Tensor.retainGrad}; null before (and for other tensors). Backward adds into it, so
   * zero it between steps (an optimizer's zeroGrad).
   *
   * @example
   * ```ts
   * const w = tensor([1, 2], { requiresGrad: true });
   * w.mul(w).sum().backward();
   * w.grad // [2, 4]
   * ```
   */
  grad: this | null = null;
  /**
   * The op that made this tensor (`gradFn.name` is its name, as errors and {@link toDot} show it), or null for a
   * leaf, and for a tensor made while nothing was recorded (no input required grad, or inside {@link noGrad}).
   *
   * @example
   * ```ts
   * tensor([1], { requiresGrad: true }).exp().gradFn.name // 'exp'
   * ```
   */
  gradFn: AnyOp | null = null;
  /** @internal the op's inputs and settings, kept for its derivative rules and for drawing the graph. */
  inputs: readonly TensorBase[] = NO_INPUTS;
  /** @internal */
  attrs: unknown = undefined;
  /** @internal a backward walk (without retainGraph) went through this op: its rules may not run again. */
  released = false;
  /** @internal set by retainGrad(). */
  retainsGrad = false;

  /** Values of `shape` in `data` (its whole length, no copy). */
  constructor(data: Float64Array, shape: Shape);
  /** @internal `size` values from `offset` in `data`: the library's own form, for slabs and views. */
  constructor(data: Float64Array, shape: Shape, offset: number, size: number);
  constructor(data: Float64Array, shape: Shape, offset = -1, size = -1) {
    if (offset < 0) size = checkedSize(data, shape);
    this.store = data;
    this.offset = offset < 0 ? 0 : offset;
    this.shape = shape;
    this.size = size;
    this.base = this;
  }

  /** @internal a new tensor of this class, of `shape`, in fresh zeroed memory. */
  make(shape: Shape, size: number): this {
    const C = this.constructor as TensorClass<this>;
    if (size > SLAB_MAX) return new C(new Float64Array(size), shape, 0, size);
    const at = takeSlab(size); // may start a new slab: read `slab` after it
    const t = new C(slab, shape, at, size);
    t.onSlab = true;
    return t;
  }

  /** @internal a tensor of `shape` (same size) sharing this one's storage, outside the graph. */
  view(shape: Shape): this {
    const b = this.base;
    const t = new (this.constructor as TensorClass<this>)(b.store, shape, b.offset, b.size);
    t.base = b;
    return t;
  }

  /** @internal the array and offset of the values, for the ops of the library (they never escape to users). */
  get buf(): Float64Array { return this.base.store; }
  /** @internal where they start in `buf`. */
  get off(): number { return this.base.offset; }

  /**
   * The values, row-major, in the tensor's own Float64Array (not a copy). Writing to them changes the tensor without telling autograd: a graph that already
   * used the old values will compute gradients from the new ones. Use the in-place ops (`copy_`, `add_`, …),
   * which backward checks, to change a tensor a graph still needs.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).data // [1, 2, 3, 4]
   * ```
   */
  get data(): Float64Array {
    readable('.data');
    return this.own();
  }

  /** @internal the values in an array of the tensor's own: copied out of its slab first, if it is on one. */
  own(): Float64Array {
    const b = this.base;
    if (b.onSlab) { // before anyone can hold (or transfer) the shared array
      b.store = b.store.slice(b.offset, b.offset + b.size);
      b.offset = 0;
      b.onSlab = false;
    }
    return b.store;
  }

  /**
   * Whether gradients flow to this tensor: set it (true or false) on a leaf, to have backward compute its `.grad`;
   * a tensor made by an op from one that requires grad requires grad too (and cannot be unset: use detach).
   */
  get requiresGrad(): boolean { return this.needsGrad; }
  /**
   * Make a leaf require grad (true) or not (false).
   *
   * @example
   * ```ts
   * const w = zeros([2]);
   * w.requiresGrad = true;
   * w.mul(3).sum().backward();
   * w.grad // [3, 3]
   * ```
   */
  set requiresGrad(on: boolean) {
    if (typeof on !== 'boolean') throw new Error(`requiresGrad: expected true or false, got ${String(on)}`);
    if (this.gradFn !== null) {
      throw new Error(`requiresGrad: only a leaf's flag can change; this tensor ${fmt(this.shape)} was made by '${this.gradFn.name}' (use detach() for a copy outside the graph)`);
    }
    this.needsGrad = on;
  }

  /** The number of dimensions, `shape.length` (0 for a single value). */
  get ndim(): number { return this.shape.length; }
  /** Whether no recorded op made this tensor (`gradFn` is null): made by tensor(), zeros(), …, detach(), or in noGrad. */
  get isLeaf(): boolean { return this.gradFn === null; }

  /** @internal make this tensor the output of `op` in the graph. */
  link(op: AnyOp, inputs: readonly TensorBase[], attrs: unknown): void {
    this.needsGrad = true;
    this.gradFn = op;
    this.inputs = inputs;
    this.attrs = attrs;
  }

  /**
   * The value of a one-element tensor (of any number of dims), as a number.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).sum().item() // 10
   * ```
   */
  item(): number {
    readable('item()');
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements, not 1`);
    return this.buf[this.off];
  }

  /**
   * The values as nested plain arrays of the tensor's shape (a number for a 0-d tensor).
   *
   * @example
   * ```ts
   * arange(4).reshape(2, 2).toArray() // [[0, 1], [2, 3]]
   * ```
   */
  toArray(): unknown {
    readable('toArray()');
    const data = this.values(), shape = this.shape;
    const build = (dim: number, off: number): unknown => {
      if (dim === shape.length) return data[off];
      const step = sizeOf(shape.slice(dim + 1));
      return Array.from({ length: shape[dim] }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  /**
   * The tensor as JSON data, `{ shape, data }` with the values row-major in a plain array: what `JSON.stringify`
   * writes for a tensor, and what {@link tensor} reads back (shape included, for 0-d and empty tensors too). Only
   * the values: not requiresGrad, grad or the graph. JSON has no NaN or ±Infinity (it writes null), so those do
   * not survive the trip.
   *
   * @example
   * ```ts
   * JSON.stringify(tensor([[1, 2]])) // '{"shape":[1,2],"data":[1,2]}'
   * tensor(JSON.parse(JSON.stringify(tensor(5)))).shape // []
   * ```
   */
  toJSON(): {
    /** The tensor's shape. */
    shape: number[];
    /** Its values, row-major. */
    data: number[];
  } {
    readable('toJSON()');
    return { shape: [...this.shape], data: Array.from(this.values()) };
  }

  /** The values as text, as NumPy prints them (with `gradFn=…` or `requiresGrad=true` where it applies). */
  toString(): string {
    const extra = this.gradFn !== null ? `, gradFn=${this.gradFn.name}` : this.needsGrad ? ', requiresGrad=true' : '';
    return format(this.values(), this.shape, extra);
  }

  /** @internal the values as their own array (a view: copy it before keeping it). */
  values(): Float64Array {
    const b = this.base;
    return b.offset === 0 && b.store.length === b.size ? b.store : b.store.subarray(b.offset, b.offset + b.size);
  }
}

// vmap: a function of one example, run once over a batch (torch.func.vmap, jax.vmap). Inside the function a batched
// tensor is a Tensor of one example's shape with no values of its own; the vmap's level maps it to its physical
// tensor, the whole batch with the batch at axis 0. Ops work out their shapes and settings for one example as usual
// and reach the door (op.ts), which hands an op with a batched input to its level: the level runs the op's batching
// rule (written beside its forward and derivative rules) on the physical tensors and wraps the result. The rules
// are ops, so the batch runs through the usual kernels and graph; and grad inside vmap walks the graph of one
// example, whose derivative rules are batched in turn: every example's gradient in one pass.
import { fmt, show, sizeOf, type Shape } from '../tensor/shape.ts';
import { NO_VALUES, TensorBase, type OpDef } from './tensor-base.ts';
import { Tensor } from './tensor.ts';
import { describe, IN_PLACE, shapes } from './op.ts';
import { batching, gradEnabled, setBatching, tangents, type Batching } from './state.ts';
import { optionsOf } from './options.ts';
import { expand } from './ops/broadcast.ts';
import { permute } from './ops/movement.ts';

type TensorClass = new (data: Float64Array, shape: Shape, offset: number, size: number) => TensorBase;

/** One running vmap: its batch size, the batched tensors it made (each to its physical tensor), the vmap around it. */
class Level implements Batching {
  private readonly physical = new WeakMap<TensorBase, TensorBase>();

  constructor(readonly size: number, readonly outer: Level | null) {}

  /** The op on its inputs, by the innermost vmap that batches one of them (or an in-place op's target); else null. */
  apply(op: OpDef<unknown>, like: TensorBase, inputs: readonly TensorBase[], shape: Shape | null, attrs: unknown): TensorBase | null {
    for (let l: Level | null = this; l !== null; l = l.outer) {
      if (l.batches(inputs) || (shape === IN_PLACE && l.physical.has(like))) return l.run(op, like, inputs, shape, attrs);
    }
    return null;
  }

  private batches(inputs: readonly TensorBase[]): boolean {
    for (let i = 0; i < inputs.length; i++) if (this.physical.has(inputs[i])) return true;
    return false;
  }

  private run(op: OpDef<unknown>, like: TensorBase, inputs: readonly TensorBase[], shape: Shape | null, attrs: unknown): TensorBase {
    if (op.batch === null || shape === IN_PLACE) {
      const on = shape === IN_PLACE ? `in place on a tensor of shape ${fmt(like.shape)}` : `inputs of shapes ${shapes(...inputs)}`;
      throw new Error(`vmap: ${op.name} has no batching rule (${on}, per example)`);
    }
    const batched = inputs.map((x) => this.physical.has(x)), xs = inputs.map((x) => this.physical.get(x) ?? x);
    const prev = setBatching(this.outer); // the rule's ops are on the physical tensors, which only the vmaps around batch
    let out: TensorBase;
    try {
      out = op.batch(xs, batched, attrs, shape);
    } finally {
      setBatching(prev);
    }
    if (out.ndim !== shape.length + 1 || out.shape[0] !== this.size || shape.some((d, i) => out.shape[i + 1] !== d)) {
      throw new Error(`vmap: the batching rule of ${op.name} made shape ${fmt(out.shape)}, not ${fmt([this.size, ...shape])}`);
    }
    const t = this.wrap(out, like, shape);
    // The output joins the graph of one example as the door links any output: grad mode on, an input with a rule
    // that requires grad.
    for (let i = 0; gradEnabled && i < inputs.length; i++) {
      if (inputs[i].requiresGrad && op.grads[i] != null) {
        t.link(op, inputs, attrs);
        break;
      }
    }
    return t;
  }

  /** A batched tensor of one example's `shape` standing for `physical`. */
  private wrap<T extends TensorBase>(physical: TensorBase, like: T, shape: Shape): T {
    const t = new (like.constructor as TensorClass)(NO_VALUES, shape, 0, sizeOf(shape)) as T;
    this.physical.set(t, physical);
    return t;
  }

  /** Input x, batched along `axis`, as one example; it requires grad when x does, so grad inside may take it. */
  enter(x: Tensor, axis: number): Tensor {
    const rest = x.shape.map((_, i) => i).filter((i) => i !== axis);
    const t = this.wrap(axis === 0 ? x : permute(x, [axis, ...rest]), x, rest.map((i) => x.shape[i]));
    t.requiresGrad = x.requiresGrad;
    return t;
  }

  /** Output t as the batch's, the batch along `axis`; an unbatched output is the same for every example. */
  exit(t: Tensor, axis: number): Tensor {
    const p = (this.physical.get(t) ?? expand(t, [this.size, ...t.shape])) as Tensor;
    const rest = t.shape.map((_, i) => i + 1);
    return axis === 0 ? p : permute(p, [...rest.slice(0, axis), 0, ...rest.slice(axis)]);
  }
}

/** Options of {@link vmap} (torch.func.vmap's in_dims and out_dims). */
export interface VmapOptions {
  /**
   * For each input, the axis along which it holds the batch, or null for an input that every example shares (given
   * to the function as it is, and then it may be anything, not only a tensor); one value for every input. Default 0.
   */
  inDims?: number | null | readonly (number | null)[];
  /** For each output, the axis where its batch goes (negative: counted from the end); one number for all. Default 0. */
  outDims?: number | readonly number[];
}

/** One entry of inDims or outDims per input or output, checked. */
function perEntry<D>(name: string, dims: D | readonly D[], n: number, what: string): D[] {
  if (!Array.isArray(dims)) return Array.from({ length: n }, () => dims as D);
  if (dims.length !== n) throw new Error(`vmap: ${name} has ${dims.length} entries for ${n} ${what}`);
  return dims;
}

/** `axis` as an axis of a tensor of `nd` dims, or an error naming where it was given. */
function axisOf(which: string, axis: unknown, nd: number, of: string): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -nd || axis >= nd) {
    const range = nd === 0 ? 'it has no axis' : `an axis from ${-nd} to ${nd - 1}`;
    throw new Error(`vmap: ${which} is ${show(axis)}, out of range for ${of} (${range})`);
  }
  return axis < 0 ? axis + nd : axis;
}

/**
 * `fn`, a function of one example, made a function of a batch, as torch.func.vmap: each input holds a batch along its
 * `inDims` axis (default 0; null for an input shared by every example), and each output gets the batch at its
 * `outDims` axis (default 0). `fn` runs once: inside it every batched input is a tensor of one example's shape,
 * whose ops run on the whole batch by their batching rules, and an op without one is refused by name. Its values
 * cannot be read inside (item, toArray and the like throw). `fn` returns a tensor or an array of tensors (an output
 * that does not depend on the batch is repeated for every example).
 *
 * With {@link grad} inside, the gradients are per example: `vmap((x, y) => grad(loss(x, y), params))` gives the
 * gradient of each example's loss, as a loop over the examples would, in one pass. `backward()` of a batched
 * tensor is refused (it would add every example's gradient into one .grad). vmap nests, and the ops it runs are in
 * the graph as any, so it can itself be differentiated. Dropout inside draws a mask per example, in the order a
 * loop over the examples would; rand and randn are refused inside (one draw would serve every example).
 *
 * @example
 * ```ts
 * vmap((x) => x.div(x.sum()))(tensor([[1, 3], [2, 2]])) // [[0.25, 0.75], [0.5, 0.5]]
 * vmap((x, b) => x.add(b), { inDims: [1, null] })(tensor([[1, 2], [3, 4]]), tensor([10, 20])) // [[11, 23], [12, 24]]
 * vmap((x) => x.sum(), { inDims: 1 })(tensor([[1, 2], [3, 4]])) // [4, 6]
 * const w = tensor([1, 2], { requiresGrad: true });
 * vmap((x) => grad(x.mul(w).sum().square(), w))(tensor([[1, 0], [1, 1]])) // [[[2, 0], [6, 6]]]
 * vmap((x) => x.item())(tensor([1, 2])) // throws 'vmap: cannot read values of a batched tensor'
 * ```
 */
export function vmap<A extends unknown[], R extends Tensor | readonly (Tensor | null)[]>(fn: (...args: A) => R,
  opts?: VmapOptions): (...args: A) => R extends Tensor ? Tensor : Tensor[] {
  if (typeof fn !== 'function') throw new Error(`vmap: fn must be a function, got ${describe(fn)}`);
  const { inDims = 0, outDims = 0 } = optionsOf('vmap', opts);
  const isDim = (d: unknown): boolean => d === null || typeof d === 'number';
  if (!(isDim(inDims) || (Array.isArray(inDims) && inDims.every(isDim)))) {
    throw new Error(`vmap: inDims must be an axis, null, or an array of them (one per input), got ${describe(inDims)}`);
  }
  if (!(typeof outDims === 'number' || (Array.isArray(outDims) && outDims.every((d) => typeof d === 'number')))) {
    throw new Error(`vmap: outDims must be an axis or an array of axes (one per output), got ${describe(outDims)}`);
  }
  return (...args: A) => {
    if (tangents !== null) throw new Error('vmap: cannot run inside jvp (its batched values carry no tangents); call jvp inside the vmapped function instead');
    const dims = perEntry('inDims', inDims, args.length, 'inputs'), named = (i: number): string => (Array.isArray(inDims) ? `inDims[${i}]` : 'inDims');
    let size = -1, first = '';
    const axes = args.map((x, i) => {
      if (dims[i] === null) return null;
      if (!(x instanceof Tensor)) throw new Error(`vmap: input ${i} must be a tensor (its batch axis is ${dims[i]}; inDims null passes any value as it is), got ${describe(x)}`);
      const a = axisOf(named(i), dims[i], x.ndim, `input ${i} of shape ${fmt(x.shape)}`), here = `input ${i} has ${x.shape[a]} along axis ${a}`;
      if (x.shape[a] === 0) throw new Error(`vmap: ${here}: an empty batch (vmap needs at least one example)`);
      if (size < 0) [size, first] = [x.shape[a], here];
      else if (x.shape[a] !== size) throw new Error(`vmap: the inputs' batch sizes differ: ${first}, ${here}`);
      return a;
    });
    if (size < 0) throw new Error(`vmap: no input is batched (inDims ${show(inDims)} for ${args.length} inputs); give at least one an axis`);
    const level = new Level(size, batching as Level | null);
    const inputs = args.map((x, i) => (axes[i] === null ? x : level.enter(x as Tensor, axes[i]))) as A;
    const prev = setBatching(level);
    let out: R;
    try {
      out = fn(...inputs);
    } finally {
      setBatching(prev);
    }
    const single = out instanceof TensorBase;
    if (!single && !Array.isArray(out)) throw new Error(`vmap: fn must return a tensor or an array of tensors, got ${describe(out)}`);
    const outs: readonly unknown[] = single ? [out] : out as readonly unknown[], at = perEntry('outDims', outDims, outs.length, 'outputs');
    const results = outs.map((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`vmap: output ${i} of fn must be a tensor, got ${describe(t)}`);
      const which = Array.isArray(outDims) ? `outDims[${i}]` : 'outDims';
      return level.exit(t, axisOf(which, at[i], t.ndim + 1, `output ${i} of shape ${fmt(t.shape)} per example, with the batch axis`));
    });
    return (single ? results[0] : results) as R extends Tensor ? Tensor : Tensor[];
  };
}

// Custom differentiable ops: a forward on Float64Arrays and one derivative rule per input, in tensor ops.
// Such an op is a first-class op: recorded in the graph, differentiable to any order through its rules.
import { checkShape, fmt, sameShape, type Shape } from '../tensor/shape.ts';
import { makeOp, type OpDef } from './tensor-base.ts';
import { describe, apply } from './op.ts';
import { Tensor } from './tensor.ts';

/** What {@link defineOp} makes an op from. */
export interface OpSpec {
  /** The op's name, shown in errors and in the graph. */
  name: string;
  /** The output's shape from the inputs (default: the first input's); throw here to refuse bad inputs. */
  shape?: (...inputs: Tensor[]) => Shape;
  /** Fill `out` (zeroed, row-major) from the inputs' values. */
  forward: (out: Float64Array, ...inputs: Float64Array[]) => void;
  /** ∂loss/∂input for each input, given g = ∂loss/∂output, in tensor ops; null where no gradient flows. */
  grads: (((g: Tensor, inputs: Tensor[], out: Tensor) => Tensor) | null)[];
  /**
   * Forward mode ({@link jvp}, as torch.autograd.Function's `jvp`): the output's tangent, of its shape, from the
   * inputs' tangents (null for an input without one, a zero tangent), in tensor ops. Without it, jvp refuses the op
   * by name.
   */
  tangent?: (tangents: (Tensor | null)[], inputs: Tensor[], out: Tensor) => Tensor;
  /**
   * The op on a batch ({@link vmap}, as torch.autograd.Function's `vmap`): `inputs` as they are for the whole batch,
   * a batched one (`batched[i]`) with the batch along axis 0, a shared one as one example's; returns the batch's
   * output, [B, ...shape] for `shape` one example's output shape, in tensor ops (calling the op itself on a larger
   * input is one way). Without it, vmap refuses the op by name.
   */
  batch?: (inputs: Tensor[], batched: boolean[], shape: Shape) => Tensor;
}

/**
 * A new differentiable op from user code: a forward on Float64Arrays and one derivative rule per input, written in
 * tensor ops (so the op can be differentiated to any order). Returns the function that applies it to tensors (as
 * many as it has rules); its applications are recorded in the graph like any op's.
 *
 * @example
 * ```ts
 * const cube = defineOp({
 *   name: 'cube',
 *   forward: (out, x) => { for (let i = 0; i < x.length; i++) out[i] = x[i] ** 3; },
 *   grads: [(g, [x]) => g.mul(x.square().mul(3))],
 * });
 * cube(tensor([1, 2])) // [1, 8]
 * const x = tensor([2], { requiresGrad: true });
 * cube(x).backward();
 * x.grad // [12]
 * ```
 */
export function defineOp(spec: OpSpec): (...inputs: Tensor[]) => Tensor {
  if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string' || typeof spec.forward !== 'function' || !Array.isArray(spec.grads)) {
    throw new Error(`defineOp: expected { name, forward, grads[, shape] }, got ${describe(spec)}`);
  }
  const { name, shape = (x: Tensor) => x.shape, forward, grads, tangent, batch } = spec;
  if (typeof shape !== 'function') throw new Error(`defineOp: shape must be a function of the inputs, got ${describe(shape)}`);
  if (tangent !== undefined && typeof tangent !== 'function') throw new Error(`defineOp: tangent must be a rule (tangents, inputs, out) => tensor, got ${describe(tangent)}`);
  if (batch !== undefined && typeof batch !== 'function') throw new Error(`defineOp: batch must be a rule (inputs, batched, shape) => tensor, got ${describe(batch)}`);
  /** What a rule returned, checked to be a tensor of the shape it must have. */
  const checked = (got: unknown, what: string, want: Shape): Tensor => {
    if (!(got instanceof Tensor) || !sameShape(got.shape, want)) {
      throw new Error(`${name}: the ${what} returned ${got instanceof Tensor ? `shape ${fmt(got.shape)}` : describe(got)}, not a tensor of shape ${fmt(want)}`);
    }
    return got;
  };
  grads.forEach((rule, i) => {
    if (rule !== null && typeof rule !== 'function') throw new Error(`defineOp: grads[${i}] must be a rule (g, inputs, out) => tensor, or null, got ${describe(rule)}`);
  });
  const op: OpDef<undefined> = makeOp({
    name,
    forward: (out, ins) => forward(out.own(), ...ins.map((x) => x.own())),
    grads: grads.map((rule, i) => rule && ((g, ins, out) => checked(rule(g as Tensor, ins as Tensor[], out as Tensor), `rule for input ${i}`, ins[i].shape))),
    tangent: tangent && ((ts, ins, out) => checked(tangent(ts as (Tensor | null)[], ins as Tensor[], out as Tensor), 'tangent rule', out.shape)),
    batch: batch && ((xs, batched, _a, s) => {
      const B = xs[batched.indexOf(true)].shape[0];
      return checked(batch(xs as Tensor[], [...batched], s), 'batching rule', [B, ...s]);
    }),
  });
  return (...inputs: Tensor[]): Tensor => {
    if (inputs.length !== grads.length) throw new Error(`${name}: expects ${grads.length} tensor inputs (one per rule), got ${inputs.length}`);
    inputs.forEach((x, i) => { if (!(x instanceof Tensor)) throw new Error(`${name}: input ${i} must be a tensor, got ${describe(x)}`); });
    const s = [...checkShape(name, shape(...inputs))];
    const out = apply(op, inputs[0], inputs, s, undefined);
    if (out.size !== s.reduce((p, d) => p * d, 1)) throw new Error(`${name}: output does not fit ${fmt(s)}`);
    return out;
  };
}

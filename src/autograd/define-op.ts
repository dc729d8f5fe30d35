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
  const { name, shape = (x: Tensor) => x.shape, forward, grads } = spec;
  if (typeof shape !== 'function') throw new Error(`defineOp: shape must be a function of the inputs, got ${describe(shape)}`);
  grads.forEach((rule, i) => {
    if (rule !== null && typeof rule !== 'function') throw new Error(`defineOp: grads[${i}] must be a rule (g, inputs, out) => tensor, or null, got ${describe(rule)}`);
  });
  const op: OpDef<undefined> = makeOp({
    name,
    forward: (out, ins) => forward(out.own(), ...ins.map((x) => x.own())),
    grads: grads.map((rule, i) => rule && ((g, ins, out) => {
      const gx = rule(g as Tensor, ins as Tensor[], out as Tensor);
      if (!(gx instanceof Tensor) || !sameShape(gx.shape, ins[i].shape)) {
        throw new Error(`${name}: the rule for input ${i} returned ${gx instanceof Tensor ? `shape ${fmt(gx.shape)}` : describe(gx)}, ` +
          `not a tensor of the input's shape ${fmt(ins[i].shape)}`);
      }
      return gx;
    })),
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

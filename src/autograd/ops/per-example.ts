// Batching rules (vmap) that several op files share: running an op on every example of a batch on its own, and
// giving the examples' shared inputs a batch dim.
import type { Shape } from '../../tensor/shape.ts';
import type { OpDef, TensorBase } from '../tensor-base.ts';
import { apply } from '../op.ts';
import { expand } from './broadcast.ts';
import { stack } from './join.ts';
import { select } from './slice.ts';

/**
 * The op on each example of the batch on its own (its batched inputs' example b, its shared inputs as they are),
 * stacked: for the cases an op's kernel cannot take as one larger op, as a convolution whose weight differs per
 * example (a per-example weight gradient).
 */
export function eachExample<A>(op: OpDef<A>, xs: readonly TensorBase[], batched: readonly boolean[], attrs: A, shape: Shape): TensorBase {
  const B = xs[batched.indexOf(true)].shape[0];
  return stack(Array.from({ length: B }, (_, b) => {
    const ins = xs.map((x, i) => (batched[i] ? select(x, 0, b) : x));
    return apply(op, ins[0], ins, shape, attrs);
  }));
}

/** The inputs with a batch dim of size B each: a shared one repeated for every example. */
export const everyExample = (xs: readonly TensorBase[], batched: readonly boolean[], B: number): TensorBase[] =>
  xs.map((x, i) => (batched[i] ? x : expand(x, [B, ...x.shape])));

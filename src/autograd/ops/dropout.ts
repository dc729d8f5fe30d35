// Dropout: x times a random mask of 0 and 1/(1 − p). The mask is an op of its own with the generator in its
// settings, so running the op again (as a replayed step would) draws a new mask; it takes no gradient. It takes x
// as an input for its shape only (its values are not read), so that inside vmap a batched x draws a mask per example.
import { keepMask } from '../../tensor/kernels.ts';
import type { RandomState } from '../../tensor/random.ts';
import { optionsOf, rngOf } from '../options.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { describe, apply, expectTensor } from '../op.ts';
import { mul } from './elementwise.ts';

interface Draw { p: number; rng: RandomState }

// Each element is kept when its uniform draw is below 1 − p (a Bernoulli(1 − p) draw, as PyTorch's mask).
const DROPOUT_MASK: OpDef<Draw> = makeOp({
  name: 'dropoutMask',
  forward: (out, _ins, { p, rng }) => keepMask(() => rng.random(), 1 - p, p === 1 ? 0 : 1 / (1 - p), out.size, out.buf, out.off),
  grads: [null],
  batch: ([x], _b, d) => apply(DROPOUT_MASK, x, [x], x.shape, d), // drawn example after example, as a loop would
});

/**
 * Each element of x zeroed with probability `p` (default 0.5), the others scaled by 1/(1 − p) so that the expected
 * value is unchanged, the mask drawn from `opts.rng` (default: the global generator). Always applied: {@link nn.Dropout}
 * is the module that is the identity in eval mode.
 *
 * @example
 * ```ts
 * dropout(ones([8]), 0.5, { rng: new RandomState(0) }) // [0, 0, 0, 0, 2, 0, 2, 0]
 * dropout(ones([2]), 0) // [1, 1]
 * ```
 */
export function dropout<T extends TensorBase>(x: T, p = 0.5, opts?: { rng?: RandomState }): T {
  const rng = rngOf('dropout', optionsOf('dropout', opts).rng);
  expectTensor('dropout', 'the input', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`dropout: p must be a probability in [0, 1], got ${describe(p)}`);
  return mul(x, apply(DROPOUT_MASK, x, [x], x.shape, { p, rng }));
}

// Broadcasting as a pair of ops, each the other's derivative: expand copies values out along new or size-1
// dims, sumTo adds them back up. Every gradient of a broadcast operand goes through sumTo, the one place
// where the "forgot to reduce the broadcast gradient" bug could live.
import { flatWalk, reduceSum, SET_MIN, stridedCopy, stridedWalk, type Walk } from '../../tensor/kernels.ts';
import { broadcastShapes, broadcastStrides, fmt, sameShape, sizeOf, stridesOf, type Shape } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply } from '../op.ts';
import { lift, reshape } from './movement.ts';

const EXPAND: OpDef<Walk> = makeOp({
  name: 'expand',
  forward: (out, [x], w) => stridedCopy(w, x.buf, x.off, out.buf, out.off),
  grads: [(g, [x]) => sumTo(g, x.shape)], // sum in reverse
  tangent: ([t], _x, y, w) => apply(EXPAND, t!, [t!], y.shape, w), // linear: the op itself, on the tangent
  batch: (xs, b, _w, shape) => expand(lift(xs, b, shape.length)[0], [xs[0].shape[0], ...shape]),
  fast: { source: (io) => (io.size(1) === 1 && io.size(0) < SET_MIN ? `for (let i = 0; i < ${io.size(0)}; i++) ${io.at(0, 'i')} = ${io.at(1, '0')};` : null) },
});

const SUM_TO: OpDef<Walk> = makeOp({
  name: 'sumTo',
  forward: (out, [x], w) => reduceSum(w, x.buf, x.off, out.buf, out.off),
  grads: [(g, [x]) => expand(g, x.shape)],
  tangent: ([t], _x, y, w) => apply(SUM_TO, t!, [t!], y.shape, w),
  // The batch is no broadcast dim: summed to [B, 1…, ...shape] (one example's rank), then viewed as [B, ...shape].
  batch: ([x], _b, _w, shape) => reshape(sumTo(x, [x.shape[0], ...new Array<number>(x.ndim - 1 - shape.length).fill(1), ...shape]), [x.shape[0], ...shape]),
});

/** x broadcast to `shape`, as a new tensor (tensors stay contiguous); x itself when the shape is already right. */
export function expand<T extends TensorBase>(x: T, shape: Shape): T {
  if (sameShape(x.shape, shape)) return x;
  if (x.size === 1 && x.ndim <= shape.length) { // one value repeated: the common gradient of a sum or mean
    const size = sizeOf(shape);
    return apply(EXPAND, x, [x], shape, flatWalk(shape, size, 0, 0));
  }
  const to = broadcastShapes('expand', x.shape, shape);
  if (!sameShape(to, shape)) throw new Error(`expand: shape ${fmt(x.shape)} cannot be expanded to ${fmt(shape)}`);
  const w = stridedWalk(shape, broadcastStrides(x.shape, shape), shape.map(() => 0));
  return apply(EXPAND, x, [x], shape, w);
}

/** The sum of x over the dims along which `shape` was broadcast to x's shape; x itself when they agree. */
export function sumTo<T extends TensorBase>(x: T, shape: Shape): T {
  if (sameShape(x.shape, shape)) return x;
  const from = broadcastShapes('sumTo', shape, x.shape);
  if (!sameShape(from, x.shape)) throw new Error(`sumTo: shape ${fmt(x.shape)} is not a broadcast of ${fmt(shape)}`);
  const w = stridedWalk(x.shape, stridesOf(x.shape), broadcastStrides(shape, x.shape));
  return apply(SUM_TO, x, [x], shape, w);
}

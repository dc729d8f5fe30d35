// softmax and logSoftmax along one axis, each one op over a stable kernel (every exponent ≤ 0), with its
// derivative written from its output y, so the rules stay finite at any logits.
import { logSoftmaxAlong, softmaxAlong } from '../../tensor/kernels.ts';
import { normalizeAxis, sizeOf } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';
import { exp, mul, sub } from './elementwise.ts';
import { sum } from './reduce.ts';

/** The tensor as an [outer, n, inner] view around `axis` (undefined for a 0-d tensor: one line of one value). */
interface Lines { axis: number | undefined; outer: number; n: number; inner: number }

const SOFTMAX: OpDef<Lines> = makeOp({
  name: 'softmax',
  forward: (out, [x], l) => softmaxAlong(x.buf, x.off, l.outer, l.n, l.inner, out.buf, out.off),
  // ∂x = y·(g − Σ g·y): the Jacobian diag(y) − y·yᵀ applied to g.
  grads: [(g, _x, y, l) => mul(y, sub(g, sum(mul(g, y), l.axis, true)))],
  tangent: ([t], _x, y, l) => mul(y, sub(t!, sum(mul(t!, y), l.axis, true))), // the Jacobian is symmetric
});

const LOG_SOFTMAX: OpDef<Lines> = makeOp({
  name: 'logSoftmax',
  forward: (out, [x], l) => logSoftmaxAlong(x.buf, x.off, l.outer, l.n, l.inner, out.buf, out.off),
  // ∂x = g − softmax(x)·Σ g, with softmax(x) = e^y (y ≤ 0: no overflow).
  grads: [(g, _x, y, l) => sub(g, mul(exp(y), sum(g, l.axis, true)))],
  tangent: ([t], _x, y, l) => sub(t!, sum(mul(exp(y), t!), l.axis, true)), // t − Σ softmax(x)·t
});

function along<T extends TensorBase>(op: OpDef<Lines>, x: T, axis: number): T {
  expectTensor(op.name, 'the input', x);
  const a = normalizeAxis(op.name, axis, x.ndim === 0 ? [1] : x.shape); // as PyTorch, a 0-d tensor takes axis 0 or −1
  const lines = { axis: x.ndim === 0 ? undefined : a, outer: sizeOf(x.shape.slice(0, a)), n: x.shape[a] ?? 1, inner: sizeOf(x.shape.slice(a + 1)) };
  return apply(op, x, [x], x.shape, lines);
}

/** e^x / Σ e^x along `axis` (default the last). */
export const softmax = <T extends TensorBase>(x: T, axis = -1): T => along(SOFTMAX, x, axis);
/** log softmax(x) along `axis` (default the last), computed as (x − max) − log Σ e^(x − max). */
export const logSoftmax = <T extends TensorBase>(x: T, axis = -1): T => along(LOG_SOFTMAX, x, axis);

// Layer normalization (PyTorch's F.layer_norm): each sample normalized over its last dims to mean 0 and variance 1,
// y = (x − mean)·r with r = 1/√(var + eps), then scaled and shifted elementwise. The normalization is one op over
// rows (the normalized dims flattened); its rule is a fused backward op reading y and r, and r is an op of x
// recomputed for the rule, so each of them, having rules of its own, can be differentiated again.
import { normalizeRows, normalizeRowsBackward, rstdRows } from '../../tensor/kernels.ts';
import { fmt, sameShape, show, sizeOf, type Shape } from '../../tensor/shape.ts';
import { makeOp, TensorBase, type OpDef } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';
import { what } from '../options.ts';
import { add, div, mul, neg, pow, sub, tangentOf } from './elementwise.ts';
import { mean, sum } from './reduce.ts';
import { everyExample } from './per-example.ts';

/** x as rows of n elements (the normalized dims, `axes`), and the shape of r: x's with those dims 1. */
interface Rows { rows: number; n: number; eps: number; axes: number[]; rShape: Shape }

const NORMALIZE: OpDef<Rows> = makeOp({
  name: 'layerNorm',
  forward: (out, [x], a) => normalizeRows(x.buf, x.off, a.rows, a.n, a.eps, out.buf, out.off),
  grads: [(g, [x], y, a) => apply(NORMALIZE_BACKWARD, g, [g, y, apply(RSTD, x, [x], a.rShape, a)], g.shape, a)],
  // The Jacobian is symmetric (see NORMALIZE_BACKWARD): J·t is the rule applied to t.
  tangent: ([t], [x], y, a) => apply(NORMALIZE_BACKWARD, t!, [t!, y, apply(RSTD, x, [x], a.rShape, a)], y.shape, a),
  batch: ([x], _b, a, shape) => apply(NORMALIZE, x, [x], [x.shape[0], ...shape], batchOf(a, x.shape[0])),
});

// r = 1/√(var + eps) per row; ∂r/∂x = −r³·(x − mean)/n.
const RSTD: OpDef<Rows> = makeOp({
  name: 'layerNormRstd',
  forward: (out, [x], a) => rstdRows(x.buf, x.off, a.rows, a.n, a.eps, out.buf, out.off),
  grads: [(g, [x], r, a) => mul(mul(g, mul(pow(r, 3), -1 / a.n)), sub(x, mean(x, a.axes, true)))],
  tangent: ([t], [x], r, a) => mul(mul(pow(r, 3), -1 / a.n), sum(mul(sub(x, mean(x, a.axes, true)), t!), a.axes, true)),
  batch: ([x], _b, a, shape) => apply(RSTD, x, [x], [x.shape[0], ...shape], batchOf(a, x.shape[0])),
});

// ∂x = r·(g − mean(g) − y·mean(g·y)) per row: the Jacobian of y = (x − mean)·r, applied to g.
const NORMALIZE_BACKWARD: OpDef<Rows> = makeOp({
  name: 'layerNormBackward',
  forward: (out, [g, y, r], a) => normalizeRowsBackward(g.buf, g.off, y.buf, y.off, r.buf, r.off, a.rows, a.n, out.buf, out.off),
  grads: [
    // Linear in g with a symmetric matrix, r·(I − 11ᵀ/n − y·yᵀ/n): its own adjoint.
    (gg, [, y, r], _o, a) => apply(NORMALIZE_BACKWARD, gg, [gg, y, r], gg.shape, a),
    // ∂/∂y: −r·(gg·mean(g·y) + g·mean(gg·y)).
    (gg, [g, y, r], _o, a) => neg(mul(r, add(mul(gg, mean(mul(g, y), a.axes, true)), mul(g, mean(mul(gg, y), a.axes, true))))),
    // ∂/∂r: Σ gg·(g − mean(g) − y·mean(g·y)) over the row, which is Σ gg·out / r.
    (gg, [, , r], o, a) => div(sum(mul(gg, o), a.axes, true), r),
  ],
  // The same three partial derivatives, applied to tangents.
  tangent: ([tg, ty, tr], [g, y, r], o, a) => tangentOf([
    tg && apply(NORMALIZE_BACKWARD, tg, [tg, y, r], o.shape, a),
    ty && neg(mul(r, add(mul(ty, mean(mul(g, y), a.axes, true)), mul(y, mean(mul(g, ty), a.axes, true))))),
    tr && mul(tr, div(o, r)),
  ], o),
  batch: (xs, batched, a, shape) => {
    const B = xs[batched.indexOf(true)].shape[0], ins = everyExample(xs, batched, B);
    return apply(NORMALIZE_BACKWARD, ins[0], ins, [B, ...shape], batchOf(a, B));
  },
});

/** The rows of a batch of B examples (vmap): B times the rows, each example's axes one further along. */
const batchOf = (a: Rows, B: number): Rows => ({ ...a, rows: a.rows * B, axes: a.axes.map((d) => d + 1), rShape: [B, ...a.rShape] });

/**
 * Layer normalization (PyTorch's `F.layer_norm`): x normalized over its last dims, which must be `normalizedShape`,
 * to mean 0 and variance 1 (the biased variance, plus `eps`), then times `weight` and plus `bias` (each of shape
 * `normalizedShape`, or null/undefined for none). Differentiable to any order, in x, weight and bias.
 *
 * @example
 * ```ts
 * layerNorm(tensor([[1, 2, 3], [2, 4, 6]]), [3]) // [[-1.224736, 0, 1.224736], [-1.224743, 0, 1.224743]]
 * layerNorm(tensor([[1, 2, 3]]), 3, tensor([1, 1, 2]), tensor([0, 0, 1])) // [[-1.224736, 0, 3.449471]]
 * ```
 */
export function layerNorm<X extends TensorBase>(x: X, normalizedShape: number | readonly number[], weight?: X | null, bias?: X | null, eps = 1e-5): X {
  expectTensor('layerNorm', 'the input', x);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${what(normalizedShape)}`);
  }
  const k = shape.length, lead = x.ndim - k;
  if (lead < 0 || !sameShape(x.shape.slice(lead), shape)) {
    throw new Error(`layerNorm: normalizedShape ${fmt(shape)} is not the last dims of the input of shape ${fmt(x.shape)}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t == null) continue;
    if (!(t instanceof TensorBase)) throw new Error(`layerNorm: ${name} must be a tensor or null, got ${what(t)}`);
    if (!sameShape(t.shape, shape)) throw new Error(`layerNorm: ${name} of shape ${fmt(t.shape)} must have the normalized shape ${fmt(shape)}`);
  }
  if (typeof eps !== 'number' || !(eps >= 0) || eps === Infinity) throw new Error(`layerNorm: eps must be a finite number ≥ 0, got ${show(eps)}`);
  const n = sizeOf(shape), axes = shape.map((_, i) => lead + i);
  const rShape = x.shape.map((d, i) => (i < lead ? d : 1));
  let y = apply(NORMALIZE, x, [x], x.shape, { rows: x.size / n, n, eps, axes, rShape });
  if (weight != null) y = mul(y, weight);
  if (bias != null) y = add(y, bias);
  return y;
}

// Batch normalisation, as PyTorch's F.batch_norm. Per channel (axis 1), over the batch and any other axes:
//   y = (x − μ) · γ/√(σ² + ε) + β,
// with μ, σ² the batch's mean and biased variance in training, the running estimates otherwise. Training also
// updates the running estimates in place, outside the graph, with the unbiased variance (PyTorch's formula):
//   running ← momentum · batch value + (1 − momentum) · running.
// Three ops make the passes over whole tensors, each one kernel: channelMoments (μ and σ²), channelAffine
// ((x − μ)·s + β) and, for the gradient of s, channelDot; the rest is arithmetic on [C] values. Their rules are ops
// (mostly of each other), so every order of derivative follows, and a training step allocates one tensor of x's
// size in the forward and two in the backward.
import { channelAffine as affineKernel, channelDot as dotKernel, channelMoments as momentsKernel } from '../../tensor/channels.ts';
import { fmt, sizeOf } from '../../tensor/shape.ts';
import { makeOp, TensorBase, type OpDef } from '../tensor-base.ts';
import { apply, describe, expectTensor, noGrad, operand } from '../op.ts';
import { add, div, mul, neg, sqrt, tangentOf } from './elementwise.ts';
import { stack } from './join.ts';
import { sum } from './reduce.ts';
import { select } from './slice.ts';
import { add_, mul_ } from './inplace.ts';
import { eachExample } from './per-example.ts';

/** x viewed as [N, C, S], and the axes of x but 1 (those a channel's values run along). */
interface Channels { N: number; C: number; S: number; axes: number[] }

/** (x − m)·s + t in each channel, for m, s and t of shape [C] (t null: no shift). */
const affine = (x: TensorBase, m: TensorBase, s: TensorBase, t: TensorBase | null, c: Channels): TensorBase =>
  apply(AFFINE, x, t === null ? [x, m, s] : [x, m, s, t], x.shape, c);
/** x·s in each channel. */
const scaled = (x: TensorBase, s: TensorBase, c: Channels): TensorBase => affine(x, s.make([c.C], c.C), s, null, c);
/** Σ g·(x − m) over each channel: [C]. */
const dot = (g: TensorBase, x: TensorBase, m: TensorBase, c: Channels): TensorBase => apply(DOT, g, [g, x, m], [c.C], c);

// Rows 0 and 1 of the [2, C] output: each channel's mean μ and biased variance σ² = Σ(x − μ)²/n.
const MOMENTS: OpDef<Channels> = makeOp({
  name: 'channelMoments',
  forward: (out, [x], c) => momentsKernel(c.N, c.C, c.S, x.buf, x.off, out.buf, out.off),
  // ∂μ/∂x = 1/n, ∂σ²/∂x = 2(x − μ)/n: ∂x = (x − μ)·2g_σ²/n + g_μ/n.
  grads: [(g, [x], y, c) => {
    const n = c.N * c.S;
    return affine(x, select(y, 0, 0), mul(select(g, 0, 1), 2 / n), div(select(g, 0, 0), n), c);
  }],
  // dμ = Σ t/n, dσ² = 2·Σ t·(x − μ)/n (the dμ term is 0: Σ(x − μ) = 0).
  tangent: ([t], [x], y, c) => {
    const n = c.N * c.S;
    return stack([div(sum(t!, c.axes), n), mul(dot(t!, x, select(y, 0, 0), c), 2 / n)]);
  },
});

const AFFINE: OpDef<Channels> = makeOp({
  name: 'channelAffine',
  forward: (out, [x, m, s, t], c) =>
    affineKernel(c.N, c.C, c.S, x.buf, x.off, m.buf, m.off, s.buf, s.off, t === undefined ? null : t.buf, t === undefined ? 0 : t.off, out.buf, out.off),
  grads: [
    (g, [, , s], _y, c) => scaled(g, s, c), // ∂x = g·s
    (g, [, , s], _y, c) => neg(mul(sum(g, c.axes), s)), // ∂m = −s·Σ g
    (g, [x, m], _y, c) => dot(g, x, m, c), // ∂s = Σ g·(x − m)
    (g, _ins, _y, c) => sum(g, c.axes), // ∂t = Σ g
  ],
  // d((x − m)·s + t) = (dx − dm)·s + (x − m)·ds + dt, as (at most) two affine passes.
  tangent: ([tx, tm, ts, tt], [x, m, s], y, c) => tangentOf([
    tx || tm ? affine(tx ?? zeros(x), tm ?? zeros(m), s, null, c) : null,
    ts || tt ? affine(x, m, ts ?? zeros(m), tt ?? null, c) : null,
  ], y),
  // A batch of inputs with shared statistics (eval mode) is more samples; statistics per example, a pass per example.
  batch: (xs, batched, c, shape) => {
    if (batched.slice(1).some((b) => b)) return eachExample(AFFINE, xs, batched, c, shape);
    const B = xs[0].shape[0];
    return apply(AFFINE, xs[0], xs, [B, ...shape], { ...c, N: c.N * B, axes: [0, ...c.axes.map((d) => d + 1)] });
  },
});

const DOT: OpDef<Channels> = makeOp({
  name: 'channelDot',
  forward: (out, [g, x, m], c) => dotKernel(c.N, c.C, c.S, g.buf, g.off, x.buf, x.off, m.buf, m.off, out.buf, out.off),
  grads: [
    (d, [, x, m], _y, c) => affine(x, m, d, null, c), // ∂g = (x − m)·d
    (d, [g], _y, c) => scaled(g, d, c), // ∂x = g·d
    (d, [g], _y, c) => neg(mul(sum(g, c.axes), d)), // ∂m = −d·Σ g
  ],
  // d Σ g·(x − m) = Σ dg·(x − m) + Σ g·dx − dm·Σ g.
  tangent: ([tg, tx, tm], [g, x, m], y, c) => tangentOf([
    tg && dot(tg, x, m, c), tx && dot(g, tx, zeros(m), c), tm && neg(mul(tm, sum(g, c.axes))),
  ], y),
  batch: (xs, batched, c, shape) => eachExample(DOT, xs, batched, c, shape), // each example's own sums
});
const zeros = (t: TensorBase): TensorBase => t.make(t.shape, t.size);

/** Throw unless `t` is absent (null or undefined) or a tensor of shape [C]: one value per channel of x. */
function perChannel(which: string, t: unknown, x: TensorBase): TensorBase | null {
  if (t === null || t === undefined) return null;
  if (!(t instanceof TensorBase)) throw new Error(`batchNorm: ${which} must be a tensor or null, got ${describe(t)}`);
  if (t.ndim !== 1 || t.size !== x.shape[1]) {
    throw new Error(`batchNorm: ${which} of shape ${fmt(t.shape)} does not match the input's ${x.shape[1]} channels (input shape ${fmt(x.shape)}; expected [${x.shape[1]}])`);
  }
  return t;
}

/**
 * Batch normalisation over axis 1 (the channels) of an input [N, C], [N, C, L] or [N, C, H, W] (any rank ≥ 2), as
 * PyTorch's `F.batch_norm`: each channel is normalised to mean 0 and variance 1 over the other axes, then scaled
 * by `weight` γ and shifted by `bias` β (each [C], or null for none): y = (x − μ)·γ/√(σ² + ε) + β. In training
 * (`training` true) μ and σ² are the batch's mean and biased variance, and `runningMean` and `runningVar` (each [C],
 * or null) are updated in place outside the graph, with the unbiased variance:
 * running ← momentum·batch + (1 − momentum)·running. Otherwise the running estimates are used and must be given.
 * Differentiable to any order in x, γ and β (and the running estimates, when used). {@link nn.BatchNorm1d} and
 * {@link nn.BatchNorm2d} are the modules, which keep the estimates.
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 6]]);
 * batchNorm(x, null, null, null, null, true) // [[-0.999995, -0.999999], [0.999995, 0.999999]]
 * const mean = zeros([2]), variance = ones([2]);
 * batchNorm(x, mean, variance, tensor([1, 2]), tensor([0, 10]), true, 0.5).toArray()[1] // [0.999995, 11.9999975]
 * mean // [1, 2]
 * variance // [1.5, 4.5]
 * batchNorm(x, mean, variance) // [[0, 0], [1.632988, 1.885616]]
 * ```
 *
 * @param x The input, [N, C, …].
 * @param runningMean The running mean [C], or null (then training must be true).
 * @param runningVar The running variance [C], or null (then training must be true).
 * @param weight γ [C], or null (default) for 1.
 * @param bias β [C], or null (default) for 0.
 * @param training Whether to normalise with the batch's statistics and update the running ones (default false).
 * @param momentum The weight of the batch in the running estimates (default 0.1).
 * @param eps Added to the variance before the square root (default 1e-5).
 */
export function batchNorm<T extends TensorBase>(x: T, runningMean: TensorBase | null, runningVar: TensorBase | null,
  weight: TensorBase | null = null, bias: TensorBase | null = null, training = false, momentum = 0.1, eps = 1e-5): T {
  expectTensor('batchNorm', 'the input', x);
  if (x.ndim < 2) throw new Error(`batchNorm: input of shape ${fmt(x.shape)} needs at least 2 dims, [N, C, …]`);
  const rm = perChannel('runningMean', runningMean, x), rv = perChannel('runningVar', runningVar, x);
  const w = perChannel('weight', weight, x), b = perChannel('bias', bias, x);
  if (typeof training !== 'boolean') throw new Error(`batchNorm: training must be true or false, got ${describe(training)}`);
  if (typeof momentum !== 'number' || !Number.isFinite(momentum)) throw new Error(`batchNorm: momentum must be a finite number, got ${describe(momentum)}`);
  if (typeof eps !== 'number' || !(eps >= 0 && eps < Infinity)) throw new Error(`batchNorm: eps must be a finite number ≥ 0, got ${describe(eps)}`);

  const C = x.shape[1], n = x.size / C;
  const c: Channels = { N: x.shape[0], C, S: sizeOf(x.shape.slice(2)), axes: x.shape.map((_, i) => i).filter((i) => i !== 1) };
  let mean: TensorBase, variance: TensorBase;
  if (training) {
    if (n <= 1) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input shape ${fmt(x.shape)}`);
    const moments = apply(MOMENTS, x, [x], [2, C], c);
    mean = select(moments, 0, 0);
    variance = select(moments, 0, 1);
    noGrad(() => { // running ← (1 − momentum)·running + momentum·batch, in place
      if (rm !== null) add_(mul_(rm, operand(1 - momentum, rm, 'batchNorm', 'momentum')), mean, momentum);
      if (rv !== null) add_(mul_(rv, operand(1 - momentum, rv, 'batchNorm', 'momentum')), variance, (momentum * n) / (n - 1)); // unbiased: ·n/(n − 1)
    });
  } else {
    if (rm === null || rv === null) {
      throw new Error(`batchNorm: ${rm === null ? 'runningMean' : 'runningVar'} is needed in evaluation mode (training false), got null`);
    }
    mean = rm;
    variance = rv;
  }
  const invStd = div(1, sqrt(add(variance, eps)));
  const scale = w === null ? invStd : mul(invStd, w);
  return affine(x, mean, scale, b, c) as T;
}

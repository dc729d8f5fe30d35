// vmap against a loop over the batch. Every op with a batching rule, with inDims 0, 1 and null (unbatched) and
// several outDims: its values; the per-example gradients that grad inside vmap takes (vmap(grad)); and the gradients
// through vmap (grad of vmap, the batch's own graph); some to second order. Then nested vmap, random programs,
// per-example gradients of MLPs against functorch (test/fixtures/vmap-reference.json, written by
// scripts/vmap_reference.py with PyTorch 1.13) and against a loop to 1e-12, and the errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adaptiveAvgPool2d, avgPool1d, avgPool2d, conv1d, conv2d, embedding, fold, layerNorm, maxPool1d, maxPool2d, pad, unfold,
  cat, compile, defineOp, detectAnomaly, dropout, grad, jacobian, linear, maximum, minimum, nn, rand, randn, RandomState, stack, Tensor, tensor, vjp, vmap, where, zeros,
} from '../src/index.ts';
import { expectClose, maxAbs } from './expect-close.ts';
import { programs, weights, type Program } from './random-programs.ts';
import { recurrentLayer } from '../src/autograd/ops/recurrent.ts';

const rng = new RandomState(20);
const r = (...shape: number[]): Tensor => randn(shape, { rng });
/** Small integers (ties for the comparisons), as a tensor. */
const ints = (...shape: number[]): Tensor => Tensor.from(Float64Array.from(r(...shape).data, (v) => Math.round(1.5 * v)), shape);
/** Indices in [0, n). */
const indices = (n: number, ...shape: number[]): Tensor => Tensor.from(Float64Array.from(rng.random(shape), (v) => Math.floor(n * v)), shape);

type Fn = (...xs: Tensor[]) => Tensor;
type Dims = (number | null)[];

/** The same values, to 1e-12 of the largest (a product of a batch may add in another order than one example's). */
function same(got: Tensor, want: Tensor, what: string): void {
  expectClose(got, want, { atol: 1e-12 * Math.max(1, maxAbs(want)), rtol: 1e-12, equalNaN: true }, what);
}

const sizeOfBatch = (xs: Tensor[], dims: Dims): number => xs[dims.findIndex((d) => d !== null)].shape.at(dims.find((d) => d !== null)!)!;
const exampleOf = (x: Tensor, dim: number | null, b: number): Tensor => (dim === null ? x : x.select(dim, b));

/** f of each example, in turn. */
const eachExample = <T>(f: (...xs: Tensor[]) => T, xs: Tensor[], dims: Dims): T[] =>
  Array.from({ length: sizeOfBatch(xs, dims) }, (_, b) => f(...xs.map((x, i) => exampleOf(x, dims[i], b))));

/** Copies of xs that require grad (leaves): for grad inside vmap or through it. */
const leaves = (xs: Tensor[]): Tensor[] => xs.map((x) => { const l = x.detach(); l.requiresGrad = true; return l; });

/** Σ f·w for fixed weights w of f's output shape: a scalar of f to differentiate. */
const weighted = (out: Tensor): Tensor => out.mul(weights(out.shape, 7)).sum();

interface Case { f: Fn; xs: Tensor[]; dims: Dims; out?: number; grads?: boolean; diff?: boolean[] }

/**
 * vmap(f) against the loop: its values; vmap of the per-example gradient of Σ f·w (for the inputs in `diff`, default
 * all); and the gradient of Σ vmap(f)·W through the vmap, against the same sum over the loop.
 */
function agrees({ f, xs, dims, out = 0, grads = true, diff = xs.map(() => true) }: Case): void {
  same(vmap(f, { inDims: dims, outDims: out })(...xs), stack(eachExample(f, xs, dims), out), 'values');
  if (!grads) return;
  const which = xs.map((_, i) => i).filter((i) => diff[i]);
  const perExample = (...ys: Tensor[]): Tensor[] => {
    const ls = leaves(which.map((i) => ys[i])), args = [...ys];
    which.forEach((i, k) => (args[i] = ls[k]));
    return grad(weighted(f(...args)), ls, { allowUnused: true }).map((g, k) => g ?? zeros([...ls[k]!.shape])); // unused: 0
  };
  const batched = vmap(perExample, { inDims: dims })(...xs), looped = eachExample(perExample, xs, dims);
  which.forEach((i, k) => same(batched[k], stack(looped.map((g) => g[k])), `per-example gradient of input ${i}`));
  // Through the vmap: the batch's graph (inputs that require grad, the rules' ops recorded).
  const ls = leaves(which.map((i) => xs[i])), args = [...xs];
  which.forEach((i, k) => (args[i] = ls[k]));
  const y = vmap(f, { inDims: dims, outDims: out })(...args), W = weights(y.shape, 3);
  const through = grad(y.mul(W).sum(), ls, { allowUnused: true });
  const B = sizeOfBatch(xs, dims), ax = out < 0 ? out + y.ndim : out;
  const sum = eachExample(f, args, dims).map((o, b) => o.mul(W.select(ax, b)).sum()).reduce((p, q) => p.add(q));
  const want = sum.requiresGrad ? grad(sum, ls, { allowUnused: true }) : ls.map(() => null);
  which.forEach((i, k) => {
    if (want[k] === null) expect(through[k], `gradient through vmap of input ${i}`).toBeNull();
    else same(through[k]!, want[k], `gradient through vmap of input ${i} (batch ${B})`);
  });
}

describe('vmap: every op with a batching rule against a loop, values and gradients', () => {
  const positive = (x: Tensor): Tensor => x.abs().add(0.5);
  const unary: [string, (x: Tensor) => Tensor][] = [
    ['neg', (x) => x.neg()], ['exp', (x) => x.exp()], ['log', (x) => positive(x).log()], ['sigmoid', (x) => x.sigmoid()],
    ['tanh', (x) => x.tanh()], ['relu', (x) => x.relu()], ['abs', (x) => x.abs()], ['sign', (x) => x.sign().add(x)],
    ['sqrt', (x) => positive(x).sqrt()], ['square', (x) => x.square()], ['sin', (x) => x.sin()], ['cos', (x) => x.cos()],
    ['log1p', (x) => positive(x).log1p()], ['expm1', (x) => x.expm1()], ['softplus', (x) => x.softplus()],
    ['clamp', (x) => x.clamp(-0.5, 0.7)],
  ];
  it.each(unary)('%s, batched along 0 and along 1 (out along 1)', (_, f) => {
    agrees({ f, xs: [r(4, 3)], dims: [0] });
    agrees({ f, xs: [r(2, 5, 3)], dims: [1], out: 1 });
  });

  const binary: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', (a, b) => a.add(b)], ['sub', (a, b) => a.sub(b)], ['mul', (a, b) => a.mul(b)], ['div', (a, b) => a.div(b.abs().add(0.5))],
    ['pow', (a, b) => a.abs().add(0.5).pow(b)], ['maximum', (a, b) => maximum(a, b)], ['minimum', (a, b) => minimum(a, b)],
  ];
  it.each(binary)('%s, broadcasting operands of different ranks, either or both batched', (_, f) => {
    agrees({ f, xs: [r(4, 3), r(4, 2, 3)], dims: [0, 0] }); // [3] with [2, 3], per example
    agrees({ f, xs: [r(2, 3, 4), r(4, 3)], dims: [1, 1], out: -1 }); // [2, 4] with [4], batch along 1
    agrees({ f, xs: [r(2, 4), r(3, 1)], dims: [1, null] }); // [2] with a shared [3, 1]: [3, 2]
    agrees({ f, xs: [r(3, 1), r(5, 2)], dims: [null, 0], out: 1 }); // a shared [3, 1] with [2]
    agrees({ f, xs: [r(5), r(2, 3)], dims: [0, null] }); // a 0-d example with a shared [2, 3]
    agrees({ f: (a) => f(a, tensor(0.75)), xs: [r(3, 2)], dims: [0] }); // and a number
  });

  it.each(['gt', 'lt', 'ge', 'le', 'eq', 'ne'] as const)('%s (values only: no gradient)', (op) => {
    agrees({ f: (a, b) => a[op](b), xs: [ints(4, 3), ints(4, 2, 3)], dims: [0, 0], grads: false });
    agrees({ f: (a, b) => a[op](b), xs: [ints(3, 4), ints(3)], dims: [1, null], grads: false });
    agrees({ f: (a) => a[op](2), xs: [ints(3, 4)], dims: [0], grads: false });
  });

  it('where, with the condition, either operand or all batched, and numbers', () => {
    agrees({ f: (x, a, b) => where(x.gt(0), a, b), xs: [r(4, 3), r(4, 2, 3), r(3)], dims: [0, 0, null], diff: [false, true, true] });
    agrees({ f: (c, a) => where(c.gt(0), a, 0.5), xs: [r(2, 3), r(4, 3)], dims: [null, 0], diff: [false, true] });
    agrees({ f: (x) => where(x.gt(0), x, x.mul(0.1)), xs: [r(3, 4)], dims: [1], out: 1 });
    agrees({ f: (x, b) => where(x.lt(0.3), 1, b), xs: [r(4), r(4, 2)], dims: [0, 0], diff: [false, true] });
  });

  it.each(['sum', 'mean', 'max', 'min'] as const)('%s over all, one, several, no axes, with and without keepdim', (op) => {
    for (const axis of [undefined, 0, -1, [0, 2], [1], []] as (number | number[] | undefined)[]) {
      for (const keepdim of [false, true]) {
        agrees({ f: (x) => x[op](axis, keepdim), xs: [r(2, 4, 3, 2)], dims: [1] }); // [2, 3, 2] per example
      }
    }
    agrees({ f: (x) => x[op](), xs: [r(5)], dims: [0] }); // 0-d examples
    agrees({ f: (x) => x[op](0, true), xs: [r(3, 5)], dims: [1], out: 1 });
  });

  it.each(['argmax', 'argmin'] as const)('%s over all or one axis (values only)', (op) => {
    for (const axis of [undefined, 0, 1, -1]) {
      for (const keepdim of [false, true]) agrees({ f: (x) => x[op](axis, keepdim), xs: [r(2, 3, 4)], dims: [1], grads: false });
    }
  });

  it.each(['softmax', 'logSoftmax'] as const)('%s along the first and last axis, and of 0-d examples', (op) => {
    agrees({ f: (x) => x[op](0), xs: [r(4, 3, 2)], dims: [0] });
    agrees({ f: (x) => x[op](-1), xs: [r(3, 4, 2)], dims: [1], out: -1 });
    agrees({ f: (x) => x[op](), xs: [r(3)], dims: [0] });
    agrees({ f: (x, w) => x.matmul(w)[op](1), xs: [r(4, 2, 3), r(3, 5)], dims: [0, null] });
  });

  it('matmul: a batch against a shared matrix (one product), a shared matrix against a batch, both, batch dims, transposes', () => {
    const mm = (a: Tensor, b: Tensor): Tensor => a.matmul(b);
    agrees({ f: mm, xs: [r(4, 2, 3), r(3, 5)], dims: [0, null] });
    agrees({ f: mm, xs: [r(2, 3), r(3, 4, 5)], dims: [null, 1] });
    agrees({ f: mm, xs: [r(4, 2, 3), r(4, 3, 5)], dims: [0, 0], out: 2 });
    agrees({ f: mm, xs: [r(2, 4, 2, 3), r(3, 5)], dims: [1, null] }); // [2, 2, 3] @ [3, 5] per example
    agrees({ f: mm, xs: [r(6, 2, 3), r(4, 3, 5)], dims: [null, 0] }); // a shared [6, 2, 3] @ [3, 5] per example
    agrees({ f: mm, xs: [r(4, 1, 2, 3), r(4, 6, 3, 5)], dims: [0, 0] }); // batch dims broadcast per example
    agrees({ f: (a, b) => a.T.matmul(b.T), xs: [r(3, 4, 2), r(5, 3)], dims: [1, null] });
    agrees({ f: (a, b) => a.matmul(b.T), xs: [r(4, 2, 3), r(5, 3)], dims: [0, null] });
  });

  it('linear: a batch of inputs (one product), and batches of weights or biases (an ensemble)', () => {
    agrees({ f: (x, w, b) => linear(x, w, b), xs: [r(4, 3), r(3, 2), r(2)], dims: [0, null, null] });
    agrees({ f: (x, w, b) => linear(x, w, b), xs: [r(2, 4, 3), r(3, 2), r(2)], dims: [1, null, null] });
    agrees({ f: (x, w, b) => linear(x, w, b), xs: [r(2, 3), r(4, 3, 2), r(2)], dims: [null, 0, null] });
    agrees({ f: (x, w, b) => linear(x, w, b), xs: [r(5, 3), r(3, 2), r(5, 2)], dims: [null, null, 0] });
    agrees({ f: (x, w, b) => linear(x, w, b), xs: [r(4, 3), r(4, 3, 2), r(2, 4)], dims: [0, 0, 1] });
  });

  it('shapes: reshape, permute, transpose, expand, unsqueeze, squeeze, flatten, clone, detach', () => {
    const x = r(2, 4, 3);
    agrees({ f: (v) => v.reshape(3, -1).mul(v.reshape(3, 2)), xs: [x], dims: [1] });
    agrees({ f: (v) => v.permute(1, 0), xs: [x], dims: [1], out: 2 });
    agrees({ f: (v) => v.reshape(2, 3, 2).permute(2, 0, 1), xs: [r(4, 12)], dims: [0] }); // not its own inverse
    agrees({ f: (v) => v.T.matmul(v), xs: [x], dims: [0] });
    const m = r(2, 5, 3);
    agrees({ f: (v) => v.reshape(2, 1, 3).expand(2, 5, 3).mul(m), xs: [x], dims: [1] });
    agrees({ f: (v) => v.sum(0).expand([2, -1]), xs: [x], dims: [1] });
    agrees({ f: (v) => v.unsqueeze(1).unsqueeze(-1).squeeze(1), xs: [x], dims: [1] });
    agrees({ f: (v) => v.reshape(1, 2, 1, 3).squeeze(), xs: [x], dims: [1] });
    agrees({ f: (v) => v.flatten().add(v.flatten(0, 1)), xs: [x], dims: [1] });
    agrees({ f: (v) => v.clone().mul(v.detach()), xs: [x], dims: [2] });
  });

  it('slicing: slice, select, narrow, split, chunk', () => {
    const x = r(3, 4, 5);
    agrees({ f: (v) => v.slice([1, null], [null, null, -2]), xs: [x], dims: [0] });
    agrees({ f: (v) => v.slice(-1, [4, 0, -1]), xs: [x], dims: [2], out: 1 });
    agrees({ f: (v) => v.select(1, -1).add(v.narrow(1, 1, 2).sum(1)), xs: [x], dims: [0] });
    agrees({ f: (v) => v.split([1, 3], 1)[1]!.mul(v.chunk(2, 1)[0]!.sum()), xs: [x], dims: [2] });
  });

  it('joining: cat and stack with batched and shared inputs', () => {
    agrees({ f: (a, b) => cat([a, b, a], 1), xs: [r(4, 2, 3), r(2, 5)], dims: [0, null] });
    agrees({ f: (a, b) => cat([b, a]), xs: [r(1, 3, 4), r(2, 3)], dims: [2, null], out: -1 });
    agrees({ f: (a, b) => stack([a, b, a], -1), xs: [r(2, 4, 3), r(2, 3, 4)], dims: [1, 2] });
    agrees({ f: (a, b) => stack([b, a.sum(0)]), xs: [r(3, 2, 4), r(4)], dims: [0, null] });
  });

  it('gathering: gather, indexSelect and scatterAdd with batched sources, batched indices, or both', () => {
    const gx = (x: Tensor, i: Tensor): Tensor => x.gather(1, i);
    agrees({ f: gx, xs: [r(4, 2, 5), indices(5, 2, 3)], dims: [0, null], diff: [true, false] });
    agrees({ f: gx, xs: [r(2, 5), indices(5, 4, 2, 3)], dims: [null, 0], diff: [true, false] });
    agrees({ f: gx, xs: [r(2, 4, 5), indices(5, 2, 3, 4)], dims: [1, 2], diff: [true, false] });
    const sel = (x: Tensor, i: Tensor): Tensor => x.indexSelect(1, i);
    agrees({ f: sel, xs: [r(3, 2, 5), indices(5, 3, 4)], dims: [0, 0], diff: [true, false] });
    agrees({ f: sel, xs: [r(2, 5, 3), indices(5, 4)], dims: [null, 0], diff: [true, false] }); // 0-d indices
    agrees({ f: (x) => x.indexSelect(0, [2, 0, 2]), xs: [r(3, 4, 2)], dims: [1] });
    const sc = (x: Tensor, i: Tensor, s: Tensor): Tensor => x.scatterAdd(0, i, s);
    agrees({ f: sc, xs: [r(4, 3, 2), indices(3, 5, 2), r(5, 2)], dims: [0, null, null], diff: [true, false, true] });
    agrees({ f: sc, xs: [r(3, 2), indices(3, 4, 5, 2), r(5, 2)], dims: [null, 0, null], diff: [true, false, true] });
    agrees({ f: sc, xs: [r(3, 2), indices(3, 5, 2), r(5, 4, 2)], dims: [null, null, 1], diff: [true, false, true] });
    agrees({ f: sc, xs: [r(3, 4, 2), indices(3, 5, 4, 2), r(4, 5, 2)], dims: [1, 1, 0], diff: [true, false, true] });
  });

  it('convolutions: a batch of inputs to shared weights (one convolution of more samples), weights or biases per example, groups, strides, 1-D', () => {
    const c2 = (x: Tensor, w: Tensor, b: Tensor): Tensor => conv2d(x, w, b, { padding: 1, stride: [2, 1] });
    agrees({ f: c2, xs: [r(3, 2, 4, 5), r(3, 2, 3, 3), r(3)], dims: [0, null, null] }); // unbatched [C, H, W] examples
    agrees({ f: c2, xs: [r(2, 3, 2, 4, 5), r(3, 2, 3, 3), r(3)], dims: [1, null, null], out: 1 }); // [N, C, H, W] examples
    agrees({ f: c2, xs: [r(2, 4, 5), r(4, 3, 2, 3, 3), r(3)], dims: [null, 0, null] }); // a weight per example
    agrees({ f: c2, xs: [r(3, 2, 4, 5), r(3, 2, 3, 3), r(3, 3)], dims: [0, null, 0] }); // a bias per example
    agrees({ f: (x, w) => conv2d(x, w, null, { groups: 2, dilation: 2, padding: 'same' }), xs: [r(3, 1, 4, 5, 5), r(4, 2, 2, 2)], dims: [0, null] });
    agrees({ f: (x, w, b) => conv1d(x, w, b, { stride: 2 }), xs: [r(4, 2, 7), r(3, 2, 3), r(3)], dims: [0, null, null] });
    agrees({ f: (x, w) => conv1d(x, w), xs: [r(2, 2, 7), r(3, 4, 2, 3)], dims: [null, 1] });
  });

  it('unfold and fold', () => {
    agrees({ f: (x) => unfold(x, 2, { padding: 1 }), xs: [r(3, 2, 3, 4)], dims: [0] });
    agrees({ f: (x) => unfold(x, [2, 3], { stride: 2 }), xs: [r(2, 3, 2, 5, 5)], dims: [1], out: 2 });
    agrees({ f: (x) => fold(x, [3, 4], 2), xs: [r(3, 8, 6)], dims: [0] });
    agrees({ f: (x) => fold(x, 3, 2), xs: [r(2, 3, 4, 4)], dims: [1] });
  });

  it('pooling: max (the gradient to each example\'s own maxima) and average, 1-D and 2-D, adaptive', () => {
    agrees({ f: (x) => maxPool2d(x, 2), xs: [r(4, 2, 4, 5)], dims: [0] });
    agrees({ f: (x) => maxPool2d(x, 3, { stride: 1, padding: 1, ceilMode: true }), xs: [r(2, 3, 2, 4, 4)], dims: [1], out: 1 });
    agrees({ f: (x) => maxPool2d(x, 2), xs: [ints(3, 2, 4, 4)], dims: [0] }); // ties: the first maximum of each window
    agrees({ f: (x) => maxPool1d(x, 2, { dilation: 2 }), xs: [r(3, 2, 7)], dims: [0] });
    agrees({ f: (x) => avgPool2d(x, 2, { padding: 1, countIncludePad: false }), xs: [r(3, 2, 4, 5)], dims: [0] });
    agrees({ f: (x) => avgPool1d(x, 3, { stride: 2 }), xs: [r(2, 7, 3)], dims: [2] });
    agrees({ f: (x) => adaptiveAvgPool2d(x, [2, 3]), xs: [r(3, 2, 5, 7)], dims: [0] });
  });

  it.each(['constant', 'reflect', 'replicate'] as const)('pad (%s), and negative padding', (mode) => {
    agrees({ f: (x) => pad(x, [1, 2, 2, 1], mode), xs: [r(3, 2, 4, 5)], dims: [0] });
    agrees({ f: (x) => pad(x, [2, -1], mode), xs: [r(3, 5, 2)], dims: [2] });
  });

  it('layerNorm, with and without weight and bias, batched or shared', () => {
    agrees({ f: (x) => layerNorm(x, [3]), xs: [r(4, 2, 3)], dims: [0] });
    agrees({ f: (x, w, b) => layerNorm(x, [2, 3], w, b), xs: [r(2, 4, 3), r(2, 3), r(2, 3)], dims: [1, null, null] });
    agrees({ f: (x, w) => layerNorm(x, 3, w), xs: [r(2, 3), r(4, 3)], dims: [null, 0] });
    // second order: the rules' ops (the fused backward, the r op) batched in turn
    const hv = (x: Tensor): Tensor => { const [l] = leaves([x]); return grad(grad(layerNorm(l, [3]).pow(3).sum(), [l], { createGraph: true })[0]!.square().sum(), [l])[0]!; };
    const x = r(4, 2, 3);
    same(vmap(hv)(x), stack(eachExample(hv, [x], [0])), 'second-order gradient');
  });

  it.each(['RNN', 'LSTM', 'GRU'] as const)('%s: a batch of sequences (unbatched or batched examples, batchFirst, bidirectional, two layers), initial states batched or shared', (kind) => {
    const g = new RandomState(8);
    const m = new nn[kind](3, 4, { numLayers: 2, bidirectional: true, rng: g }), mb = new nn[kind](3, 4, { batchFirst: true, rng: g });
    const state = (h: Tensor): Tensor | [Tensor, Tensor] => (kind === 'LSTM' ? [h, h.mul(0.5)] : h);
    agrees({ f: (x) => m.call(x)[0], xs: [r(3, 5, 3)], dims: [0] }); // examples [L, in]
    agrees({ f: (x) => mb.call(x)[0], xs: [r(2, 4, 5, 3)], dims: [1], out: 1 }); // examples [N, L, in]
    agrees({ f: (x, h) => m.call(x, state(h) as never)[0], xs: [r(3, 5, 2, 3), r(4, 3, 2, 4)], dims: [0, 1] }); // h0 batched
    agrees({ f: (x, h) => m.call(x, state(h) as never)[0], xs: [r(3, 5, 2, 3), r(4, 2, 4)], dims: [0, null] }); // h0 shared
  });

  it('a recurrence whose weights differ per example (an ensemble) runs one recurrence per example', () => {
    const x = r(5, 2, 3), h0 = r(2, 4), c0 = r(2, 4);
    const layer = (wHh: Tensor, wIh: Tensor): Tensor => recurrentLayer('lstm', x, { wIh, wHh, bIh: null, bHh: null }, h0, c0, false).output;
    agrees({ f: layer, xs: [r(3, 16, 4), r(3, 16, 3)], dims: [0, 0] });
    agrees({ f: layer, xs: [r(3, 16, 4), r(16, 3)], dims: [0, null] });
  });

  it('embedding: batched indices into a shared weight; a weight per example; paddingIdx', () => {
    agrees({ f: (i, w) => embedding(i, w), xs: [indices(5, 4, 2, 3), r(5, 2)], dims: [0, null], diff: [false, true] });
    agrees({ f: (i, w) => embedding(i, w, { paddingIdx: 1 }), xs: [indices(5, 3, 4), r(5, 2)], dims: [1, null], diff: [false, true] });
    agrees({ f: (i, w) => embedding(i, w), xs: [indices(5, 3), r(4, 5, 2)], dims: [null, 0], diff: [false, true] });
    agrees({ f: (i, w) => embedding(i, w), xs: [indices(5, 4, 3), r(4, 5, 2)], dims: [0, 0], diff: [false, true] });
  });

  it.each(['mean', 'sum', 'none'] as const)('mseLoss, bceLoss, bceWithLogitsLoss (reduction %s), the target batched or shared', (reduction) => {
    const t = r(4, 3).sigmoid(), shared = r(3).sigmoid();
    for (const [loss, p] of [[nn.mseLoss, (x: Tensor) => x], [nn.bceLoss, (x: Tensor) => x.sigmoid()], [nn.bceWithLogitsLoss, (x: Tensor) => x]] as const) {
      agrees({ f: (x, y) => loss(p(x), y, { reduction }), xs: [r(4, 3), t], dims: [0, 0] });
      agrees({ f: (x, y) => loss(p(x), y, { reduction }), xs: [r(3, 4), shared], dims: [1, null] });
      agrees({ f: (x, y) => loss(p(x), y, { reduction }), xs: [r(3), r(4, 3).sigmoid()], dims: [null, 0] });
      agrees({ f: (x, y) => loss(p(x), y, { reduction }), xs: [r(5), r(5).sigmoid()], dims: [0, 0] }); // 0-d examples
    }
  });

  it('crossEntropyLoss (indices, probabilities, label smoothing, reductions) and nllLoss', () => {
    const ce = (opts?: nn.CrossEntropyOptions) => (x: Tensor, t: Tensor): Tensor => nn.crossEntropyLoss(x, t, opts);
    agrees({ f: ce(), xs: [r(4, 5), indices(5, 4)], dims: [0, 0], diff: [true, false] }); // [C] against a 0-d index
    agrees({ f: ce({ labelSmoothing: 0.1 }), xs: [r(4, 2, 5), indices(5, 4, 2)], dims: [0, 0], diff: [true, false] });
    agrees({ f: ce({ reduction: 'none' }), xs: [r(2, 5, 4), indices(5, 2)], dims: [2, null], diff: [true, false] });
    agrees({ f: ce({ reduction: 'sum', labelSmoothing: 0.2 }), xs: [r(3, 5), r(4, 3, 5).softmax(-1)], dims: [null, 0] });
    agrees({ f: (x, t) => nn.nllLoss(x.logSoftmax(), t), xs: [r(3, 4, 5), indices(5, 4, 3)], dims: [0, 1], diff: [true, false] });
  });

  it('dropout draws a mask per example, the draws a loop over the examples makes', () => {
    const x = r(3, 6, 4);
    for (const dim of [0, 1]) {
      const a = new RandomState(5), b = new RandomState(5);
      const got = vmap((v: Tensor) => dropout(v, 0.4, { rng: a }), { inDims: dim })(x);
      expect(got.toArray()).toEqual(stack(eachExample((v) => dropout(v, 0.4, { rng: b }), [x], [dim])).toArray());
      expect(a.random()).toBe(b.random()); // as many draws
    }
  });

  it('second order: the per-example gradient of a gradient', () => {
    const f = (x: Tensor, w: Tensor): Tensor => x.matmul(w).tanh().softmax(-1).mul(x.sum()).sum();
    const hv = (x: Tensor, w: Tensor, v: Tensor): Tensor[] => {
      const [lx, lw] = leaves([x, w]);
      const [gx, gw] = grad(f(lx, lw), [lx, lw], { createGraph: true }) as Tensor[];
      return grad(gx.mul(v).sum().add(gw.square().sum()), [lx, lw]) as Tensor[];
    };
    const xs: [Tensor, Tensor, Tensor] = [r(4, 2, 3), r(3, 5), r(4, 2, 3)], dims = [0, null, 0];
    const got = vmap(hv, { inDims: dims })(...xs), want = eachExample(hv, xs, dims);
    got.forEach((g, k) => same(g, stack(want.map((w) => w[k])), `second-order gradient ${k}`));
  });

  it('an output that does not depend on the batch is repeated; several outputs, each with its outDims', () => {
    expect(vmap((_: Tensor) => tensor([1, 2]))(zeros([3])).toArray()).toEqual([[1, 2], [1, 2], [1, 2]]);
    const [a, b] = vmap((x: Tensor, y: Tensor) => [x.add(y), y], { inDims: [0, null], outDims: [1, 0] })(r(3, 2), r(2));
    expect([a.shape, b.shape]).toEqual([[2, 3], [3, 2]]);
    const x = r(3, 2), y = tensor([5, 6]);
    expect(vmap((u: Tensor) => u, { inDims: 1, outDims: 1 })(x).toArray()).toEqual(x.toArray());
    expect(vmap((u: Tensor) => u.softmax(), { inDims: -1, outDims: -2 })(x).toArray()).toEqual(vmap((u: Tensor) => u.softmax(), { inDims: 1 })(x).toArray());
    expect(vmap((u: Tensor, v: Tensor) => v, { inDims: [0, null] })(x, y).toArray()).toEqual([[5, 6], [5, 6], [5, 6]]);
  });

  it('an input that requires grad is batched as one that requires grad: grad inside may take it', () => {
    const x = r(4, 3);
    x.requiresGrad = true;
    const [g] = vmap((v: Tensor) => grad(v.square().sum(), v))(x);
    same(g, x.detach().mul(2), 'per-example gradient of Σx²');
    expect(vmap((v: Tensor) => tensor(Number(v.requiresGrad)))(x).toArray()).toEqual([1, 1, 1, 1]);
  });

  it('compile replays a step that uses vmap (the ops on the batch are what it traces)', () => {
    const layer = new nn.Linear(5, 4, { rng: new RandomState(1) }), params = layer.parameters();
    const f = (x: Tensor, y: Tensor): Tensor =>
      vmap((a: Tensor, b: Tensor) => grad(nn.mseLoss(layer.call(a).tanh(), b), params)[0]!)(x, y).square().sum(0);
    const step = compile(f);
    for (let i = 0; i < 5; i++) {
      const X = r(3, 5), Y = r(3, 4);
      same(step(X, Y), f(X, Y), `call ${i}`);
    }
  });

  it('fixture: functorch vmap of the same functions, with in_dims and out_dims of every kind', () => {
    const fns: Record<string, (...xs: Tensor[]) => Tensor> = {
      'softmax(x @ w, -1), x batched along 1, w shared, out_dims 1': (x, w) => x.matmul(w).softmax(-1),
      '(x * w).sum(-1, keepdim=True) + x.max(0).values, both batched, out_dims -1': (x, w) => x.mul(w).sum(-1, true).add(x.max(0)),
      'x.gather(1, i): a batched index into a shared x': (x, i) => x.gather(1, i),
      'torch.cat([x, y], 0)[1:, ::2].T, y shared': (x, y) => cat([x, y], 0).slice([1, null], [null, null, 2]).T,
      'cross_entropy(x @ w, t) with label smoothing 0.1, x and t batched': (x, w, t) =>
        nn.crossEntropyLoss(x.unsqueeze(0).matmul(w).squeeze(0), t, { labelSmoothing: 0.1 }), // a vector is a [1, k] matrix here
      'vmap(vmap(dot, (0, None)), (None, 1)): the dot product of every row of x with every column of y':
        vmap((x: Tensor, y: Tensor) => x.mul(y).sum(), { inDims: [0, null] }),
    };
    expect(fixture.cases.map((c) => c.name)).toEqual(Object.keys(fns));
    for (const c of fixture.cases) {
      const got = vmap(fns[c.name]!, { inDims: c.inDims, outDims: c.outDims })(...c.inputs.map((x) => tensor(x as number[])));
      expectClose(got, tensor(c.output as number[]), { atol: 1e-14, rtol: 1e-13 }, c.name);
    }
  });
});

interface MlpFixture { name: string; sizes: number[]; activation: 'tanh' | 'sigmoid'; loss: 'crossEntropy' | 'mseSum'; params: unknown[]; x: number[][]; y: unknown; grads: unknown[] }
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'vmap-reference.json'), 'utf8')) as {
  torch: string;
  mlps: MlpFixture[];
  cases: { name: string; inputs: unknown[]; inDims: Dims; outDims: number; output: unknown }[];
};

describe('vmap: nested', () => {
  it('vmap of vmap against a double loop, either level batching either input', () => {
    const f = (x: Tensor, y: Tensor): Tensor => x.matmul(y).softmax(-1).mul(y.sum());
    const X = r(3, 2, 4), Y = r(4, 5, 2);
    const inner = vmap(f, { inDims: [null, 1] }), outer = vmap(inner, { inDims: [0, null], outDims: 1 });
    const want = stack(Array.from({ length: 3 }, (_, i) => stack(Array.from({ length: 5 }, (_, j) => f(X.select(0, i), Y.select(1, j))))), 1);
    same(outer(X, Y), want, 'vmap(vmap(f))');
  });

  it('the outer batch captured inside the inner function, and grad inside both', () => {
    const X = r(3, 4), Y = r(5, 4), w = r(4);
    w.requiresGrad = true;
    const f = (x: Tensor, y: Tensor): Tensor => x.mul(y).mul(w).sum().tanh();
    const got = vmap((x: Tensor) => vmap((y: Tensor) => grad(f(x, y), w)[0]!)(Y))(X);
    const want = stack(Array.from({ length: 3 }, (_, i) => stack(Array.from({ length: 5 }, (_, j) => grad(f(X.select(0, i), Y.select(0, j)), w)[0]!))));
    expect(got.shape).toEqual([3, 5, 4]);
    same(got, want, 'per-pair gradients');
  });

  it('a Jacobian by vmap over the rows of an identity (vmap of vjp), against jacobian()', () => {
    const f = (x: Tensor): Tensor => x.softmax().mul(x.sin());
    const x = r(4), eye = tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
    const [, vjpFn] = vjp(f, x);
    same(vmap((e: Tensor) => vjpFn(e))(eye), jacobian(f, x), 'rows of the Jacobian');
  });
});

describe('vmap: random programs against a loop', () => {
  /** Three examples per batched input: the program's own values and two more; inDims 0, the last axis or null. */
  function check(p: Program, choice: number): void {
    const xs = p.leaves().map((x) => x.detach());
    const dims: Dims = xs.map((x, i) => (i === 0 ? 0 : [0, x.ndim, null][(choice >> (2 * i)) % 3]!));
    const batch = xs.map((x, i) => (dims[i] === null ? x : stack([x, x.mul(0.9).add(0.1), x.sin()], dims[i]!)));
    const run = (...vs: Tensor[]): Tensor => p.run(vs);
    try {
      agrees({ f: run, xs: batch, dims });
    } catch (e) {
      throw new Error(`${(e as Error).message}\ninDims ${JSON.stringify(dims)}\n${p}`);
    }
  }
  it('60 programs (fixed seed): values, per-example gradients and gradients through vmap', () => {
    fc.assert(fc.property(programs, fc.nat(63), check), { seed: 2020, numRuns: 60 });
  });
});

describe('vmap: per-example gradients of MLPs', () => {
  it.each(fixture.mlps.map((m) => [m.name, m] as const))('%s: vmap(grad) against functorch', (_, m) => {
    const layers = m.sizes.slice(1).map((o, k) => new nn.Linear(m.sizes[k]!, o));
    const params = layers.flatMap((l) => [l.weight, l.bias!]);
    params.forEach((p, k) => p.detach().copy_(tensor(m.params[k] as number[])));
    const act = (h: Tensor): Tensor => (m.activation === 'tanh' ? h.tanh() : h.sigmoid());
    const net = (x: Tensor): Tensor => layers.reduce((h, l, k) => (k + 1 < layers.length || m.loss === 'mseSum' ? act(l.call(h)) : l.call(h)), x);
    const loss = (x: Tensor, y: Tensor): Tensor => (m.loss === 'crossEntropy' ? nn.crossEntropyLoss(net(x), y) : nn.mseLoss(net(x), y, { reduction: 'sum' }).mul(0.5));
    const got = vmap((x: Tensor, y: Tensor) => grad(loss(x, y), params))(tensor(m.x), tensor(m.y as number[]));
    got.forEach((g, k) => expectClose(g, tensor(m.grads[k] as number[]), { atol: 1e-14, rtol: 1e-12 }, `per-example gradient of parameter ${k}`));
  });

  it('784-128-10 (nn.Sequential of nn.Linear, sigmoid, ½Σ(y − ŷ)²), batch 16: equal to a loop of single-example gradients to 1e-12', () => {
    const g = new RandomState(3);
    const model = new nn.Sequential(new nn.Linear(784, 128, { init: 'xavier', rng: g }), new nn.Sigmoid(), new nn.Linear(128, 10, { init: 'xavier', rng: g }), new nn.Sigmoid());
    const params = model.parameters(), X = r(16, 784).sigmoid(), Y = r(16, 10).sigmoid();
    const perExample = (x: Tensor, y: Tensor): Tensor[] => grad(nn.mseLoss(model.call(x), y, { reduction: 'sum' }).mul(0.5), params) as Tensor[];
    const got = vmap(perExample)(X, Y), loop = eachExample(perExample, [X, Y], [0, 0]);
    expect(got.map((t) => t.shape)).toEqual([[16, 784, 128], [16, 128], [16, 128, 10], [16, 10]]);
    got.forEach((t, k) => same(t, stack(loop.map((l) => l[k])), `parameter ${k}`));
    expect(params.every((p) => p.grad === null)).toBe(true); // grad leaves .grad alone
  });

  it('a classifier with ReLU, dropout and crossEntropyLoss, examples along axis 1: equal to a loop', () => {
    // Two copies of one model, the same weights and the same dropout generator: one for vmap, one for the loop.
    const copy = (): nn.Module => new nn.Sequential(new nn.Linear(6, 8, { init: 'he', rng: new RandomState(4) }), new nn.ReLU(),
      new nn.Dropout(0.25, { rng: new RandomState(9) }), new nn.Linear(8, 3, { rng: new RandomState(5) }));
    const X = r(6, 5), Y = indices(3, 5);
    const perExample = (model: nn.Module) => (x: Tensor, y: Tensor): Tensor[] => grad(nn.crossEntropyLoss(model.call(x), y), model.parameters()) as Tensor[];
    const got = vmap(perExample(copy()), { inDims: [1, 0] })(X, Y), loop = eachExample(perExample(copy()), [X, Y], [1, 0]);
    got.forEach((t, k) => same(t, stack(loop.map((l) => l[k])), `parameter ${k}`));
  });
});

describe('vmap: a custom op (defineOp) with a batching rule', () => {
  // Σ of each row, as an op of its own; on a batch it is the same op on the larger input, its output reshaped.
  const spec = {
    name: 'rowSums',
    shape: (x: Tensor) => x.shape.slice(0, -1),
    forward: (out: Float64Array, x: Float64Array) => { const n = x.length / Math.max(1, out.length); for (let i = 0; i < out.length; i++) for (let j = 0; j < n; j++) out[i] += x[i * n + j]!; },
    grads: [(g: Tensor, [x]: Tensor[]) => g.unsqueeze(-1).expand(...x!.shape)],
  };
  it('vmap runs its rule (values, per-example gradients, gradients through vmap agree with a loop)', () => {
    let calls = 0;
    const rowSums: (x: Tensor) => Tensor = defineOp({ ...spec, batch: ([x]) => { calls++; return rowSums(x!); } });
    agrees({ f: (x) => rowSums(x).mul(x.sum()), xs: [r(4, 2, 3)], dims: [0] });
    agrees({ f: (x) => rowSums(x), xs: [r(2, 5, 3)], dims: [1], out: 1 });
    expect(calls).toBeGreaterThan(0);
  });
  it('a batching rule that returns the wrong shape is named; without one the op is refused by name', () => {
    const bad = defineOp({ ...spec, batch: ([x]) => x!.sum() });
    expect(() => vmap((x: Tensor) => bad(x))(r(4, 2, 3))).toThrow('rowSums: the batching rule returned shape [], not a tensor of shape [4, 2]');
    expect(() => vmap((x: Tensor) => defineOp(spec)(x))(r(4, 2, 3))).toThrow(/^vmap: rowSums has no batching rule/);
    expect(() => defineOp({ ...spec, batch: 'no' as unknown as () => Tensor })).toThrow("defineOp: batch must be a rule (inputs, batched, shape) => tensor, got the string 'no'");
  });
});

describe('vmap: per-example gradients of a CNN and of an LSTM', () => {
  it.each([false, true])('an LSTM and a linear layer on each step, mean squared error (the graph recorded: %s): equal to a loop', (createGraph) => {
    const g = new RandomState(12), lstm = new nn.LSTM(3, 4, { rng: g }), head = new nn.Linear(4, 2, { rng: g });
    const params = [...lstm.parameters(), ...head.parameters()], X = r(6, 5, 3), Y = r(6, 5, 2);
    // createGraph records the walk: backpropagation through time in tensor ops, instead of the kernel
    const perExample = (x: Tensor, y: Tensor): Tensor[] => grad(nn.mseLoss(head.call(lstm.call(x)[0]), y), params, { createGraph }) as Tensor[];
    const got = vmap(perExample)(X, Y), loop = eachExample(perExample, [X, Y], [0, 0]);
    expect(got.map((t) => t.shape)).toEqual(params.map((p) => [6, ...p.shape]));
    got.forEach((t, k) => same(t, stack(loop.map((l) => l[k])), `parameter ${k}`));
  });

  it('conv, batch norm in eval mode, ReLU, max pool, layer norm, linear and cross-entropy: equal to a loop to 1e-12, and to second order', () => {
    const g = new RandomState(6);
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1, rng: g }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.LayerNorm(36), new nn.Linear(36, 3, { rng: g }));
    model.eval(); // batch statistics would mix the examples; running ones are the same for each
    const params = model.parameters(), X = r(5, 1, 6, 6), Y = indices(3, 5);
    const perExample = (x: Tensor, y: Tensor): Tensor[] => grad(nn.crossEntropyLoss(model.call(x.unsqueeze(0)), y.unsqueeze(0)), params) as Tensor[];
    const got = vmap(perExample)(X, Y), loop = eachExample(perExample, [X, Y], [0, 0]);
    expect(got.map((t) => t.shape)).toEqual(params.map((p) => [5, ...p.shape]));
    got.forEach((t, k) => same(t, stack(loop.map((l) => l[k])), `parameter ${k}`));
    // the per-example gradient of the squared gradient norm: every rule's ops batched in turn
    const second = (x: Tensor, y: Tensor): Tensor[] => {
      const gs = grad(nn.crossEntropyLoss(model.call(x.unsqueeze(0)), y.unsqueeze(0)), params, { createGraph: true }) as Tensor[];
      return grad(gs.map((t) => t.square().sum()).reduce((a, b) => a.add(b)), params, { allowUnused: true }).map((t, k) => t ?? zeros([...params[k]!.shape]));
    };
    const got2 = vmap(second)(X, Y), loop2 = eachExample(second, [X, Y], [0, 0]);
    got2.forEach((t, k) => same(t, stack(loop2.map((l) => l[k])), `second order, parameter ${k}`));
  });
});

describe('vmap: bad input', () => {
  const x = r(3, 4);
  it('inDims out of range, or of the wrong kind or length; a 0-d input batched', () => {
    expect(() => vmap((v: Tensor) => v, { inDims: 2 })(x)).toThrow(/^vmap: inDims is 2, out of range for input 0 of shape \[3, 4\] \(an axis from -2 to 1\)/);
    expect(() => vmap((v: Tensor, w: Tensor) => v.add(w), { inDims: [0, -3] })(x, x)).toThrow(/^vmap: inDims\[1\] is -3, out of range for input 1 of shape \[3, 4\]/);
    expect(() => vmap((v: Tensor) => v)(tensor(1))).toThrow(/^vmap: inDims is 0, out of range for input 0 of shape \[\] \(it has no axis\)/);
    expect(() => vmap((v: Tensor) => v, { inDims: 0.5 })(x)).toThrow(/^vmap: inDims is 0.5, out of range/);
    expect(() => vmap((v: Tensor) => v, { inDims: [0, 0] })(x)).toThrow(/^vmap: inDims has 2 entries for 1 inputs/);
    expect(() => vmap((v: Tensor) => v, { inDims: '0' as unknown as number })).toThrow(/^vmap: inDims must be an axis, null, or an array of them/);
    expect(() => vmap((v: Tensor) => v, { inDims: null })(x)).toThrow(/^vmap: no input is batched/);
  });

  it('batch sizes that differ between inputs, named with their sizes; an empty batch', () => {
    expect(() => vmap((v: Tensor, w: Tensor) => v.add(w), { inDims: [0, 1] })(x, r(2, 4)))
      .toThrow(/^vmap: the inputs' batch sizes differ: input 0 has 3 along axis 0, input 1 has 4 along axis 1/);
    expect(() => vmap((v: Tensor) => v, { inDims: 1 })(zeros([2, 0]))).toThrow(/^vmap: input 0 has 0 along axis 1: an empty batch/);
  });

  it('non-tensor inputs (unless their inDims is null), and outputs that are not tensors', () => {
    expect(() => vmap((v: Tensor) => v)(3 as unknown as Tensor)).toThrow(/^vmap: input 0 must be a tensor \(its batch axis is 0; inDims null passes any value as it is\), got number 3/);
    expect(() => vmap((v: Tensor) => v)([1, 2] as unknown as Tensor)).toThrow(/^vmap: input 0 must be a tensor.*got an array/);
    expect(vmap((v: Tensor, k: number) => v.mul(k), { inDims: [0, null] })(x, 2).toArray()).toEqual(x.mul(2).toArray());
    expect(() => vmap(((v: Tensor) => v.sum().toString()) as unknown as (v: Tensor) => Tensor)(x)).toThrow(/^vmap: cannot read values/);
    expect(() => vmap((() => 3) as unknown as (v: Tensor) => Tensor)(x)).toThrow(/^vmap: fn must return a tensor or an array of tensors, got number 3/);
    const w = tensor([1, 2, 3, 4], { requiresGrad: true }), u = tensor([1], { requiresGrad: true });
    expect(() => vmap((v: Tensor) => grad(v.mul(w).sum(), [w, u], { allowUnused: true }))(x)).toThrow(/^vmap: output 1 of fn must be a tensor, got null/);
    expect(() => vmap('f' as unknown as Fn)).toThrow(/^vmap: fn must be a function, got the string 'f'/);
    expect(() => vmap((v: Tensor) => v, 3 as unknown as object)).toThrow(/^vmap: options must be an object/);
  });

  it('outDims out of range or of the wrong length', () => {
    expect(() => vmap((v: Tensor) => v, { outDims: 2 })(x)).toThrow(/^vmap: outDims is 2, out of range for output 0 of shape \[4\] per example, with the batch axis \(an axis from -2 to 1\)/);
    expect(() => vmap((v: Tensor) => [v, v], { outDims: [0] })(x)).toThrow(/^vmap: outDims has 1 entries for 2 outputs/);
    expect(() => vmap((v: Tensor) => v, { outDims: [null] as unknown as number[] })).toThrow(/^vmap: outDims must be an axis or an array of axes/);
  });

  it('an op without a batching rule is refused by name, never run example by example', () => {
    const cube = defineOp({ name: 'cube', forward: (out, v) => { for (let i = 0; i < v.length; i++) out[i] = v[i]! ** 3; }, grads: [(g, [v]) => g.mul(v!.square().mul(3))] });
    expect(() => vmap((v: Tensor) => cube(v))(x)).toThrow(/^vmap: cube has no batching rule \(inputs of shapes \[4\], per example\)/);
    expect(() => vmap((v: Tensor) => v.add_(1))(x)).toThrow(/^vmap: add_ has no batching rule \(in place on a tensor of shape \[4\], per example\)/);
    expect(() => vmap((v: Tensor) => zeros([4]).copy_(v))(x)).toThrow(/^vmap: copy_ has no batching rule/);
    // batch statistics would mix the examples (functorch refuses them too): batch norm in training mode is refused
    const bn = new nn.BatchNorm1d(2);
    expect(() => vmap((v: Tensor) => bn.call(v))(r(3, 4, 2))).toThrow(/^vmap: channelMoments has no batching rule \(inputs of shapes \[4, 2\], per example\)/);
    bn.eval();
    expect(vmap((v: Tensor) => bn.call(v))(r(3, 4, 2)).shape).toEqual([3, 4, 2]);
  });

  it('drawing random numbers inside is refused (one draw would serve every example); dropout draws per example', () => {
    expect(() => vmap((v: Tensor) => v.add(randn([4])))(x)).toThrow(/^vmap: randn inside vmap would draw the same values for every example/);
    expect(() => vmap((v: Tensor) => v.mul(rand([4])))(x)).toThrow(/^vmap: rand inside vmap/);
    expect(vmap((v: Tensor) => dropout(v, 0.5))(x).shape).toEqual([3, 4]);
  });

  it('reading the values of a batched tensor throws, naming vmap; so does backward() of one', () => {
    const read: ((v: Tensor) => unknown)[] = [(v) => v.sum().item(), (v) => v.toArray(), (v) => v.data, (v) => v.toString(), (v) => JSON.stringify(v), (v) => v.toNpy()];
    for (const f of read) {
      expect(() => vmap((v: Tensor) => { f(v); return v; })(x)).toThrow(/^vmap: cannot read values of a batched tensor \(shape \[4?\] of one example\)/);
    }
    const w = tensor([1, 2, 3, 4], { requiresGrad: true });
    expect(() => vmap((v: Tensor) => { v.mul(w).sum().backward(); return v; })(x)).toThrow(/^vmap: backward\(\) of a batched tensor \(shape \[\] of one example\)/);
    expect(w.grad).toBeNull();
  });

  it('anomaly mode inside vmap names the op of the batch that made a NaN, and the rule it ran in', () => {
    const zero = tensor([[0, 1], [4, 0]]);
    expect(() => detectAnomaly(() => vmap((v: Tensor) => v.sub(1).log())(zero))).toThrow(/^anomaly: 'log' \(forward\) produced NaN at index 0 of its output \[2, 2\]/);
    expect(() => detectAnomaly(() => vmap((v: Tensor) => { const l = v.detach(); l.requiresGrad = true; return grad(l.sqrt().sum(), l)[0]!; })(zero)))
      .toThrow(/^anomaly: the backward of 'sqrt' \[2\] produced Infinity at index 0 \(in its op 'div', output \[2, 2\]; input 0 \[2\], input 1 \[2, 2\]\); 'sqrt' has inputs input 0 \[2\]\. It was made inside vmap/);
  });

  it('after a throw inside, nothing is left batched: the same ops run as usual', () => {
    expect(() => vmap((v: Tensor) => { throw new Error(`boom ${v.shape}`); })(x)).toThrow('boom 4');
    expect(x.add(1).sum().item()).toBeCloseTo(x.data.reduce((s, v) => s + v + 1, 0), 12);
    const w = tensor([2], { requiresGrad: true });
    w.mul(w).sum().backward();
    expect(w.grad!.toArray()).toEqual([4]);
  });
});

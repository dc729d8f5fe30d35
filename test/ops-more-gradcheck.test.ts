// The ops of issue #11 against central finite differences, first and second order: gradcheck (the gradient)
// and gradgradcheck (the gradient of the gradient, so each rule is itself differentiated correctly), in float64
// with ε = 1e-6, rtol = 1e-6, atol = 1e-8, over shapes that broadcast where an op broadcasts.
import { describe, expect, it } from 'vitest';
import { cat, dropout, gradcheck, gradgradcheck, maximum, minimum, nn, RandomState, stack, Tensor, where, type Shape } from '../src/index.ts';
import { input, distinct } from './op-inputs.ts';

const TOL = { eps: 1e-6, rtol: 1e-6, atol: 1e-8 };

/** gradcheck and gradgradcheck both pass. */
function both(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], tol = TOL): void {
  const first = gradcheck(fn, inputs, tol);
  expect(first.ok, first.message).toBe(true);
  const second = gradgradcheck(fn, inputs, tol);
  expect(second.ok, second.message).toBe(true);
}

const PAIRS: [Shape, Shape][] = [
  [[3, 4], [3, 4]], [[3, 4], []], [[], [3, 4]], [[3, 4], [4]], [[1, 4], [3, 4]], [[3, 1], [1, 4]], [[2, 1, 3], [4, 1]],
];

describe('elementwise: the unary ops of issue #11', () => {
  const UNARY: [string, (x: Tensor) => Tensor, number, number][] = [
    ['sqrt', (x) => x.sqrt(), 0.2, 3],
    ['square', (x) => x.square(), -2, 2],
    ['sin', (x) => x.sin(), -4, 4],
    ['cos', (x) => x.cos(), -4, 4],
    ['log1p', (x) => x.log1p(), -0.7, 3],
    ['expm1', (x) => x.expm1(), -3, 2],
    ['softplus', (x) => x.softplus(), -6, 6],
  ];
  const cases = UNARY.flatMap(([name, f, lo, hi]) => ([[], [5], [2, 1, 3]] as Shape[]).map((s, i) => [name, s, f, lo, hi, 70 + i] as const));
  it.each(cases)('%s on %j', (_name, shape, f, lo, hi, seed) => both(f, [input(shape, lo, hi, seed)]));

  it('softplus stays exact far out: its gradient is sigmoid, its second derivative σ(1 − σ)', () => {
    both((x) => x.softplus(), [Tensor.from(Float64Array.from([-40, -12, 12, 40]), [4], { requiresGrad: true })]);
  });
});

describe('maximum, minimum, where: broadcasting pairs', () => {
  // Both operands come from one pool of distinct values, so no pair ties within ε.
  const operands = (sa: Shape, sb: Shape, seed: number): [Tensor, Tensor] => {
    const na = sa.reduce((p, d) => p * d, 1), pool = distinct([na + sb.reduce((p, d) => p * d, 1)], seed).data;
    return [Tensor.from(pool.slice(0, na), sa, { requiresGrad: true }), Tensor.from(pool.slice(na), sb, { requiresGrad: true })];
  };
  it.each(PAIRS)('maximum %j with %j', (sa, sb) => both((a, b) => maximum(a, b), operands(sa, sb, 80)));
  it.each(PAIRS)('minimum %j with %j', (sa, sb) => both((a, b) => minimum(a, b).mul(a), operands(sa, sb, 81)));
  it.each(PAIRS)('where(cond [3, 1] or [4], a %j, b %j)', (sa, sb) => {
    const cond = Tensor.from(Float64Array.from(sa.length === 3 || sb.length === 3 ? [1, 0, 1, 1] : [1, 0, 1]), sa.length === 3 || sb.length === 3 ? [4, 1] : [3, 1]);
    both((a, b) => where(cond, a.square(), b.mul(a.sum())), [input(sa, -2, 2, 82), input(sb, -2, 2, 83)]);
  });
  it('where with a number on either side', () => {
    const cond = Tensor.from(Float64Array.from([0, 1, 1, 0, 1, 0]), [2, 3]);
    both((a) => where(cond, a.sin(), 2).add(where(cond, -1, a.exp())), [input([2, 3], -1, 1, 84)]);
  });
});

describe('min over an axis', () => {
  it.each([[undefined, false], [0, true], [1, false], [-1, true], [[0, 2], false]] as const)('min(axis %j, keepdim %s) of [2, 3, 4]', (axis, keepdim) => {
    both((x) => x.min(axis as number | number[] | undefined, keepdim).square(), [distinct([2, 3, 4], 90)]);
  });
});

describe('softmax and logSoftmax', () => {
  const AXES = [-1, 0, 1, 2, -2];
  it.each(AXES)('softmax along axis %d of [2, 3, 4]', (axis) => both((x) => x.softmax(axis), [input([2, 3, 4], -2, 2, 100)]));
  it.each(AXES)('logSoftmax along axis %d of [2, 3, 4]', (axis) => both((x) => x.logSoftmax(axis), [input([2, 3, 4], -2, 2, 101)]));
  it('of a vector, of a 0-d tensor, of one class', () => {
    both((x) => x.softmax(), [input([5], -3, 3, 102)]);
    both((x) => x.logSoftmax(0).add(x.softmax(0)), [input([], -3, 3, 103)]);
    both((x) => x.softmax(1).add(x.logSoftmax(1)), [input([3, 1], -3, 3, 104)]);
  });
  it('at logits of ±1000: gradients exact and finite (the saturated entries get exactly 0 or the whole of g)', () => {
    const x = Tensor.from(Float64Array.from([1000, -1000, 0.5, -2, 3, 1000, 999.5, -1000, 0.25]), [3, 3], { requiresGrad: true });
    both((t) => t.softmax(), [x]);
    both((t) => t.logSoftmax(), [x]);
    both((t) => t.logSoftmax(0), [x]);
  });
  it('composed: softmax feeding a matmul, and the second derivative of logsumexp-like sums', () => {
    both((x, w) => x.softmax(-1).matmul(w).tanh(), [input([3, 4], -2, 2, 105), input([4, 2], -1, 1, 106)]);
    both((x) => x.logSoftmax(-1).mul(x).sum(-1), [input([2, 5], -2, 2, 107)]);
  });
});

describe('shapes: unsqueeze, squeeze, flatten, expand, reshape', () => {
  const x = (): Tensor => input([2, 1, 3], -1, 1, 110);
  it('unsqueeze at each position, positive and negative', () => {
    for (const a of [0, 1, 3, -1, -4]) both((t) => t.unsqueeze(a).mul(t.unsqueeze(a)), [x()]);
  });
  it('squeeze all, one axis, an axis that is not 1 (kept)', () => {
    for (const a of [undefined, 1, -2, 0]) both((t) => t.squeeze(a).square(), [x()]);
  });
  it('flatten all, a range, one axis', () => {
    for (const [s, e] of [[0, -1], [1, 2], [0, 1], [2, 2]]) both((t) => t.flatten(s, e).sin(), [input([2, 3, 2], -1, 1, 111)]);
  });
  it('expand with -1, to new leading dims, and reshape with -1', () => {
    both((t) => t.expand(4, -1, 2, -1).square(), [x()]);
    both((t) => t.reshape(-1, 2).sin(), [input([2, 3, 2], -1, 1, 112)]);
  });
});

describe('slicing: narrow, select, slice', () => {
  const x = (): Tensor => input([3, 4, 5], -1, 1, 120);
  it.each([[0, 1, 2], [1, -3, 3], [2, 0, 5], [2, 4, 1], [1, 2, 0]])('narrow(%d, %d, %d) of [3, 4, 5]', (axis, start, len) => {
    both((t) => t.narrow(axis, start, len).square(), [x()]);
  });
  it.each([[0, 0], [1, -1], [2, 3], [-1, 0]])('select(%d, %d) of [3, 4, 5]', (axis, index) => {
    both((t) => t.select(axis, index).square(), [x()]);
  });
  const SPECS: Parameters<Tensor['slice']>[] = [
    [[0, 2], null, [1, null, 2]],
    [null, [null, null, -1]],
    [-1, [1, 3], [-2]],
    [[5, 0, -2], 2],
    [[0, 0]],
    [null, [-100, 100, 3], [4, -100, -3]],
    [],
  ];
  it.each(SPECS)('slice(%j) of [3, 4, 5]', (...specs) => both((t) => t.slice(...specs).square(), [x()]));
  it('overlapping slices of one tensor add their gradients', () => {
    both((t) => t.slice([0, 3]).mul(t.slice([1, 4])).add(t.slice([null, null, -1]).narrow(0, 1, 3)), [input([4], -1, 1, 121)]);
  });
});

describe('joining: cat, stack, split, chunk', () => {
  it('cat along each axis, with inputs of different lengths', () => {
    const a = input([2, 3], -1, 1, 130), b = input([2, 1], -1, 1, 131), c = input([4, 3], -1, 1, 132);
    both((p, q) => cat([p, q, p.square()], 1), [a, b]);
    both((p, r) => cat([p, r], 0).sin(), [a, c]);
    both((p, r) => cat([p, r, p], -2).square(), [a, c]);
  });
  it.each([0, 1, 2, -1])('stack along axis %d', (axis) => {
    both((p, q) => stack([p, q.sin(), p.mul(q)], axis), [input([2, 3], -1, 1, 133), input([2, 3], -1, 1, 134)]);
  });
  it('split by size and by sizes, chunk; pieces recombined', () => {
    const t = input([5, 4], -1, 1, 135);
    both((x) => { const [a, b, c] = x.split(2); return cat([c.square(), a.mul(b)], 0); }, [t]);
    both((x) => { const [a, b] = x.split([1, 3], 1); return a.mul(b); }, [t]);
    both((x) => { const ps = x.chunk(3, 1); return ps[0].sin().add(ps[1].square()); }, [t]);
  });
});

describe('gathering: gather, indexSelect, scatterAdd (repeated indices add up)', () => {
  const idx = (v: number[], shape: Shape): Tensor => Tensor.from(Float64Array.from(v), shape);
  it('gather along each axis, with repeats and an index shorter than the input', () => {
    const x = input([3, 4], -1, 1, 140);
    both((t) => t.gather(1, idx([0, 0, 3, 2, 1, 1, 1, 0, 3], [3, 3])).square(), [x]);
    both((t) => t.gather(0, idx([2, 2, 0, 1, 0, 0, 0, 2], [2, 4])).sin(), [x]);
    both((t) => t.gather(-1, idx([1, 1], [1, 2])).mul(t.gather(1, idx([1, 1], [1, 2]))), [x]);
  });
  it('indexSelect with a tensor, an Int32Array and an array, repeats included', () => {
    const x = input([3, 4, 2], -1, 1, 141);
    both((t) => t.indexSelect(1, idx([3, 0, 3, 3], [4])).square(), [x]);
    both((t) => t.indexSelect(0, Int32Array.from([2, 2, 1])).sin(), [x]);
    both((t) => t.indexSelect(-1, [1, 0, 1]).mul(t.indexSelect(2, [0, 0, 0])), [x]);
  });
  it('scatterAdd into the input and from the source, a source larger than the index', () => {
    const x = input([3, 4], -1, 1, 142), src = input([2, 5], -1, 1, 143);
    both((t, s) => t.scatterAdd(1, idx([0, 0, 3, 1, 2, 2], [2, 3]), s).square(), [x, src]);
    both((t, s) => t.scatterAdd(0, idx([2, 2, 0, 2], [1, 4]), s.mul(s)), [x, src]);
  });
});

describe('losses and dropout', () => {
  const logits = (): Tensor => input([4, 3], -3, 3, 150);
  const classes = Tensor.from(Float64Array.from([2, 0, 1, 2]), [4]);
  const probs = Tensor.from(Float64Array.from([0.2, 0.3, 0.5, 1, 0, 0, 0, 0.25, 0.75, 0.1, 0.1, 0.8]), [4, 3]);
  it.each(['mean', 'sum', 'none'] as const)('crossEntropyLoss (%s) with class indices and probabilities, with and without label smoothing', (reduction) => {
    for (const labelSmoothing of [0, 0.1]) {
      both((z) => nn.crossEntropyLoss(z, classes, { reduction, labelSmoothing }), [logits()]);
      both((z) => nn.crossEntropyLoss(z, probs, { reduction, labelSmoothing }), [logits()]);
    }
  });
  it('crossEntropyLoss at logits of ±1000, of [N, C, d] and of unbatched [C]', () => {
    const z = Tensor.from(Float64Array.from([1000, -1000, 2, 0.1, 0.2, -0.3, -1000, 1000, 0, 0.5, -0.5, 1.5]), [4, 3], { requiresGrad: true });
    // The loss is about 10³ here, so a central difference with ε = 1e-6 loses ~1e-16·10³/ε ≈ 1e-7 to rounding:
    // ε = 1e-4 brings that to 1e-9 (the truncation error, ε²·f‴/6, is as small: f‴ is at most of order 1).
    both((t) => nn.crossEntropyLoss(t, Tensor.from(Float64Array.from([1, 2, 0, 2]), [4]), { labelSmoothing: 0.1 }), [z], { ...TOL, eps: 1e-4 });
    both((t) => nn.crossEntropyLoss(t, Tensor.from(Float64Array.from([0, 2, 1, 1, 2, 0, 0, 1]), [2, 4])), [input([2, 3, 4], -2, 2, 151)]);
    both((t) => nn.crossEntropyLoss(t, Tensor.from(Float64Array.from([1]), [])), [input([3], -2, 2, 152)]);
  });
  it.each(['mean', 'sum', 'none'] as const)('nllLoss (%s) after logSoftmax', (reduction) => {
    both((z) => nn.nllLoss(z.logSoftmax(1), classes, { reduction }), [logits()]);
  });
  it('dropout with a fixed mask (a fresh generator in each evaluation)', () => {
    both((x) => dropout(x, 0.4, { rng: new RandomState(7) }).square(), [input([3, 4], -1, 1, 153)]);
  });
});

// Every differentiable op against central finite differences (the public gradcheck: float64, ε = 1e-6,
// rtol = 1e-6, atol = 1e-8), over shapes that broadcast; and gradcheck itself failing on wrong derivatives.
// The ops of issue #11 (from "the unary ops of issue #11" on) are checked to second order here too, with
// gradgradcheck (the gradient of the gradient, so each rule is itself differentiated correctly); the second
// order of the others is in higher-order.test.ts.
import { describe, expect, it } from 'vitest';
import {
  cat, defineOp, dropout, gradcheck, gradgradcheck, maximum, minimum, nn, RandomState, stack, Tensor, where, type Operand, type Shape,
} from '../src/index.ts';
import { input, signed, distinct } from './op-inputs.ts';

const TOL = { eps: 1e-6, rtol: 1e-6, atol: 1e-8 };

function check(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, TOL);
  expect(r.ok, r.message).toBe(true);
  expect(r.worst).not.toBeNull();
}

// [a shape, b shape]: same, 0-d with matrix both ways, row (1-D and 2-D), column, outer, 3-D with 2-D both ways.
const PAIRS: [Shape, Shape][] = [
  [[3, 4], [3, 4]],
  [[3, 4], []],
  [[], [3, 4]],
  [[3, 4], [4]],
  [[4], [3, 4]],
  [[1, 4], [3, 4]],
  [[3, 4], [3, 1]],
  [[3, 1], [3, 4]],
  [[3, 1], [1, 4]],
  [[2, 1, 3], [4, 1]],
  [[4, 1], [2, 1, 3]],
];

// Each binary op with the domain of each operand: [lo, hi) for a, [lo, hi) for b.
const BINARY: [string, (a: Tensor, b: Operand) => Tensor, [number, number], [number, number]][] = [
  ['add', (a, b) => a.add(b), [-2, 2], [-2, 2]],
  ['sub', (a, b) => a.sub(b), [-2, 2], [-2, 2]],
  ['mul', (a, b) => a.mul(b), [-2, 2], [-2, 2]],
  ['div', (a, b) => a.div(b), [-2, 2], [0.5, 2]],
  ['pow', (a, b) => a.pow(b), [0.5, 2], [-1.5, 1.5]], // positive bases: the exponent's gradient needs ln a
];

describe('binary ops: both operands, every broadcasting pattern', () => {
  const cases = BINARY.flatMap(([name, f, da, db]) => PAIRS.map(([sa, sb]) => [name, sa, sb, f, da, db] as const));
  it.each(cases)('%s %j with %j', (_name, sa, sb, f, da, db) => {
    const a = input(sa, da[0], da[1], 1), b = input(sb, db[0], db[1], 2);
    check(f, [a, b]);
  });

  it.each(BINARY)('%s with a plain number on the right', (_name, f, da, db) => {
    const a = input([3, 4], da[0], da[1], 3);
    const k = (db[0] + db[1]) / 2 + 0.3;
    check((x) => f(x, k), [a]);
  });

  it('only the operand that requires grad is checked, the other is a constant', () => {
    const a = signed([2, 1, 3], 0.1, 2, 4), b = Tensor.from(new RandomState(5).uniform(0.5, 2, [4, 1]), [4, 1]);
    check((x, y) => x.div(y), [a, b]);
    check((x, y) => y.div(x.abs().add(0.5)), [a, b]);
  });

  it('pow with integer exponents accepts negative bases', () => {
    const a = input([3, 4], -2, 2, 6);
    check((x) => x.pow(2), [a]);
    check((x) => x.pow(3), [a]);
    check((x) => x.pow(-1), [signed([3, 4], 0.5, 2, 7)]);
  });

  it('a 0-d base and a 0-d exponent', () => {
    check((x, y) => x.pow(y), [input([], 0.5, 2, 8), input([], -1, 1, 9)]);
  });
});

/** |x| in [0.05, 0.45) or [0.55, 2): values on both sides of ±0.5, none within 0.05 of a bound or of 0. */
function clampInput(shape: Shape, seed: number): Tensor {
  const t = signed(shape, 0.05, 1.45, seed);
  for (let i = 0; i < t.size; i++) if (Math.abs(t.data[i]) >= 0.45) t.data[i] += Math.sign(t.data[i]) * 0.1;
  return t;
}

describe('unary ops', () => {
  // name, op, input generator (kept inside the domain and away from kinks)
  const UNARY: [string, (x: Tensor) => Tensor, (shape: Shape, seed: number) => Tensor][] = [
    ['neg', (x) => x.neg(), (s, k) => input(s, -2, 2, k)],
    ['exp', (x) => x.exp(), (s, k) => input(s, -2, 2, k)],
    ['log', (x) => x.log(), (s, k) => input(s, 0.2, 3, k)],
    ['sigmoid', (x) => x.sigmoid(), (s, k) => input(s, -6, 6, k)],
    ['tanh', (x) => x.tanh(), (s, k) => input(s, -3, 3, k)],
    ['relu', (x) => x.relu(), (s, k) => signed(s, 0.05, 2, k)],
    ['abs', (x) => x.abs(), (s, k) => signed(s, 0.05, 2, k)],
    ['clamp(-0.5, 0.5)', (x) => x.clamp(-0.5, 0.5), clampInput],
    ['clamp(0.2)', (x) => x.clamp(0.2), (s, k) => signed(s, 0.05, 2, k)],
    ['clamp(undefined, -0.3)', (x) => x.clamp(undefined, -0.3), (s, k) => signed(s, 0.4, 2, k)],
  ];
  const SHAPES: Shape[] = [[], [5], [3, 4], [2, 1, 3]];
  const cases = UNARY.flatMap(([name, f, gen]) => SHAPES.map((s, i) => [name, s, f, gen, 10 + i] as const));
  it.each(cases)('%s on %j', (_name, shape, f, gen, seed) => {
    check(f, [gen(shape, seed)]);
  });

  it('the kink-avoiding inputs straddle the kinks (so both sides are checked) without touching them', () => {
    const r = Array.from(signed([3, 4], 0.05, 2, 12).data);
    expect(r.some((v) => v < 0) && r.some((v) => v > 0)).toBe(true);
    expect(r.every((v) => Math.abs(v) >= 0.05)).toBe(true);
    const c = Array.from(clampInput([3, 4], 12).data);
    for (const [lo, hi] of [[-2, -0.5], [-0.5, 0], [0, 0.5], [0.5, 2]]) expect(c.some((v) => v > lo && v < hi), `${lo}..${hi}`).toBe(true);
    expect(c.every((v) => Math.abs(Math.abs(v) - 0.5) >= 0.05)).toBe(true);
  });
});

describe('matmul', () => {
  const CASES: [Shape, Shape][] = [
    [[3, 4], [4, 5]],
    [[1, 4], [4, 1]],
    [[5, 1], [1, 3]],
    [[2, 3, 4], [4, 5]],
    [[3, 4], [2, 4, 5]],
    [[2, 1, 3, 4], [3, 4, 2]],
    [[2, 3, 4], [2, 4, 5]],
    [[1, 2, 3], [3, 3, 2]],
    [[6, 9], [9, 7]], // big enough for the packed kernel path
  ];
  it.each(CASES)('%j @ %j', (sa, sb) => {
    check((a, b) => a.matmul(b), [input(sa, -1, 1, 20), input(sb, -1, 1, 21)]);
  });

  it('the same tensor on both sides: x @ xᵀ', () => {
    check((x) => x.matmul(x.T), [input([3, 4], -1, 1, 22)]);
  });
});

describe('reductions', () => {
  const AXES: [number | number[] | undefined, boolean][] = [
    [undefined, false], [undefined, true],
    [0, false], [1, true], [2, false], [-1, false], [-1, true], [-3, true],
    [[0, 2], false], [[2, 0], true], [[-1, 0], false], [[1, -1], true], [[0, 1, 2], false], [[], false],
  ];
  it.each(AXES)('sum(axis %j, keepdim %s) of [2, 3, 4]', (axis, keepdim) => {
    check((x) => x.sum(axis, keepdim), [input([2, 3, 4], -1, 1, 30)]);
  });
  it.each(AXES)('mean(axis %j, keepdim %s) of [2, 3, 4]', (axis, keepdim) => {
    check((x) => x.mean(axis, keepdim), [input([2, 3, 4], -1, 1, 31)]);
  });
  it('sum and mean of a 0-d tensor and of a row', () => {
    check((x) => x.sum(), [input([], -1, 1, 32)]);
    check((x) => x.mean(0, true), [input([1, 5], -1, 1, 33)]);
  });

  const MAX: [number | undefined, boolean][] = [[undefined, false], [undefined, true], [0, false], [1, true], [2, false], [-1, true], [-2, false]];
  it.each(MAX)('max(axis %j, keepdim %s) of [2, 3, 4]', (axis, keepdim) => {
    check((x) => x.max(axis, keepdim), [distinct([2, 3, 4], 34)]);
  });
});

describe('movement', () => {
  it.each([[[-1, 6]], [[4, -1, 3]], [[24]], [[2, 3, 4]], [[1, 2, 1, 12]]])('reshape %j of [2, 3, 4]', (shape) => {
    check((x) => x.reshape(shape), [input([2, 3, 4], -1, 1, 40)]);
  });
  it('transpose and T', () => {
    check((x) => x.transpose(), [input([3, 4], -1, 1, 41)]);
    check((x) => x.T, [input([1, 5], -1, 1, 42)]);
  });
  it.each([[[2, 0, 1]], [[1, 2, 0]], [[0, 2, 1]], [[2, 1, 0]], [[-1, -3, -2]]])('permute %j of [2, 3, 4]', (perm) => {
    check((x) => x.permute(perm), [input([2, 3, 4], -1, 1, 43)]);
  });
});

describe('composites', () => {
  it('a sigmoid layer with a broadcast bias and a mean loss', () => {
    const X = input([4, 3], -1, 1, 50), W = input([3, 2], -1, 1, 51), b = input([2], -1, 1, 52), y = input([4, 2], 0, 1, 53);
    check((x, w, c, t) => x.matmul(w).add(c).sigmoid().sub(t).pow(2).mean(), [X, W, b, y]);
  });

  it('binary cross-entropy written with log, through a batched matmul', () => {
    const X = input([2, 3, 4], -1, 1, 54), w = input([4, 1], -1, 1, 55);
    const y = Tensor.from(Float64Array.from([1, 0, 1, 0, 0, 1]), [2, 3, 1]);
    check((x, v) => {
      const h = x.matmul(v).sigmoid();
      return y.mul(h.log()).add(y.neg().add(1).mul(h.neg().add(1).log())).neg().mean();
    }, [X, w]);
  });

  it('a softmax-like expression: exp(x − max) / sum, with reshape and permute', () => {
    const x = distinct([2, 3, 4], 56);
    check((t) => {
      const z = t.sub(t.max(-1, true)).exp();
      return z.div(z.sum(-1, true)).permute(2, 0, 1).reshape(4, -1).tanh();
    }, [x]);
  });
});

/** gradcheck and gradgradcheck both pass. */
function both(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], tol = TOL): void {
  const first = gradcheck(fn, inputs, tol);
  expect(first.ok, first.message).toBe(true);
  const second = gradgradcheck(fn, inputs, tol);
  expect(second.ok, second.message).toBe(true);
}

// Seven of the pairs above, for the ops checked to second order.
const SOME_PAIRS: [Shape, Shape][] = [
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
  it.each(SOME_PAIRS)('maximum %j with %j', (sa, sb) => both((a, b) => maximum(a, b), operands(sa, sb, 80)));
  it.each(SOME_PAIRS)('minimum %j with %j', (sa, sb) => both((a, b) => minimum(a, b).mul(a), operands(sa, sb, 81)));
  it.each(SOME_PAIRS)('where(cond [3, 1] or [4], a %j, b %j)', (sa, sb) => {
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
  // Titled by every argument (%j would print only the first, and two specs start with null).
  it.each(SPECS.map((specs) => [JSON.stringify(specs).slice(1, -1), specs] as const))('slice(%s) of [3, 4, 5]', (_title, specs) =>
    both((t) => t.slice(...specs).square(), [x()]));
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

/** y = x², with a backward that is told what to claim as the derivative. */
function square(x: Tensor, derivative: (v: number, i: number) => number): Tensor {
  const op = defineOp({
    name: 'square',
    forward: (out, v) => v.forEach((e, i) => (out[i] = e * e)),
    grads: [(g, [t]) => g.mul(Tensor.from(t.data.map(derivative), [...t.shape]))],
  });
  return op(x);
}

describe('gradcheck catches wrong gradients', () => {
  it('passes the custom op with the right derivative 2x', () => {
    check((x) => square(x, (v) => 2 * v), [input([3, 4], -1, 1, 60)]);
  });

  it('fails on 3x instead of 2x and reports input, element and both values', () => {
    const x = signed([3, 4], 0.2, 1, 61);
    const r = gradcheck((t) => square(t, (v) => 3 * v), [x], TOL);
    expect(r.ok).toBe(false);
    const w = r.worst!;
    expect(w.input).toBe(0);
    expect(w.index).toBeGreaterThanOrEqual(0);
    expect(w.index).toBeLessThan(12);
    // whatever the output weight at that element, analytic = 3x·w and numeric = 2x·w
    expect(w.analytic / w.numeric).toBeCloseTo(1.5, 6);
    expect(Math.abs(w.numeric)).toBeGreaterThan(0.1);
    expect(r.maxError).toBeGreaterThan(0.05);
    expect(r.message).toMatch(/FAILED/);
    expect(r.message).toContain(`input 0, element ${w.index}`);
    expect(r.message).toContain(`analytic ${w.analytic}`);
    expect(r.message).toContain(`numeric ${w.numeric}`);
  });

  it('pinpoints the one wrong element of the second input', () => {
    const a = input([2, 3], -1, 1, 62), b = signed([2, 3], 0.5, 1.5, 63);
    const r = gradcheck((x, y) => x.add(square(y, (v, i) => (i === 4 ? 2 * v + 1e-3 : 2 * v))), [a, b], TOL);
    expect(r.ok).toBe(false);
    expect(r.worst!.input).toBe(1);
    expect(r.worst!.index).toBe(4);
    expect(r.message).toMatch(/input 1, element 4: analytic -?\d.*numeric -?\d/);
  });

  it('honours the tolerance: a 1e-4 relative error fails at rtol 1e-6 and passes at rtol 1e-3', () => {
    const x = signed([5], 0.5, 1.5, 64);
    const slightlyOff = (t: Tensor): Tensor => square(t, (v) => 2 * v * (1 + 1e-4));
    expect(gradcheck(slightlyOff, [x], TOL).ok).toBe(false);
    expect(gradcheck(slightlyOff, [x], { ...TOL, rtol: 1e-3 }).ok).toBe(true);
  });

  it('fails on a forgotten gradient and on a NaN gradient', () => {
    const x = input([4], 0.5, 1, 65);
    const forgot = gradcheck((t) => square(t, () => 0), [x], TOL);
    expect(forgot.ok).toBe(false);
    expect(forgot.worst!.analytic).toBe(0);
    const nan = gradcheck((t) => square(t, (v, i) => (i === 2 ? NaN : 2 * v)), [x], TOL);
    expect(nan.ok).toBe(false);
    expect(nan.worst!.index).toBe(2);
    expect(nan.message).toContain('analytic NaN');
  });

  it('leaves the inputs as it found them: values and existing gradients', () => {
    const x = input([3], -1, 1, 66);
    const before = Float64Array.from(x.data);
    x.mul(5).sum().backward();
    const grad = x.grad;
    expect(gradcheck((t) => t.exp(), [x], TOL).ok).toBe(true);
    expect(x.data).toEqual(before);
    expect(x.grad).toBe(grad);
    expect(Array.from(x.grad!.data)).toEqual([5, 5, 5]);
  });
});

describe('gradcheck inputs', () => {
  it('reports, rather than throws, when no input requires grad', () => {
    const r = gradcheck((a) => a.sigmoid(), [Tensor.from(new Float64Array([0.3]), [1])]);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/no input requires grad/);
  });
  it('refuses a non-leaf input, whose perturbation would not reach the graph', () => {
    const x = Tensor.from(new Float64Array([0.3, 0.4]), [2], { requiresGrad: true });
    expect(() => gradcheck((a) => a.exp(), [x.mul(2)])).toThrow(/gradcheck: input 0 \(shape \[2\]\) is not a leaf/);
  });
});

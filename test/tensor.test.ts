// Forward values of the tensor core, checked against literals and plain-JS loops written here
// (never against the engine itself): creation, broadcasting, reductions, matmul, movement, printing.
import { describe, expect, it } from 'vitest';
import { arange, full, manualSeed, ones, rand, randn, RandomState, Tensor, tensor, zeros } from '../src/index.ts';
import { expectClose } from './expect-close.ts';

/** |got − want| ≤ 1e-12·(1 + |want|) elementwise. */
const TOL = { rtol: 1e-12, atol: 1e-12 };

/** Row-major multi-index → flat offset, for reading a plain array of `shape` in the test's own loops. */
function offset(shape: number[], idx: number[]): number {
  let off = 0;
  for (let d = 0; d < shape.length; d++) off = off * shape[d] + idx[d];
  return off;
}

const values = (n: number, seed: number): number[] => Array.from(new RandomState(seed).uniform(-2, 2, [n]));

describe('tensor() and the creation functions', () => {
  it('tensor() infers the shape of nested arrays and copies the values row-major', () => {
    const src = [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]];
    const t = tensor(src);
    expect(t.shape).toEqual([2, 2, 3]);
    expect(t.ndim).toBe(3);
    expect(t.size).toBe(12);
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    src[0][0][0] = 100; // a copy: the source array no longer matters
    expect(t.data[0]).toBe(1);
    expect(t.requiresGrad).toBe(false);
    expect(t.isLeaf).toBe(true);
  });

  it('a number becomes a 0-d tensor', () => {
    const t = tensor(2.5);
    expect(t.shape).toEqual([]);
    expect(t.ndim).toBe(0);
    expect(t.size).toBe(1);
    expect(t.item()).toBe(2.5);
    expect(t.toArray()).toBe(2.5);
  });

  it('empty arrays give zero-size dims', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([[], []]).size).toBe(0);
  });

  it('requiresGrad is an option', () => {
    expect(tensor([1, 2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('zeros, ones, full', () => {
    const z = zeros([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(ones([3]).data)).toEqual([1, 1, 1]);
    const f = full([2, 1, 2], -1.5);
    expect(f.shape).toEqual([2, 1, 2]);
    expect(Array.from(f.data)).toEqual([-1.5, -1.5, -1.5, -1.5]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).size).toBe(1);
    expect(ones([4, 0]).size).toBe(0);
  });

  it('the shape passed to a creation function is copied', () => {
    const shape = [2, 2];
    const t = zeros(shape);
    shape[0] = 5;
    expect(t.shape).toEqual([2, 2]);
  });

  it('arange follows NumPy: stop only, start/stop, fractional and negative steps, empty', () => {
    expect(Array.from(arange(5).data)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(arange(2, 5).data)).toEqual([2, 3, 4]);
    expect(Array.from(arange(0, 1, 0.25).data)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(Array.from(arange(5, 0, -2).data)).toEqual([5, 3, 1]);
    expect(arange(3, 3).shape).toEqual([0]);
    expect(arange(3, 1).shape).toEqual([0]);
    expect(arange(4).shape).toEqual([4]);
  });

  it('rand draws NumPy random_sample values from the given generator', () => {
    // np.random.seed(1); np.random.random((3, 4))
    const t = rand([3, 4], { rng: new RandomState(1) });
    expect(t.shape).toEqual([3, 4]);
    expect(Array.from(t.data)).toEqual([
      0.417022004702574, 0.7203244934421581, 0.00011437481734488664, 0.30233257263183977,
      0.14675589081711304, 0.0923385947687978, 0.1862602113776709, 0.34556072704304774,
      0.39676747423066994, 0.538816734003357, 0.4191945144032948, 0.6852195003967595,
    ]);
  });

  it('randn draws NumPy legacy normals from the given generator', () => {
    // np.random.seed(1); np.random.randn(2, 3)
    const t = randn([2, 3], { rng: new RandomState(1), requiresGrad: true });
    expect(t.shape).toEqual([2, 3]);
    expect(t.requiresGrad).toBe(true);
    expect(Array.from(t.data)).toEqual([
      1.6243453636632417, -0.6117564136500754, -0.5281717522634557,
      -1.0729686221561705, 0.8654076293246785, -2.3015386968802827,
    ]);
  });

  it('manualSeed makes the global generator reproducible', () => {
    manualSeed(1);
    expect(rand([2]).data[0]).toBe(0.417022004702574); // the same stream as RandomState(1)
    manualSeed(123);
    const a = rand([2, 5]), b = randn([7]);
    manualSeed(123);
    expect(rand([2, 5]).data).toEqual(a.data);
    expect(randn([7]).data).toEqual(b.data);
    manualSeed(124);
    expect(rand([2, 5]).data).not.toEqual(a.data);
    // draws continue the stream rather than restarting it
    manualSeed(5);
    const first = rand([3]), second = rand([3]);
    expect(second.data).not.toEqual(first.data);
  });

  it('rand values lie in [0, 1)', () => {
    const t = rand([1000], { rng: new RandomState(3) });
    expect(t.data.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('Tensor.from wraps the buffer without copying and copies the shape', () => {
    const buf = new Float64Array([1, 2, 3, 4, 5, 6]);
    const shape = [2, 3];
    const t = Tensor.from(buf, shape, { requiresGrad: true });
    expect(t.data).toBe(buf);
    expect(t.requiresGrad).toBe(true);
    buf[4] = 50;
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 50, 6]]);
    shape[0] = 3;
    expect(t.shape).toEqual([2, 3]);
    expect(Tensor.from(new Float64Array([7]), []).item()).toBe(7);
  });
});

describe('toArray, item, toString', () => {
  it('toArray nests by shape', () => {
    expect(tensor([1, 2, 3]).toArray()).toEqual([1, 2, 3]);
    expect(Tensor.from(new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(Tensor.from(new Float64Array([1, 2, 3, 4]), [2, 1, 2]).toArray()).toEqual([[[1, 2]], [[3, 4]]]);
    expect(zeros([2, 0]).toArray()).toEqual([[], []]);
    expect(zeros([1, 1, 1]).toArray()).toEqual([[[0]]]);
  });

  it('item returns the single value, whatever the number of dims', () => {
    expect(tensor([[[-3.25]]]).item()).toBe(-3.25);
    expect(tensor([4]).item()).toBe(4);
  });

  it('toString of integers, aligned like PyTorch', () => {
    expect(tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1, 2],\n        [3, 4]])');
    expect(tensor([1, -20, 300]).toString()).toBe('tensor([  1, -20, 300])');
    expect(tensor(3).toString()).toBe('tensor(3)');
  });

  it('toString of fractions uses fixed decimals, and exponents for tiny or huge values', () => {
    expect(tensor([0.5, -1.25]).toString()).toBe('tensor([ 0.5000, -1.2500])');
    const s = tensor([1e-7, 2]).toString();
    expect(s).toContain('1.0000e-7');
    expect(s).toContain('2.0000e+0');
  });

  it('toString of 3-D tensors separates blocks with a blank line', () => {
    const s = tensor([[[1, 2]], [[3, 4]]]).toString();
    expect(s).toBe('tensor([[[1, 2]],\n\n        [[3, 4]]])');
  });

  it('toString elides long dims with "..." and keeps the first and last three entries', () => {
    expect(Tensor.from(new Float64Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [10]).toString())
      .toBe('tensor([0, 1, 2, ..., 7, 8, 9])');
    const big = Tensor.from(new Float64Array(Array.from({ length: 100 }, (_, i) => i)), [10, 10]).toString();
    const lines = big.split('\n');
    expect(lines).toHaveLength(7); // 3 rows, the "..." row, 3 rows
    expect(lines[0]).toBe('tensor([[ 0,  1,  2, ...,  7,  8,  9],');
    expect(lines[3].trim()).toBe('...,');
    expect(lines[6]).toBe('        [90, 91, 92, ..., 97, 98, 99]])');
    expect(big).not.toContain('50');
    // a dim of exactly 6 is shown in full
    expect(zeros([6]).toString()).toBe('tensor([0, 0, 0, 0, 0, 0])');
  });

  it('toString shows non-finite values and mentions autograd state', () => {
    expect(tensor([NaN, Infinity, 1]).toString()).toBe('tensor([     NaN, Infinity,        1])');
    expect(tensor([1, 2], { requiresGrad: true }).toString()).toBe('tensor([1, 2], requiresGrad=true)');
    expect(tensor([1, 2], { requiresGrad: true }).mul(2).toString()).toBe('tensor([2, 4], gradFn=mul)');
  });
});

describe('elementwise ops with NumPy broadcasting', () => {
  const m = tensor([[1, 2, 3], [4, 5, 6]]);

  it('same shapes', () => {
    const b = tensor([[6, 5, 4], [3, 2, 1]]);
    expect(m.add(b).toArray()).toEqual([[7, 7, 7], [7, 7, 7]]);
    expect(m.sub(b).toArray()).toEqual([[-5, -3, -1], [1, 3, 5]]);
    expect(m.mul(b).toArray()).toEqual([[6, 10, 12], [12, 10, 6]]);
    expect(m.div(b).toArray()).toEqual([[1 / 6, 2 / 5, 3 / 4], [4 / 3, 5 / 2, 6]]);
    expect(m.pow(b).toArray()).toEqual([[1, 32, 81], [64, 25, 6]]);
  });

  it('a plain number and a 0-d tensor broadcast everywhere, on either side', () => {
    expect(m.add(10).toArray()).toEqual([[11, 12, 13], [14, 15, 16]]);
    expect(m.sub(tensor(1)).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(tensor(1).sub(m).toArray()).toEqual([[0, -1, -2], [-3, -4, -5]]);
    expect(m.pow(2).toArray()).toEqual([[1, 4, 9], [16, 25, 36]]);
    expect(tensor(2).pow(m).toArray()).toEqual([[2, 4, 8], [16, 32, 64]]);
    expect(tensor(12).div(m).toArray()).toEqual([[12, 6, 4], [3, 12 / 5, 2]]);
    const s = tensor(2).mul(tensor(3));
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(6);
  });

  it('a row ([3] or [1, 3]) and a column ([2, 1]) against a matrix', () => {
    expect(m.add(tensor([10, 20, 30])).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(tensor([[10, 20, 30]]).sub(m).toArray()).toEqual([[9, 18, 27], [6, 15, 24]]);
    expect(m.mul(tensor([[2], [-1]])).toArray()).toEqual([[2, 4, 6], [-4, -5, -6]]);
    expect(tensor([[6], [60]]).div(m).toArray()).toEqual([[6, 3, 2], [15, 12, 10]]);
  });

  it('a column and a row make an outer table', () => {
    const t = tensor([[1], [2]]).add(tensor([10, 20, 30]));
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
  });

  it('3-D: [2, 1, 3] with [4, 1] gives [2, 4, 3], checked against a plain loop', () => {
    const av = values(6, 1), bv = values(4, 2);
    const a = Tensor.from(new Float64Array(av), [2, 1, 3]), b = Tensor.from(new Float64Array(bv), [4, 1]);
    const ops: [string, (x: Tensor, y: Tensor) => Tensor, (p: number, q: number) => number][] = [
      ['add', (x, y) => x.add(y), (p, q) => p + q],
      ['sub', (x, y) => x.sub(y), (p, q) => p - q],
      ['mul', (x, y) => x.mul(y), (p, q) => p * q],
      ['div', (x, y) => x.div(y), (p, q) => p / q],
      ['pow', (x, y) => x.abs().pow(y), (p, q) => Math.abs(p) ** q],
    ];
    for (const [name, op, f] of ops) {
      const want: number[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) want.push(f(av[i * 3 + k], bv[j]));
      const got = op(a, b);
      expect(got.shape, name).toEqual([2, 4, 3]);
      expectClose(got.data, want, TOL);
      // and the other way round: [4, 1] op [2, 1, 3]
      const back = op(b, a), wantBack: number[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) wantBack.push(f(bv[j], av[i * 3 + k]));
      expect(back.shape, name).toEqual([2, 4, 3]);
      expectClose(back.data, wantBack, TOL);
    }
  });

  it('4-D: [3, 1, 4, 1] with [5, 4, 2] gives [3, 5, 4, 2], checked against a plain loop', () => {
    const av = values(12, 3), bv = values(40, 4);
    const got = Tensor.from(new Float64Array(av), [3, 1, 4, 1]).mul(Tensor.from(new Float64Array(bv), [5, 4, 2]));
    expect(got.shape).toEqual([3, 5, 4, 2]);
    const want: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) for (let k = 0; k < 4; k++) for (let l = 0; l < 2; l++) {
      want.push(av[offset([3, 1, 4, 1], [i, 0, k, 0])] * bv[offset([5, 4, 2], [j, k, l])]);
    }
    expectClose(got.data, want, TOL);
  });

  it('a size-0 dim broadcasts against 1 and gives an empty result', () => {
    const t = zeros([0, 3]).add(tensor([1, 2, 3]));
    expect(t.shape).toEqual([0, 3]);
    expect(t.size).toBe(0);
  });
});

describe('unary ops', () => {
  const xs = [-3, -1.5, -0.25, 0.5, 2, 4];
  const x = tensor(xs);

  it('neg, exp, tanh, abs, relu match Math', () => {
    expect(Array.from(x.neg().data)).toEqual(xs.map((v) => -v));
    expectClose(x.exp().data, xs.map(Math.exp), TOL);
    expectClose(x.tanh().data, xs.map(Math.tanh), TOL);
    expect(Array.from(x.abs().data)).toEqual([3, 1.5, 0.25, 0.5, 2, 4]);
    expect(Array.from(x.relu().data)).toEqual([0, 0, 0, 0.5, 2, 4]);
  });

  it('log of positive values, and -Infinity/NaN outside the domain', () => {
    expectClose(tensor([0.5, 1, Math.E, 10]).log().data, [Math.log(0.5), 0, 1, Math.log(10)], TOL);
    const edge = tensor([0, -1]).log();
    expect(edge.data[0]).toBe(-Infinity);
    expect(edge.data[1]).toBeNaN();
  });

  it('sigmoid is 1 / (1 + e^−x)', () => {
    expectClose(x.sigmoid().data, xs.map((v) => 1 / (1 + Math.exp(-v))), { rtol: 1e-15, atol: 1e-15 });
    expect(tensor(0).sigmoid().item()).toBe(0.5);
  });

  it('sigmoid is finite and saturates cleanly at ±1000 and ±1e308 and ±Infinity', () => {
    const s = tensor([-1e308, -1000, -Infinity, 1000, 1e308, Infinity]).sigmoid();
    expect(Array.from(s.data)).toEqual([0, 0, 0, 1, 1, 1]);
    // still accurate in the far tail where 1 + e^x rounds to 1
    expect(tensor(-40).sigmoid().item() / Math.exp(-40)).toBeCloseTo(1, 12);
  });

  it('clamp limits to [min, max]; one side may be left open', () => {
    expect(Array.from(x.clamp(-1, 1).data)).toEqual([-1, -1, -0.25, 0.5, 1, 1]);
    expect(Array.from(x.clamp(0).data)).toEqual([0, 0, 0, 0.5, 2, 4]);
    expect(Array.from(x.clamp(undefined, 0).data)).toEqual([-3, -1.5, -0.25, 0, 0, 0]);
    expect(Array.from(x.clamp(2, 2).data)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('unary ops keep the shape', () => {
    const t = zeros([2, 1, 3]);
    for (const y of [t.neg(), t.exp(), t.sigmoid(), t.tanh(), t.relu(), t.abs(), t.clamp(-1, 1)]) expect(y.shape).toEqual([2, 1, 3]);
    expect(tensor(-2).abs().shape).toEqual([]);
  });
});

describe('reductions', () => {
  // x[i][j][k] = 100 i + 10 j + k, shape [2, 3, 4]: every sum is easy to write by hand
  const xv: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) xv.push(100 * i + 10 * j + k);
  const x = Tensor.from(new Float64Array(xv), [2, 3, 4]);

  it('sum of everything is 0-d', () => {
    const s = x.sum();
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(xv.reduce((p, v) => p + v, 0));
    expect(x.sum(undefined, true).shape).toEqual([1, 1, 1]);
    expect(x.sum(undefined, true).item()).toBe(s.item());
  });

  it('sum over one axis, positive and negative, with and without keepdim', () => {
    // over i: 100·1 + 2·(10 j + k)
    const over0 = [[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]].map((r) => r.map((v) => 100 + 2 * v));
    expect(x.sum(0).toArray()).toEqual(over0);
    expect(x.sum(-3).toArray()).toEqual(over0);
    expect(x.sum(0, true).shape).toEqual([1, 3, 4]);
    expect(x.sum(0, true).toArray()).toEqual([over0]);
    // over j: 3·100 i + 30 + 3 k
    const over1 = [0, 1].map((i) => [0, 1, 2, 3].map((k) => 300 * i + 30 + 3 * k));
    expect(x.sum(1).toArray()).toEqual(over1);
    expect(x.sum(-2, true).toArray()).toEqual(over1.map((r) => [r]));
    // over k: 4·(100 i + 10 j) + 6
    const over2 = [0, 1].map((i) => [0, 1, 2].map((j) => 400 * i + 40 * j + 6));
    expect(x.sum(2).toArray()).toEqual(over2);
    expect(x.sum(-1, true).shape).toEqual([2, 3, 1]);
    expect(x.sum(-1, true).toArray()).toEqual(over2.map((r) => r.map((v) => [v])));
  });

  it('sum over several axes, in any order and sign', () => {
    // over i and k: Σ_i Σ_k (100 i + 10 j + k) = 400 + 80 j + 12
    const want = [0, 1, 2].map((j) => 412 + 80 * j);
    expect(x.sum([0, 2]).toArray()).toEqual(want);
    expect(x.sum([2, 0]).toArray()).toEqual(want);
    expect(x.sum([-1, 0], true).shape).toEqual([1, 3, 1]);
    expect(x.sum([-1, 0], true).toArray()).toEqual([want.map((v) => [v])]);
    expect(x.sum([0, 1, 2]).shape).toEqual([]);
    expect(x.sum([0, 1, 2]).item()).toBe(x.sum().item());
  });

  it('sum over an empty list of axes reduces nothing (NumPy axis=())', () => {
    expect(x.sum([]).toArray()).toEqual(x.toArray());
  });

  it('dims of size 1 that are not reduced stay', () => {
    const t = Tensor.from(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 1, 3]);
    expect(t.sum(0).shape).toEqual([1, 3]);
    expect(t.sum(0).toArray()).toEqual([[5, 7, 9]]);
    expect(t.mean(-1).toArray()).toEqual([[2], [5]]);
    expect(t.max(2).toArray()).toEqual([[3], [6]]);
    expect(t.sum(1).shape).toEqual([2, 3]);
  });

  it('sum of a 0-d and of an empty tensor', () => {
    expect(tensor(5).sum().item()).toBe(5);
    expect(zeros([0, 3]).sum().item()).toBe(0);
    expect(Array.from(zeros([0, 3]).sum(0).data)).toEqual([0, 0, 0]);
  });

  it('mean divides by the number of reduced elements', () => {
    expect(x.mean().item()).toBe(xv.reduce((p, v) => p + v, 0) / 24);
    expect(x.mean(1).toArray()).toEqual([0, 1].map((i) => [0, 1, 2, 3].map((k) => 100 * i + 10 + k)));
    expect(x.mean([0, -1]).toArray()).toEqual([0, 1, 2].map((j) => (412 + 80 * j) / 8));
    expect(x.mean(2, true).shape).toEqual([2, 3, 1]);
    expect(x.mean(2, true).toArray()).toEqual([0, 1].map((i) => [0, 1, 2].map((j) => [100 * i + 10 * j + 1.5])));
  });

  it('max over everything, one axis, negative axis, keepdim', () => {
    const t = tensor([[3, -1, 7], [9, 2, -5]]);
    expect(t.max().shape).toEqual([]);
    expect(t.max().item()).toBe(9);
    expect(t.max(undefined, true).shape).toEqual([1, 1]);
    expect(t.max(0).toArray()).toEqual([9, 2, 7]);
    expect(t.max(1).toArray()).toEqual([7, 9]);
    expect(t.max(-1, true).toArray()).toEqual([[7], [9]]);
    expect(t.max(-2, true).toArray()).toEqual([[9, 2, 7]]);
    expect(tensor([-4, -2, -8]).max().item()).toBe(-2);
  });

  it('max over the middle axis of a 3-D tensor matches a plain loop', () => {
    const v = values(60, 9);
    const t = Tensor.from(new Float64Array(v), [3, 4, 5]);
    const want: number[] = [];
    for (let i = 0; i < 3; i++) for (let k = 0; k < 5; k++) {
      let best = -Infinity;
      for (let j = 0; j < 4; j++) best = Math.max(best, v[offset([3, 4, 5], [i, j, k])]);
      want.push(best);
    }
    expect(t.max(1).shape).toEqual([3, 5]);
    expect(Array.from(t.max(1).data)).toEqual(want);
    expect(t.max(1, true).shape).toEqual([3, 1, 5]);
    expect(t.max().item()).toBe(Math.max(...v));
  });

  it('max propagates NaN, as NumPy and PyTorch do', () => {
    expect(tensor([1, NaN, 3]).max().item()).toBeNaN();
    expect(tensor([NaN, 1, 3]).max().item()).toBeNaN();
    const rows = tensor([[1, 2], [NaN, 0]]).max(1);
    expect(rows.data[0]).toBe(2);
    expect(rows.data[1]).toBeNaN();
  });
});

/** Batched matmul by the definition: every batch index of the output reads the broadcast batch index of each operand. */
function naiveMatmul(a: number[], as: number[], b: number[], bs: number[]): { shape: number[]; data: number[] } {
  const M = as[as.length - 2], K = as[as.length - 1], N = bs[bs.length - 1];
  const ab = as.slice(0, -2), bb = bs.slice(0, -2), nb = Math.max(ab.length, bb.length);
  const pa = [...Array(nb - ab.length).fill(1), ...ab], pb = [...Array(nb - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const data: number[] = [];
  const count = batch.reduce((p, d) => p * d, 1);
  for (let n = 0; n < count; n++) {
    const idx: number[] = [];
    for (let d = batch.length - 1, r = n; d >= 0; d--) { idx.unshift(r % batch[d]); r = Math.floor(r / batch[d]); }
    const oa = offset(pa, idx.map((v, d) => (pa[d] === 1 ? 0 : v))) * M * K;
    const ob = offset(pb, idx.map((v, d) => (pb[d] === 1 ? 0 : v))) * K * N;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[oa + i * K + k] * b[ob + k * N + j];
      data.push(s);
    }
  }
  return { shape: [...batch, M, N], data };
}

describe('matmul', () => {
  it('2-D literal', () => {
    expect(tensor([[1, 2], [3, 4]]).matmul(tensor([[5, 6], [7, 8]])).toArray()).toEqual([[19, 22], [43, 50]]);
    expect(tensor([[1, 2, 3]]).matmul(tensor([[1], [10], [100]])).toArray()).toEqual([[321]]);
    expect(tensor([[1], [2]]).matmul(tensor([[3, 4]])).toArray()).toEqual([[3, 4], [6, 8]]);
  });

  it.each([
    [[1, 1], [1, 1]],
    [[3, 4], [4, 5]],
    [[7, 13], [13, 9]],
    [[17, 300], [300, 11]], // K beyond one cache block
    [[64, 40], [40, 33]],
  ])('2-D %j @ %j matches a triple loop', (as, bs) => {
    const av = values(as[0] * as[1], 11), bv = values(bs[0] * bs[1], 12);
    const want = naiveMatmul(av, as, bv, bs);
    const got = Tensor.from(new Float64Array(av), as).matmul(Tensor.from(new Float64Array(bv), bs));
    expect(got.shape).toEqual(want.shape);
    expectClose(got.data, want.data, TOL);
  });

  it.each([
    [[2, 3, 4], [4, 5]],
    [[3, 4], [2, 4, 5]],
    [[2, 1, 3, 4], [3, 4, 2]],
    [[2, 3, 4], [2, 4, 5]],
    [[1, 5, 6], [3, 6, 2]],
    [[4, 1, 2, 3], [1, 5, 3, 2]],
  ])('batched %j @ %j matches a loop over broadcast batch indices', (as, bs) => {
    const av = values(as.reduce((p, d) => p * d, 1), 21), bv = values(bs.reduce((p, d) => p * d, 1), 22);
    const want = naiveMatmul(av, as, bv, bs);
    const got = Tensor.from(new Float64Array(av), as).matmul(Tensor.from(new Float64Array(bv), bs));
    expect(got.shape).toEqual(want.shape);
    expectClose(got.data, want.data, TOL);
  });

  it('batched shapes follow NumPy matmul', () => {
    expect(zeros([2, 3, 4]).matmul(zeros([4, 5])).shape).toEqual([2, 3, 5]);
    expect(zeros([3, 4]).matmul(zeros([2, 4, 5])).shape).toEqual([2, 3, 5]);
    expect(zeros([2, 1, 3, 4]).matmul(zeros([3, 4, 2])).shape).toEqual([2, 3, 3, 2]);
  });

  it('an empty inner dimension gives zeros', () => {
    const t = zeros([2, 0]).matmul(zeros([0, 3]));
    expect(t.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });
});

describe('movement: reshape, permute, transpose', () => {
  it('reshape keeps row-major order, accepts one -1 and an array', () => {
    const x = arange(6);
    expect(x.reshape(2, 3).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(x.reshape([3, 2]).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(x.reshape(-1, 2).shape).toEqual([3, 2]);
    expect(x.reshape(3, -1).shape).toEqual([3, 2]);
    expect(x.reshape(1, -1, 1).shape).toEqual([1, 6, 1]);
    expect(tensor([[7]]).reshape([]).shape).toEqual([]);
    expect(tensor(7).reshape(1, 1).toArray()).toEqual([[7]]);
    expect(zeros([0, 4]).reshape(-1).shape).toEqual([0]);
  });

  it('reshape shares the buffer (a view); permute and transpose copy', () => {
    const x = arange(6);
    const r = x.reshape(2, 3), p = r.permute(1, 0), t = r.T;
    expect(r.data).toBe(x.data);
    x.data[1] = 100;
    expect(r.toArray()).toEqual([[0, 100, 2], [3, 4, 5]]);
    expect(p.data).not.toBe(r.data);
    expect(p.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(t.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it('transpose and T swap the two axes of a matrix', () => {
    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(m.transpose().toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(m.T.shape).toEqual([3, 2]);
    expect(m.T.T.toArray()).toEqual(m.toArray());
  });

  it.each([
    [[2, 0, 1]],
    [[1, 2, 0]],
    [[0, 2, 1]],
    [[2, 1, 0]],
    [[-1, 0, -2]],
    [[0, 1, 2]],
  ])('permute %j of a [2, 3, 4] tensor moves element (i, j, k) to its new place', (perm) => {
    const shape = [2, 3, 4];
    const v = values(24, 31);
    const p = perm.map((d) => (d < 0 ? d + 3 : d));
    const y = Tensor.from(new Float64Array(v), shape).permute(perm);
    expect(y.shape).toEqual(p.map((d) => shape[d]));
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) {
      const src = [i, j, k];
      expect(y.data[offset(y.shape as number[], p.map((d) => src[d]))]).toBe(v[offset(shape, src)]);
    }
  });

  it('permute takes its dims as arguments or as one array', () => {
    const x = arange(24).reshape(2, 3, 4);
    expect(x.permute(2, 0, 1).toArray()).toEqual(x.permute([2, 0, 1]).toArray());
    expect(tensor(3).permute().item()).toBe(3);
  });
});

describe('number operands', () => {
  it('keep the sign of zero (0 and −0 are different constants)', () => {
    expect(tensor([1]).div(0).item()).toBe(Infinity);
    expect(tensor([1]).div(-0).item()).toBe(-Infinity);
    expect(tensor([1]).div(0).item()).toBe(Infinity);
  });
  it('are not changed by the ops that use them', () => {
    const x = tensor([2], { requiresGrad: true });
    x.mul(3).add(3).sum().backward();
    expect(tensor([1]).mul(3).item()).toBe(3);
    expect(x.grad!.item()).toBe(3);
  });
});

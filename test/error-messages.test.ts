// Misuse fails loudly: each error names the op and the shapes or values involved.
import { describe, expect, it } from 'vitest';
import { arange, full, maximum, ones, rand, randn, RandomState, squaredError, Tensor, tensor, zeros } from '../src/index.ts';

const m23 = (): Tensor => zeros([2, 3]);

describe('broadcasting mismatches in elementwise ops', () => {
  it.each([
    ['add', (a: Tensor, b: Tensor) => a.add(b)],
    ['sub', (a: Tensor, b: Tensor) => a.sub(b)],
    ['mul', (a: Tensor, b: Tensor) => a.mul(b)],
    ['div', (a: Tensor, b: Tensor) => a.div(b)],
    ['pow', (a: Tensor, b: Tensor) => a.pow(b)],
  ])('%s names itself and both shapes', (name, f) => {
    expect(() => f(m23(), zeros([4]))).toThrow(new RegExp(`^${name}\\b.*\\[2, 3\\].*\\[4\\]`));
    expect(() => f(zeros([2, 1, 3]), zeros([2, 4]))).toThrow(new RegExp(`^${name}\\b.*\\[2, 1, 3\\].*\\[2, 4\\].*3 vs 4`));
    expect(() => f(zeros([3, 1]), zeros([2, 1]))).toThrow(new RegExp(`^${name}\\b.*\\[3, 1\\].*\\[2, 1\\].*cannot be broadcast`));
  });

  it('a zero-size dim does not broadcast against 2', () => {
    expect(() => zeros([0]).add(zeros([2]))).toThrow(/add.*\[0\].*\[2\]/);
  });
});

describe('the binary ops', () => {
  it('the public functions take two operands: a third argument is not passed on', () => {
    const a = tensor([1, 2]), b = tensor([3, 0]), c = tensor([0, 0]);
    expect((maximum as (...xs: unknown[]) => Tensor)(a, b, c).toArray()).toEqual([3, 2]);
    expect((squaredError as (...xs: unknown[]) => Tensor)(a, b, c).toArray()).toEqual([4, 4]);
    expect(Array.from(c.data)).toEqual([0, 0]);
  });
});

describe('matmul', () => {
  it('inner dimensions must agree', () => {
    expect(() => m23().matmul(zeros([4, 5]))).toThrow(/matmul.*\[2, 3\] @ \[4, 5\].*3 vs 4/);
    expect(() => zeros([7, 2, 3]).matmul(zeros([2, 3]))).toThrow(/matmul.*inner.*\[7, 2, 3\] @ \[2, 3\]/);
  });

  it('both operands need at least 2 dims', () => {
    expect(() => zeros([3]).matmul(zeros([3, 5]))).toThrow(/matmul.*at least 2.*\[3\] @ \[3, 5\]/);
    expect(() => m23().matmul(zeros([3]))).toThrow(/matmul.*at least 2.*\[2, 3\] @ \[3\]/);
    expect(() => tensor(2).matmul(tensor(3))).toThrow(/matmul.*\[\] @ \[\]/);
  });

  it('batch dims must broadcast, and the error shows both operands', () => {
    expect(() => zeros([2, 3, 4]).matmul(zeros([3, 4, 5]))).toThrow(/^matmul: batch dims of \[2, 3, 4\] @ \[3, 4, 5\]: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => zeros([2, 3, 3, 4]).matmul(zeros([5, 4, 2]))).toThrow(/^matmul: batch dims of \[2, 3, 3, 4\] @ \[5, 4, 2\]: shapes \[2, 3\] and \[5\].*3 vs 5/);
    expect(zeros([2, 1, 3, 4]).matmul(zeros([5, 4, 2])).shape).toEqual([2, 5, 3, 2]); // while [2, 1] and [5] do broadcast
  });
});

describe('Tensor.from', () => {
  it('the length must match the shape', () => {
    expect(() => Tensor.from(new Float64Array(5), [2, 3])).toThrow(/Tensor\.from.*length 5.*\[2, 3\]/);
    expect(() => Tensor.from(new Float64Array(1), [0])).toThrow(/Tensor\.from.*length 1.*\[0\]/);
    expect(() => Tensor.from(new Float64Array(2), [-1, -2])).toThrow(/Tensor\.from.*\[-1, -2\]/);
  });

  it('the data must be a Float64Array', () => {
    expect(() => Tensor.from(new Float32Array(6) as unknown as Float64Array, [2, 3])).toThrow(/Tensor\.from.*Float64Array.*Float32Array/);
    expect(() => Tensor.from([1, 2] as unknown as Float64Array, [2])).toThrow(/Tensor\.from.*Float64Array.*Array/);
    expect(() => Tensor.from(null as unknown as Float64Array, [0])).toThrow(/Tensor\.from.*Float64Array/);
  });
});

describe('tensor()', () => {
  it('rejects ragged nested arrays, naming where', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor.*ragged.*expected 2 .*at \[1\].*\[2, 2\].*got 1/);
    expect(() => tensor([[[1], [2]], [[3]]])).toThrow(/tensor.*ragged.*at \[1\]/);
    expect(() => tensor([[1], 2])).toThrow(/tensor.*ragged.*at \[1\].*got number/);
    expect(() => tensor([1, [2]])).toThrow(/tensor.*number at \[1\].*an array/);
  });

  it('rejects leaves that are not numbers', () => {
    expect(() => tensor([1, 'a'] as unknown as number[])).toThrow(/tensor.*number at \[1\].*string/);
    expect(() => tensor([[1, 2], [3, null]] as unknown as number[][])).toThrow(/tensor.*number at \[1,1\].*null/);
    expect(() => tensor('3' as unknown as number)).toThrow(/tensor.*number at \[\].*string/);
  });
});

describe('backward()', () => {
  it('a non-scalar output needs a seed', () => {
    const y = zeros([2, 3], { requiresGrad: true }).mul(2);
    expect(() => y.backward()).toThrow(/backward.*\[2, 3\].*not a scalar.*seed/);
  });

  it('the seed must have the output shape', () => {
    const y = zeros([2, 3], { requiresGrad: true }).mul(2);
    expect(() => y.backward(zeros([3, 2]))).toThrow(/backward.*seed.*\[3, 2\].*output.*\[2, 3\]/);
    expect(() => y.backward(zeros([6]))).toThrow(/backward.*\[6\].*\[2, 3\]/);
    const s = zeros([2], { requiresGrad: true }).sum();
    expect(() => s.backward(zeros([1]))).toThrow(/backward.*seed.*\[1\].*\[\]/);
  });

  it('the output must require grad', () => {
    expect(() => zeros([2]).mul(2).sum().backward()).toThrow(/backward.*\[\].*does not require grad/);
    expect(() => tensor([[1]]).backward()).toThrow(/backward.*\[1, 1\].*does not require grad/);
  });
});

describe('item()', () => {
  it('needs exactly one element', () => {
    expect(() => m23().item()).toThrow(/item.*\[2, 3\].*6 elements/);
    expect(() => zeros([0]).item()).toThrow(/item.*\[0\].*0 elements/);
  });
});

describe('axes of sum, mean, max', () => {
  const x = zeros([2, 3]);
  it.each([
    ['sum', (a: number) => x.sum(a)],
    ['mean', (a: number) => x.mean(a)],
    ['max', (a: number) => x.max(a)],
  ])('%s: out of range, positive and negative, and not an integer', (name, f) => {
    expect(() => f(2)).toThrow(new RegExp(`^${name}: axis 2 .*out of range.*\\[2, 3\\]`));
    expect(() => f(-3)).toThrow(new RegExp(`^${name}: axis -3 .*out of range.*\\[2, 3\\]`));
    expect(() => f(0.5)).toThrow(new RegExp(`^${name}: axis 0.5 .*\\[2, 3\\]`));
  });

  it('an axis in a list is checked too', () => {
    expect(() => x.sum([0, 5])).toThrow(/sum: axis 5 .*\[2, 3\]/);
    expect(() => x.mean([-4])).toThrow(/mean: axis -4 .*\[2, 3\]/);
  });

  it('a 0-d tensor has no axis 0', () => {
    expect(() => tensor(1).sum(0)).toThrow(/sum: axis 0 .*\[\]/);
  });

  it('repeated axes, also when spelled differently', () => {
    expect(() => x.sum([1, 1])).toThrow(/sum: repeated axis.*\[1, 1\].*\[2, 3\]/);
    expect(() => x.sum([1, -1])).toThrow(/sum: repeated axis.*\[1, -1\].*\[2, 3\]/);
    expect(() => x.mean([0, -2], true)).toThrow(/mean: repeated axis.*\[0, -2\].*\[2, 3\]/);
  });

  it('max of an empty tensor', () => {
    expect(() => zeros([0, 3]).max()).toThrow(/max.*empty.*\[0, 3\]/);
  });
});

describe('reshape, permute, transpose', () => {
  it('reshape must keep the number of elements and have at most one -1', () => {
    expect(() => m23().reshape(4, 2)).toThrow(/reshape.*\[2, 3\].*6 elements.*\[4, 2\]/);
    expect(() => m23().reshape(4, -1)).toThrow(/reshape.*\[2, 3\].*\[4, -1\]/);
    expect(() => m23().reshape(-1, -1)).toThrow(/reshape.*\[2, 3\].*\[-1, -1\]/);
    expect(() => m23().reshape(-2, -3)).toThrow(/reshape.*\[2, 3\].*\[-2, -3\]/);
    expect(() => m23().reshape(1.5, 4)).toThrow(/reshape.*\[1.5, 4\]/);
    expect(() => zeros([0, 4]).reshape(0, -1)).toThrow(/reshape.*\[0, 4\].*\[0, -1\]/);
  });

  it('permute needs each axis exactly once', () => {
    const t = zeros([2, 3, 4]);
    expect(() => t.permute(0, 0, 1)).toThrow(/permute.*\[0, 0, 1\].*3 axes.*\[2, 3, 4\]/);
    expect(() => t.permute(0, 1)).toThrow(/permute.*\[0, 1\].*\[2, 3, 4\]/);
    expect(() => t.permute(0, 1, 2, 3)).toThrow(/permute.*\[0, 1, 2, 3\]/);
    expect(() => t.permute(0, 1, 3)).toThrow(/permute.*\[0, 1, 3\]/);
    expect(() => t.permute(0, 1, -4)).toThrow(/permute.*\[0, 1, -4\]/);
    expect(() => t.permute(0, 2, -1)).toThrow(/permute.*\[0, 2, -1\]/);
  });

  it('transpose (and T) are for matrices only', () => {
    expect(() => zeros([2, 3, 4]).transpose()).toThrow(/transpose.*2-D.*\[2, 3, 4\]/);
    expect(() => zeros([3]).T).toThrow(/transpose.*\[3\]/);
  });
});

describe('creation functions', () => {
  it.each([
    ['zeros', (s: number[]) => zeros(s)],
    ['ones', (s: number[]) => ones(s)],
    ['full', (s: number[]) => full(s, 1)],
    ['rand', (s: number[]) => rand(s, { rng: new RandomState(0) })],
    ['randn', (s: number[]) => randn(s, { rng: new RandomState(0) })],
  ])('%s rejects negative and non-integer dims', (name, f) => {
    expect(() => f([2, -1])).toThrow(new RegExp(`^${name}: invalid shape \\[2, -1\\]`));
    expect(() => f([2.5])).toThrow(new RegExp(`^${name}: invalid shape \\[2.5\\]`));
    expect(() => f([NaN])).toThrow(new RegExp(`^${name}: invalid shape \\[NaN\\]`));
  });

  it('arange rejects a zero step and non-finite bounds', () => {
    expect(() => arange(0, 5, 0)).toThrow(/arange.*\(0, 5, 0\)/);
    expect(() => arange(Infinity)).toThrow(/arange.*Infinity/);
  });

  it('RandomState rejects seeds that are not 32-bit unsigned integers', () => {
    expect(() => new RandomState(-1)).toThrow(/RandomState.*seed.*-1/);
    expect(() => new RandomState(1.5)).toThrow(/RandomState.*seed.*1\.5/);
    expect(() => new RandomState(2 ** 32)).toThrow(/RandomState.*seed.*4294967296/);
    expect(() => new RandomState(NaN)).toThrow(/RandomState.*seed.*NaN/);
  });
});

describe('clamp', () => {
  it('min above max, or a NaN bound', () => {
    expect(() => m23().clamp(2, 1)).toThrow(/clamp.*min 2.*max 1/);
    expect(() => m23().clamp(NaN, 1)).toThrow(/clamp.*NaN/);
    expect(() => m23().clamp(0, NaN)).toThrow(/clamp.*NaN/);
  });
});

describe('linear (nn.Linear with a bias)', () => {
  it('names the op and all three shapes when the input does not fit the weight', async () => {
    const { nn } = await import('../src/index.ts');
    const layer = new nn.Linear(3, 2, { rng: new RandomState(0) });
    expect(() => layer.call(zeros([4, 5]))).toThrow(/^linear: expects x \[\.\.\., K\], weight \[K, N\] and bias \[N\], got \[4, 5\], \[3, 2\], \[2\]/);
  });
});

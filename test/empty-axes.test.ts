// Issue 22, part 5: an empty list of axes reduces nothing, in every reduction that takes a list (sum, mean, max,
// min), as NumPy's `np.max(x, axis=())`: the input's values and shape, as a new tensor in the graph whose gradient
// passes straight through. max([]) and min([]) used to reduce everything into a tensor of the input's shape
// ([[6, 0, 0], [0, 0, 0]] for [[1, 2, 3], [4, 5, 6]]). argmax and argmin take one axis, and refuse a list.
import { describe, expect, it } from 'vitest';
import { compile, gradcheck, gradgradcheck, tensor, Tensor, zeros } from '../src/index.ts';

const reductions = ['sum', 'mean', 'max', 'min'] as const;
const values = [[1, 2, 3], [4, 5, 6]];

describe('an empty list of axes reduces nothing', () => {
  it.each(reductions)('%s([]) is the input: values and shape, with and without keepdim', (op) => {
    const x = tensor(values);
    for (const keepdim of [false, true]) {
      const y = x[op]([], keepdim);
      expect(y.shape).toEqual([2, 3]);
      expect(y.toArray()).toEqual(values);
      expect(y).not.toBe(x);
    }
  });

  it.each(reductions)('%s([]) is a new tensor of the graph, and writing to it leaves the input alone', (op) => {
    const x = tensor(values, { requiresGrad: true });
    const y = x[op]([]);
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn).not.toBeNull();
    y.data[0] = 100;
    expect(x.toArray()).toEqual(values);
  });

  it.each(reductions)('%s([]): the gradient passes through unchanged', (op) => {
    const x = tensor(values, { requiresGrad: true });
    const w = tensor([[1, -2, 3], [0.5, 5, -6]]);
    x[op]([]).mul(w).sum().backward();
    expect(x.grad!.toArray()).toEqual(w.toArray());
  });

  it.each(reductions)('%s([]) passes gradcheck and gradgradcheck', (op) => {
    const x = tensor([[0.3, -1.2, 2.5], [1.1, 0.7, -0.4]], { requiresGrad: true });
    const f = (t: Tensor): Tensor => t[op]([]).square();
    const first = gradcheck(f, [x]), second = gradgradcheck(f, [x]);
    expect(first.ok, first.message).toBe(true);
    expect(second.ok, second.message).toBe(true);
  });

  it.each(reductions)('%s([]) of a 0-d tensor and of an empty tensor', (op) => {
    expect(tensor(5)[op]([]).item()).toBe(5);
    expect(zeros([0, 3])[op]([]).shape).toEqual([0, 3]);
  });

  it('max([]) and min([]) replay in a compiled step', () => {
    const w = tensor(values, { requiresGrad: true });
    const step = compile((x: Tensor) => x.mul(w).max([]).add(x.min([])));
    for (let i = 0; i < 4; i++) expect(step(tensor([[1, 1, 1], [2, 2, 2]])).toArray()).toEqual([[2, 3, 4], [10, 12, 14]]);
  });

  it('a list with axes still reduces them, and a full reduction is unchanged', () => {
    const x = tensor(values);
    expect(x.max([1]).toArray()).toEqual([3, 6]);
    expect(x.min([0, 1]).item()).toBe(1);
    expect(x.max().item()).toBe(6);
  });

  it.each(['argmax', 'argmin'] as const)('%s takes one axis: a list, empty or not, is refused naming the op', (op) => {
    const x = tensor(values);
    expect(() => x[op]([] as unknown as number)).toThrow(new RegExp(`^${op}: axis must be one number \\(or omitted\\), got \\[\\]`));
    expect(() => x[op]([1] as unknown as number)).toThrow(new RegExp(`^${op}: axis must be one number \\(or omitted\\), got \\[1\\]`));
  });
});

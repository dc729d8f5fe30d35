// pad (PyTorch's F.pad): values and gradients against PyTorch 1.13 (test/fixtures/activations-reference.json, from
// scripts/activations_reference.py) in each mode, with negative pads; gradcheck and gradgradcheck; the errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arange, compile, gradcheck, gradgradcheck, pad, Tensor, tensor, zeros, type PadMode } from '../src/index.ts';
import { expectClose } from './expect-close.ts';
import { input } from './op-inputs.ts';
import { expectForwardOverReverse, expectJvp } from './jvp-check.ts';

interface PadCase { shape: number[]; pad: number[]; mode: PadMode; value: number; x: number[]; w: number[]; y_shape: number[]; y: number[]; grad: number[] }
const cases = (JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'activations-reference.json'), 'utf8')) as { pad: PadCase[] }).pad;

describe('pad against PyTorch', () => {
  it.each(cases.map((c) => [`${c.mode} ${JSON.stringify(c.pad)} of ${JSON.stringify(c.shape)}`, c] as const))('%s', (_name, c) => {
    const x = Tensor.from(Float64Array.from(c.x), c.shape, { requiresGrad: true });
    const y = pad(x, c.pad, c.mode, c.value);
    expect(y.shape).toEqual(c.y_shape);
    expect(Array.from(y.data)).toEqual(c.y); // copies: exact
    y.mul(Tensor.from(Float64Array.from(c.w), c.y_shape)).sum().backward();
    expectClose(x.grad!.data, c.grad, { rtol: 1e-15 }, 'gradient'); // sums of up to a few weights, in another order than PyTorch's
  });
});

describe('pad: what each mode does', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  it('pairs run from the last dim; a pad list shorter than the dims leaves the first dims alone', () => {
    expect(pad(x, [1, 0]).toArray()).toEqual([[0, 1, 2, 3], [0, 4, 5, 6]]);
    expect(pad(x, [0, 0, 1, 0], 'constant', 7).toArray()).toEqual([[7, 7, 7], [1, 2, 3], [4, 5, 6]]);
    expect(pad(x, []).toArray()).toEqual(x.toArray());
    expect(pad(tensor(5), []).toArray()).toBe(5);
  });
  it('reflect mirrors without repeating the edge; replicate repeats it; both take any tensor, a 1-D one too', () => {
    expect(pad(tensor([1, 2, 3]), [2, 2], 'reflect').toArray()).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(pad(tensor([1, 2, 3]), [2, 1], 'replicate').toArray()).toEqual([1, 1, 1, 2, 3, 3]);
    expect(pad(x, [1, 1, 1, 1], 'reflect').toArray()).toEqual([[5, 4, 5, 6, 5], [2, 1, 2, 3, 2], [5, 4, 5, 6, 5], [2, 1, 2, 3, 2]]);
  });
  it('negative pads crop, down to an empty output in constant mode', () => {
    expect(pad(x, [-1, -1]).toArray()).toEqual([[2], [5]]);
    expect(pad(x, [-2, -1]).shape).toEqual([2, 0]);
    expect(pad(x, [-3, 1], 'reflect').toArray()).toEqual([[2], [5]]);
    expect(pad(x, [-4, 2], 'replicate').toArray()).toEqual([[3], [6]]);
  });
  it('empty inputs: a constant pad fills them; an unpadded empty dim is kept in any mode', () => {
    expect(pad(zeros([2, 0]), [1, 1], 'constant', 3).toArray()).toEqual([[3, 3], [3, 3]]);
    expect(pad(zeros([0, 3]), [1, 1], 'reflect').shape).toEqual([0, 5]);
  });
  it('the gradient of a reflected or replicated element adds up at its source', () => {
    const t = tensor([1, 2, 3], { requiresGrad: true });
    pad(t, [2, 2], 'reflect').sum().backward();
    expect(t.grad!.toArray()).toEqual([2, 3, 2]);
    t.grad = null;
    pad(t, [2, 1], 'replicate').sum().backward();
    expect(t.grad!.toArray()).toEqual([3, 1, 2]);
    t.grad = null;
    pad(t, [-1, 2], 'constant', 5).sum().backward();
    expect(t.grad!.toArray()).toEqual([0, 1, 1]);
  });
});

describe('pad: gradcheck and gradgradcheck', () => {
  const CASES: [number[], number[], PadMode][] = [
    [[5], [2, 3], 'constant'],
    [[2, 3, 4], [1, 2, 2, 1], 'constant'],
    [[2, 3, 4], [-1, 2, 1, -2, 0, 1], 'constant'],
    [[6], [3, 5], 'reflect'],
    [[2, 3, 4], [2, 1, 1, 2], 'reflect'],
    [[2, 3, 5], [-2, 3], 'reflect'],
    [[4], [3, 2], 'replicate'],
    [[2, 3, 4], [3, 1, 0, 2, 1, 1], 'replicate'],
    [[2, 3, 4], [-2, 4], 'replicate'],
  ];
  // Squared, so that the second derivative runs through the padding's adjoint and its rule (the padding again).
  it.each(CASES)('%j padded by %j (%s)', (shape, p, mode) => {
    const x = input(shape, -2, 2, 600 + shape.length);
    const f = (t: Tensor): Tensor => pad(t, p, mode, mode === 'constant' ? 0.5 : 0).square();
    const first = gradcheck(f, [x]), second = gradgradcheck(f, [x]);
    expect(first.ok, first.message).toBe(true);
    expect(second.ok, second.message).toBe(true);
  });
});

describe('pad: forward mode', () => {
  it.each([['constant', [1, 2, -1, 1]], ['reflect', [2, 1, 1, 2]], ['replicate', [3, -1, 0, 2]]] as const)('%s %j, and its adjoint', (mode, p) => {
    const x = input([2, 3, 4], -2, 2, 610);
    expectJvp((t) => pad(t, [...p], mode, mode === 'constant' ? 0.5 : 0).square(), [x], 611);
    const w = input([2, 3, 4], -1, 1, 612).detach(); // forward over reverse: the adjoint (padBackward) carries tangents
    expectForwardOverReverse((t) => pad(t.mul(w), [...p], mode).pow(3).sum(), x, 613);
  });
});

describe('pad under compile: the maps are settings, the values are read at each call', () => {
  it('a replayed reflect pad of new data equals the eager one', () => {
    const w = tensor([[1, -2, 3, 0.5]], { requiresGrad: true });
    const step = compile((x: Tensor) => pad(x.mul(w), [2, 1], 'reflect').sum(1));
    for (let i = 0; i < 4; i++) {
      const x = arange(8).reshape(2, 4).add(i);
      expect(step(x).toArray()).toEqual(pad(x.mul(w), [2, 1], 'reflect').sum(1).toArray());
    }
  });
});

describe('pad: errors name the op, the dim and the values', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  it.each([
    [() => pad(x, [1]), 'pad: pad must have an even length (a [before, after] pair per dim), got [1]'],
    [() => pad(x, [1, 1, 1, 1, 1, 1]), 'pad: pad [1, 1, 1, 1, 1, 1] pads 3 dims, but the input of shape [2, 3] has 2'],
    [() => pad(x, [1.5, 1]), 'pad: pad must be an array of integers, got an array ([1.5,1])'],
    [() => pad(x, 2 as never), 'pad: pad must be an array of integers, got number 2'],
    [() => pad(x, [1, 1], 'circular' as PadMode), 'pad: mode must be \'constant\', \'reflect\' or \'replicate\', got the string \'circular\''],
    [() => pad(x, [1, 1], 'reflect', 2), 'pad: value 2 is only used in constant mode, not \'reflect\''],
    [() => pad(x, [1, 1], 'constant', '0' as never), 'pad: value must be a number, got the string \'0\''],
    [() => pad(x, [3, 0], 'reflect'), 'pad: dim 1 of size 3 padded by (3, 0): a reflect pad must be below the dim\'s size'],
    [() => pad(x, [0, 0, 0, 2], 'reflect'), 'pad: dim 0 of size 2 padded by (0, 2): a reflect pad must be below the dim\'s size'],
    [() => pad(x, [-3, -1]), 'pad: dim 1 of size 3 padded by (-3, -1) would have -1 elements (constant mode needs at least 0)'],
    [() => pad(x, [-2, -1], 'replicate'), 'pad: dim 1 of size 3 padded by (-2, -1) would have 0 elements (replicate mode needs at least 1)'],
    [() => pad(zeros([2, 0]), [1, 1], 'replicate'), 'pad: dim 1 of size 0 padded by (1, 1): an empty dim has no edge to replicate'],
    [() => pad([1, 2] as never, [1, 1]), 'pad: the input must be a tensor'],
  ])('%s', (f, message) => {
    expect(f).toThrow(message);
  });
});

// Issue 22, part 5: JSON.stringify(tensor) threw on the graph's circular links. A tensor's toJSON is { shape, data }
// (the values row-major, a plain array), and tensor() reads that back: the round trip keeps the values and the
// shape, for 0-d and empty tensors too.
import { describe, expect, it } from 'vitest';
import { arange, compile, nn, RandomState, randn, tensor, Tensor, zeros } from '../src/index.ts';

const roundTrip = (t: Tensor): Tensor => tensor(JSON.parse(JSON.stringify(t)) as { shape: number[]; data: number[] });

describe('JSON.stringify(tensor) and tensor(JSON.parse(…))', () => {
  it('a tensor in the graph stringifies as { shape, data }', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(2).sum(0);
    y.backward(tensor([1, 1]));
    expect(JSON.stringify(x)).toBe('{"shape":[2,2],"data":[1,2,3,4]}');
    expect(JSON.stringify(y)).toBe('{"shape":[2],"data":[8,12]}');
    expect(x.toJSON()).toEqual({ shape: [2, 2], data: [1, 2, 3, 4] });
  });

  it.each([
    ['a matrix', tensor([[1.5, -2], [3, 4e-300]])],
    ['a 3-D tensor', arange(24).reshape(2, 3, 4)],
    ['a 0-d tensor', tensor(7)],
    ['an empty tensor', zeros([0, 3])],
    ['an empty 1-D tensor', zeros([0])],
    ['random float64 values, bit for bit', randn([5, 3], { rng: new RandomState(0) })],
  ])('round trip of %s keeps the shape and the values', (_what, t) => {
    const back = roundTrip(t);
    expect(back.shape).toEqual(t.shape);
    expect(Array.from(back.data)).toEqual(Array.from(t.data));
    expect(back).not.toBe(t);
  });

  it('tensors nested in other data stringify too (a state dict of tensors)', () => {
    const saved = JSON.stringify({ step: 3, weights: [tensor([1, 2]), tensor(0.5)] });
    expect(saved).toBe('{"step":3,"weights":[{"shape":[2],"data":[1,2]},{"shape":[],"data":[0.5]}]}');
    const { weights } = JSON.parse(saved) as { weights: { shape: number[]; data: number[] }[] };
    expect(weights.map((w) => tensor(w).toArray())).toEqual([[1, 2], 0.5]);
  });

  it('the copy is a new leaf, and takes the options of tensor()', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const back = tensor(x.toJSON(), { requiresGrad: true });
    expect(back.requiresGrad).toBe(true);
    expect(back.isLeaf).toBe(true);
    back.data[0] = 9;
    expect(x.toArray()).toEqual([1, 2]);
    expect(roundTrip(x).requiresGrad).toBe(false); // only the values travel
  });

  it('a state dict entry is the same form', () => {
    const layer = new nn.Linear(2, 1, { rng: new RandomState(1) });
    expect(tensor(layer.stateDict().weight!).toArray()).toEqual(layer.weight.toArray());
  });

  it.each([
    ['a missing data', { shape: [2] }, /^tensor: an object must be \{ shape, data \} .*got an object of type Object with keys shape/],
    ['a missing shape', { data: [1, 2] }, /^tensor: an object must be \{ shape, data \}/],
    ['data of the wrong length', { shape: [2, 2], data: [1, 2, 3] }, /^tensor: data has 3 values, but shape \[2, 2\] holds 4/],
    ['a bad shape', { shape: [-1], data: [] }, /^tensor: invalid shape \[-1\]/],
    ['data that is not an array', { shape: [1], data: '1' }, /^tensor: data must be an array of numbers, got the string '1'/],
    ['NaN, written by JSON as null', JSON.parse(JSON.stringify(tensor([1, NaN]))), /^tensor: data\[1\] is null, not a number \(JSON writes NaN and ±Infinity as null\)/],
    ['a string value', { shape: [2], data: [1, '2'] }, /^tensor: data\[1\] is the string '2', not a number/],
    ['a tensor', tensor([1, 2]), /^tensor: expected a number, a nested array or \{ shape, data \}, got a tensor of shape \[2\]; copy a tensor with t\.clone\(\)/],
    ['a Float64Array', new Float64Array(2), /^tensor: expected a number, a nested array or \{ shape, data \}, got a Float64Array; wrap a Float64Array with Tensor\.from/],
  ])('tensor() refuses %s, naming what is wrong', (_what, value, message) => {
    expect(() => tensor(value as unknown as number)).toThrow(message);
  });

  it('a compiled step may not read values through toJSON while it is traced', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const step = compile((x: Tensor) => {
      JSON.stringify(x.mul(w));
      return x.mul(w);
    });
    step(tensor([1, 1]));
    expect(() => step(tensor([1, 1]))).toThrow(/^compile: the traced function reads tensor values \(toJSON\(\)\)/);
  });
});

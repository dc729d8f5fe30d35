// Pooling (issue 19): maxPool1d, maxPool2d, avgPool1d, avgPool2d and adaptiveAvgPool2d against PyTorch 1.13 in
// float64 (the fixture written by scripts/conv_reference.py: values and input gradients, ties included), against
// central finite differences to second order, replayed by compile(); PyTorch's output sizes; the errors; and the
// modules.
import { describe, expect, it } from 'vitest';
import {
  adaptiveAvgPool2d, arange, avgPool1d, avgPool2d, compile, gradcheck, gradgradcheck, maxPool1d, maxPool2d, nn, RandomState, Tensor,
  tensor, zeros, type AvgPoolOptions, type MaxPoolOptions, type SpatialSize,
} from '../src/index.ts';
import { expectReference, fixture, inputsOf } from './conv-reference.ts';
import { expectForwardOverReverse, expectJvp } from './jvp-check.ts';
import { distinct, input } from './op-inputs.ts';

const TOL = { eps: 1e-6, rtol: 1e-6, atol: 1e-8 };

type Pool = (x: Tensor, size: never, opts: never) => Tensor;
const POOLS: Record<string, Pool> = { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool2d } as Record<string, Pool>;

describe(`the pools agree with PyTorch ${fixture.torch}`, () => {
  it('has the reference cases', () => {
    expect(fixture.pool.length).toBe(18);
    expect(fixture.pool.filter((c) => c.ties).length).toBe(2);
  });

  it.each(fixture.pool.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const { inputs: [x], upstream } = inputsOf(c);
    const out = POOLS[c.op]!(x!, c.size as never, c.options as never);
    expectReference(out, c.out, 'output');
    out.backward(upstream(out.shape));
    expectReference(x!.grad, c.grads[0]!, '∂input');
  });
});

describe('max pooling sends the gradient to the first largest value of each window', () => {
  it('on ties, the first in row-major order; a NaN wins its window', () => {
    const x = tensor([[[1, 3, 3], [3, 2, 1], [0, 3, 1]]], { requiresGrad: true });
    const y = maxPool2d(x, 2, { stride: 1 });
    expect(y.toArray()).toEqual([[[3, 3], [3, 3]]]);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([[[0, 2, 0], [1, 0, 0], [0, 1, 0]]]);
    const n = tensor([[1, NaN, 5, NaN, 2]], { requiresGrad: true }), m = maxPool1d(n, 3, { stride: 2 });
    expect(m.toArray()).toEqual([[NaN, NaN]]);
    m.sum().backward();
    expect(n.grad!.toArray()).toEqual([[0, 1, 0, 1, 0]]);
  });
});

describe('max pooling over 2 × 2 windows agrees with the definition', () => {
  // x's values and gradients against a loop written here: each window in row-major order, the first largest value,
  // or the first NaN; ties and NaNs made common by drawing small integers and NaN.
  const reference = (x: number[][][], k: number, s: number): { y: number[][][]; at: [number, number, number][][][] } => {
    const C = x.length, H = x[0]!.length, W = x[0]![0]!.length, OH = Math.floor((H - k) / s) + 1, OW = Math.floor((W - k) / s) + 1;
    const y: number[][][] = [], at: [number, number, number][][][] = [];
    for (let c = 0; c < C; c++) {
      y.push([]); at.push([]);
      for (let i = 0; i < OH; i++) {
        y[c]!.push([]); at[c]!.push([]);
        for (let j = 0; j < OW; j++) {
          let best = -Infinity, where: [number, number, number] = [c, i * s, j * s], found = false;
          for (let a = 0; a < k && !found; a++) {
            for (let b = 0; b < k; b++) {
              const v = x[c]![i * s + a]![j * s + b]!;
              if (Number.isNaN(v)) { best = v; where = [c, i * s + a, j * s + b]; found = true; break; }
              if (v > best || (a === 0 && b === 0)) { best = v; where = [c, i * s + a, j * s + b]; }
            }
          }
          y[c]![i]!.push(best); at[c]![i]!.push(where);
        }
      }
    }
    return { y, at };
  };
  it.each([[2, 2], [2, 1]])('kernel %i, stride %i: 200 random 3 × 5 × 6 inputs with ties and NaNs', (k, s) => {
    const rng = new RandomState(k * 10 + s);
    for (let trial = 0; trial < 200; trial++) {
      const raw = Array.from(rng.random([3, 5, 6]), (u) => (u < 0.1 ? NaN : Math.floor(u * 4) - 2));
      const nested = Array.from({ length: 3 }, (_, c) => Array.from({ length: 5 }, (_, i) => raw.slice(c * 30 + i * 6, c * 30 + i * 6 + 6)));
      const x = tensor(nested, { requiresGrad: true }), y = maxPool2d(x, k, { stride: s });
      const want = reference(nested, k, s);
      expect(y.toArray()).toEqual(want.y);
      y.sum().backward();
      const grad = nested.map((p) => p.map((r) => r.map(() => 0)));
      for (const plane of want.at) for (const row of plane) for (const [c, i, j] of row) grad[c]![i]![j]! += 1;
      expect(x.grad!.toArray()).toEqual(grad);
    }
  });
});

describe('output sizes follow PyTorch, ceil mode included', () => {
  it.each([
    // input length, kernel, options, output length
    [6, 2, {}, 3],
    [7, 2, {}, 3],
    [7, 2, { ceilMode: true }, 4],
    [6, 2, { stride: 3, ceilMode: true }, 2], // a third window would start at 6, past the input: dropped
    [5, 3, { stride: 2, padding: 1, ceilMode: true }, 3],
    [6, 3, { stride: 2, padding: 1, ceilMode: true }, 4], // the last window starts at 5 (inside), reaching into the padding
    [8, 3, { dilation: 2 }, 2],
    [8, 3, { dilation: 2, stride: 1 }, 4],
  ] as [number, number, MaxPoolOptions, number][])('length %i, kernel %i, %j → %i', (n, k, opts, out) => {
    expect(maxPool1d(zeros([1, n]), k, opts).shape).toEqual([1, out]);
    if (opts.dilation === undefined) expect(avgPool1d(zeros([1, n]), k, opts as AvgPoolOptions).shape).toEqual([1, out]);
  });
});

describe('gradients to second order (gradcheck and gradgradcheck)', () => {
  // tanh after the pool makes the first derivative depend on x, so that gradgradcheck differentiates each rule's
  // own rule (the scatter's gather; the average's adjoint's average).
  const cases: [string, (x: Tensor) => Tensor, Tensor][] = [
    ['maxPool2d, kernel [3, 2], stride, padding, dilation, ceilMode', (x) => maxPool2d(x, [3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2], ceilMode: true }), distinct([2, 2, 5, 6], 1)],
    ['maxPool2d, unbatched, overlapping windows', (x) => maxPool2d(x, 2, { stride: 1 }), distinct([2, 4, 4], 2)],
    ['maxPool1d, kernel 3, stride 2, padding 1', (x) => maxPool1d(x, 3, { stride: 2, padding: 1 }), distinct([2, 3, 8], 3)],
    ['avgPool2d, kernel 3, stride 2, padding 1, ceilMode', (x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), input([2, 2, 5, 6], -1, 1, 4)],
    ['avgPool2d without the padding in the divisor', (x) => avgPool2d(x, [2, 3], { stride: 1, padding: 1, countIncludePad: false }), input([1, 2, 4, 5], -1, 1, 5)],
    ['avgPool1d, kernel 2, padding 1, unbatched', (x) => avgPool1d(x, 2, { padding: 1 }), input([3, 7], -1, 1, 6)],
    ['adaptiveAvgPool2d to [3, 4] (overlapping windows)', (x) => adaptiveAvgPool2d(x, [3, 4]), input([2, 2, 5, 6], -1, 1, 7)],
  ];
  it.each(cases)('%s', (_name, f, x) => {
    const first = gradcheck(f, [x], TOL), second = gradgradcheck((t) => f(t).tanh(), [x], TOL);
    expect(first.ok, first.message).toBe(true);
    expect(second.ok, second.message).toBe(true);
  });
});

describe('forward mode (jvp)', () => {
  it.each([
    ['maxPool2d', (x: Tensor) => maxPool2d(x, [3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2], ceilMode: true }), distinct([2, 2, 5, 6], 20)],
    ['maxPool1d', (x: Tensor) => maxPool1d(x, 3, { stride: 2, padding: 1 }), distinct([2, 3, 8], 21)],
    ['avgPool2d', (x: Tensor) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), input([2, 2, 5, 6], -1, 1, 22)],
    ['avgPool1d', (x: Tensor) => avgPool1d(x, 2, { padding: 1 }), input([3, 7], -1, 1, 23)],
    ['adaptiveAvgPool2d', (x: Tensor) => adaptiveAvgPool2d(x, [3, 4]), input([2, 2, 5, 6], -1, 1, 24)],
  ] as const)('%s', (_name, f, x) => {
    expectJvp(f, [x], 25);
    expectForwardOverReverse((t) => f(t).tanh().square().sum(), x, 26); // the backward ops' tangents too
  });
});

describe('pooling inside compile()', () => {
  it('a replay finds each call\'s maxima again, and averages each call\'s values', () => {
    const fn = (x: Tensor, w: Tensor): Tensor => {
      const y = x.mul(w);
      return maxPool2d(y, 2).add(avgPool2d(y, 2)).add(adaptiveAvgPool2d(y, 2)).tanh().sum();
    };
    const body = (w: Tensor) => (x: Tensor): Tensor => {
      w.zeroGrad();
      const loss = fn(x, w);
      loss.backward();
      return loss;
    };
    const we = input([3, 1, 1], 0.5, 1.5, 9), wc = we.detach().clone();
    wc.requiresGrad = true;
    const eager = body(we), step = compile(body(wc));
    for (let seed = 0; seed < 5; seed++) {
      const x = distinct([2, 3, 4, 4], seed).detach();
      expect(step(x).item()).toBe(eager(x).item());
      expect(Array.from(wc.grad!.data)).toEqual(Array.from(we.grad!.data));
    }
  });
});

describe('bad input throws an Error naming the op and the shapes or values', () => {
  const x = zeros([1, 2, 5, 5]);
  const cases: [string, () => unknown, RegExp][] = [
    ['padding more than half the kernel', () => maxPool2d(x, 3, { padding: [1, 2] }), /^maxPool2d: padding \[1, 2\] is more than half the kernel \[3, 3\]$/],
    ['padding more than half the kernel, average', () => avgPool1d(zeros([1, 5]), 2, { padding: 2 }), /^avgPool1d: padding \[2\] is more than half the kernel \[2\]$/],
    ['an output size below 1', () => maxPool2d(zeros([1, 2, 2]), 3),
      /^maxPool2d: the input of shape \[1, 2, 2\] is too small for the kernel \[3, 3\] \(stride \[3, 3\], padding \[0, 0\], dilation \[1, 1\]\): the output would have size \[0, 0\]$/],
    ['an output size below 1, dilated', () => maxPool1d(zeros([1, 4]), 3, { dilation: 2 }),
      /^maxPool1d: the input of shape \[1, 4\] is too small for the kernel \[3\] \(stride \[3\], padding \[0\], dilation \[2\]\): the output would have size \[0\]$/],
    ['a window of padding only', () => maxPool1d(zeros([1, 2]), 2, { padding: 1, dilation: 3, stride: 1 }),
      /^maxPool1d: window 0 along spatial dim 0 \(of size 2\) holds no input value, only padding$/],
    ['an input of the wrong rank', () => maxPool2d(zeros([5, 5]), 2),
      /^maxPool2d: expects an input of 3 dims \(unbatched, \[C, H, W\]\) or 4 \(batched, \[N, C, H, W\]\), got shape \[5, 5\]$/],
    ['an input of the wrong rank, 1-D', () => avgPool1d(zeros([1, 2, 3, 4]), 2),
      /^avgPool1d: expects an input of 2 dims \(unbatched, \[C, L\]\) or 3 \(batched, \[N, C, L\]\), got shape \[1, 2, 3, 4\]$/],
    ['an empty spatial dim', () => adaptiveAvgPool2d(zeros([1, 0, 3]), 1), /^adaptiveAvgPool2d: the input of shape \[1, 0, 3\] has an empty spatial dim$/],
    ['a kernel of 0', () => avgPool2d(x, [2, 0]), /^avgPool2d: kernelSize must be a positive integer or a list of 2 of them, got an array \(\[2,0\]\)$/],
    ['a stride of 3 numbers', () => maxPool2d(x, 2, { stride: [1, 1, 1] }), /^maxPool2d: stride must be a positive integer or a list of 2 of them, got an array/],
    ['ceilMode not a boolean', () => maxPool2d(x, 2, { ceilMode: 1 as unknown as boolean }), /^maxPool2d: ceilMode must be true or false, got number 1$/],
    ['dilation for an average pool', () => avgPool2d(x, 2, { dilation: 2 } as AvgPoolOptions),
      /^avgPool2d: unknown option 'dilation' \(the options are stride, padding, ceilMode, countIncludePad\)$/],
    ['a snake_case option', () => maxPool2d(x, 2, { ceil_mode: true } as MaxPoolOptions), /^maxPool2d: unknown option 'ceil_mode'/],
    ['a bad output size', () => adaptiveAvgPool2d(x, [0, 2]),
      /^adaptiveAvgPool2d: outputSize must be a positive integer or a pair of them \(null keeps a dim's size\), got an array \(\[0,2\]\)$/],
    ['an output size of 3 numbers', () => adaptiveAvgPool2d(x, [1, 2, 3]), /^adaptiveAvgPool2d: outputSize must be .* got an array/],
    ['not a tensor', () => maxPool2d([1, 2] as unknown as Tensor, 2), /^maxPool2d: the input must be a tensor, got an array/],
  ];
  it.each(cases)('%s', (_name, f, message) => {
    expect(f).toThrow(message);
  });
});

describe('nn.MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d', () => {
  const x = Tensor.from(new RandomState(1).uniform(-1, 1, [2, 3, 7, 6]), [2, 3, 7, 6]), s = x.select(2, 0);

  it('call their op with their settings (the stride is the kernel size unless given)', () => {
    const same = (a: Tensor, b: Tensor): void => expect(a.toArray()).toEqual(b.toArray());
    same(new nn.MaxPool2d(2).call(x), maxPool2d(x, 2, { stride: 2 }));
    same(new nn.MaxPool2d([3, 2], { stride: 1, padding: [1, 0], dilation: [2, 1], ceilMode: true }).call(x),
      maxPool2d(x, [3, 2], { stride: 1, padding: [1, 0], dilation: [2, 1], ceilMode: true }));
    same(new nn.MaxPool1d(3, { stride: 2, padding: 1 }).call(s), maxPool1d(s, 3, { stride: 2, padding: 1 }));
    same(new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).call(x),
      avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }));
    same(new nn.AvgPool1d(2).call(s), avgPool1d(s, 2, { stride: 2 }));
    same(new nn.AdaptiveAvgPool2d([3, null]).call(x), adaptiveAvgPool2d(x, [3, 6]));
    const m = new nn.MaxPool2d(3, { stride: null });
    expect([m.kernelSize, m.stride, m.padding, m.dilation, m.ceilMode]).toEqual([3, 3, 0, 1, false]);
    expect(new nn.AvgPool2d([2, 1]).countIncludePad).toBe(true);
    expect(new nn.MaxPool2d(2).parameters()).toEqual([]);
  });

  it('print their settings as PyTorch does', () => {
    expect(new nn.MaxPool2d(2).toString()).toBe('MaxPool2d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)');
    expect(new nn.MaxPool1d([3], { stride: [2], ceilMode: true }).toString()).toBe('MaxPool1d(kernelSize=[3], stride=[2], padding=0, dilation=1, ceilMode=true)');
    expect(new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }).toString()).toBe('AvgPool2d(kernelSize=3, stride=2, padding=1)');
    expect(new nn.AvgPool1d(4).toString()).toBe('AvgPool1d(kernelSize=4, stride=4, padding=0)');
    expect(new nn.AdaptiveAvgPool2d(1).toString()).toBe('AdaptiveAvgPool2d(outputSize=1)');
  });

  it('refuse bad settings, naming the layer and the value', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => new nn.MaxPool2d(0), /^MaxPool2d: kernelSize must be a positive integer or a list of 2 of them, got number 0$/],
      [() => new nn.MaxPool1d(2, { padding: -1 }), /^MaxPool1d: padding must be a non-negative integer, got number -1$/],
      [() => new nn.AvgPool2d(2, { countIncludePad: 'no' as unknown as boolean }), /^AvgPool2d: countIncludePad must be true or false, got the string 'no'$/],
      [() => new nn.AvgPool1d(2, { dilation: 2 } as AvgPoolOptions), /^AvgPool1d: unknown option 'dilation'/],
      [() => new nn.AdaptiveAvgPool2d([2] as unknown as SpatialSize), /^AdaptiveAvgPool2d: outputSize must be a positive integer or a pair of them/],
      [() => new nn.MaxPool2d(3, { padding: 2 }).call(x), /^maxPool2d: padding \[2, 2\] is more than half the kernel \[3, 3\]$/],
    ];
    for (const [f, message] of bad) expect(f).toThrow(message);
  });

  it('pool inside a model: LeNet\'s shapes', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 5), new nn.ReLU(),
      new nn.MaxPool2d(2), new nn.Flatten());
    expect(model.call(zeros([3, 1, 28, 28])).shape).toEqual([3, 256]);
    expect(new nn.AdaptiveAvgPool2d(1).call(arange(24).reshape(2, 3, 4)).toArray()).toEqual([[[5.5]], [[17.5]]]);
  });
});

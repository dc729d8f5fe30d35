// batchNorm and nn.BatchNorm1d / nn.BatchNorm2d against PyTorch: test/fixtures/batch-norm-reference.json was
// written by scripts/batch_norm_reference.py (PyTorch 1.13, float64): F.batch_norm's outputs, running statistics and
// first and second derivatives, and the modules over several training batches then in eval mode. Then gradcheck
// and gradgradcheck over shapes and options, the modes and buffers, and the errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchNorm, compile, enableGrad, grad, gradcheck, gradgradcheck, nn, optim, RandomState, Tensor, tensor, type Shape } from '../src/index.ts';
import { expectClose, maxAbs } from './expect-close.ts';
import { input } from './op-inputs.ts';
import { expectForwardOverReverse, expectJvp } from './jvp-check.ts';

interface Stored { shape: number[]; data: number[] }
interface FunctionalCase {
  name: string; training: boolean; momentum: number; eps: number;
  x: Stored; weight: Stored | null; bias: Stored | null; runningMean: Stored | null; runningVar: Stored | null;
  G: Stored; y: Stored; runningMeanAfter?: Stored; runningVarAfter?: Stored;
  grads: { x: Stored; weight?: Stored; bias?: Stored };
  H?: Stored; second?: { x: Stored; weight?: Stored };
}
interface ModuleStep { x: Stored; y: Stored; runningMean?: Stored; runningVar?: Stored; numBatchesTracked?: number }
interface ModuleCase {
  name: string; module: 'BatchNorm1d' | 'BatchNorm2d'; numFeatures: number; options: nn.BatchNormOptions;
  repr: string; stateDictKeys: string[]; weight?: Stored; bias?: Stored; steps: ModuleStep[]; eval: { x: Stored; y: Stored };
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'batch-norm-reference.json'), 'utf8')) as {
  torch: string; functional: FunctionalCase[]; modules: ModuleCase[];
};

const load = (s: Stored, requiresGrad = false): Tensor => Tensor.from(Float64Array.from(s.data), s.shape, { requiresGrad });
const loadOrNull = (s: Stored | null, requiresGrad = false): Tensor | null => (s === null ? null : load(s, requiresGrad));
/**
 * Equal to PyTorch's value to 1e-12 relative, and absolutely to 1e-12 of `scale`, the size of the terms the value
 * sums (by default its largest entry): sums over the batch round in another order, and where terms cancel (a
 * gradient with respect to x sums terms of size |G|·γ/σ to nearly 0) only their size bounds the rounding.
 */
function close(got: Tensor | null | undefined, want: Stored | undefined, what: string, scale = 0): void {
  expect(got, what).toBeTruthy();
  expect(got!.shape, what).toEqual(want!.shape);
  expectClose(got!.data, want!.data, { rtol: 1e-12, atol: 1e-12 * Math.max(scale, maxAbs(want!.data)) }, what);
}

/** The largest 1/√(σ² + ε) over the channels: of the batch in training, of the running variance otherwise. */
function largestInvStd(c: FunctionalCase): number {
  const x = load(c.x), axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const variance = c.training ? x.sub(x.mean(axes, true)).square().mean(axes) : load(c.runningVar!);
  return Math.max(...Array.from(variance.data, (v) => 1 / Math.sqrt(v + c.eps)));
}

describe(`batchNorm against F.batch_norm (PyTorch ${fixture.torch})`, () => {
  it.each(fixture.functional.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const x = load(c.x, true), weight = loadOrNull(c.weight, true), bias = loadOrNull(c.bias, true);
    const runningMean = loadOrNull(c.runningMean), runningVar = loadOrNull(c.runningVar);
    const y = batchNorm(x, runningMean, runningVar, weight, bias, c.training, c.momentum, c.eps);
    close(y, c.y, 'y');
    if (c.runningMeanAfter !== undefined) {
      close(runningMean, c.runningMeanAfter, 'running mean after');
      close(runningVar, c.runningVarAfter, 'running variance after');
    } else if (runningMean !== null) { // evaluation mode leaves them as they were
      expect(Array.from(runningMean.data)).toEqual(c.runningMean!.data);
      expect(Array.from(runningVar!.data)).toEqual(c.runningVar!.data);
    }
    const wrt = [x, ...(weight === null ? [] : [weight, bias!])];
    const grads = grad(y.mul(load(c.G)).sum(), wrt, { createGraph: c.second !== undefined });
    const termX = maxAbs(c.G.data) * (c.weight === null ? 1 : maxAbs(c.weight.data)) * largestInvStd(c); // |G|·γ/σ
    close(grads[0], c.grads.x, '∂/∂x', termX);
    if (weight !== null) {
      close(grads[1], c.grads.weight, '∂/∂weight');
      close(grads[2], c.grads.bias, '∂/∂bias');
    }
    if (c.second !== undefined) { // ∂(Σ H·∂y/∂x)/∂x and /∂weight: PyTorch's double backward of batch_norm
      const second = grad(grads[0]!.mul(load(c.H!)).sum(), weight === null ? [x] : [x, weight]);
      const termH = maxAbs(c.H!.data) * termX * largestInvStd(c); // |H|·|G|·γ/σ²
      close(second[0], c.second.x, '∂²/∂x∂x', termH);
      if (weight !== null) close(second[1], c.second.weight, '∂²/∂x∂weight', maxAbs(c.H!.data) * maxAbs(c.G.data) * largestInvStd(c)); // |H|·|G|/σ
    }
  });
});

describe(`nn.BatchNorm1d and nn.BatchNorm2d against PyTorch's modules`, () => {
  it.each(fixture.modules.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = new nn[c.module](c.numFeatures, c.options);
    expect(Object.keys(m.stateDict())).toEqual(c.stateDictKeys); // PyTorch's names, in PyTorch's order
    if (c.weight !== undefined) {
      m.weight!.data.set(c.weight.data);
      m.bias!.data.set(c.bias!.data);
    }
    c.steps.forEach((step, k) => {
      close(m.call(load(step.x)), step.y, `training batch ${k + 1}: y`);
      if (step.runningMean !== undefined) {
        close(m.running_mean, step.runningMean, `training batch ${k + 1}: running_mean`);
        close(m.running_var, step.runningVar, `training batch ${k + 1}: running_var`);
        expect(m.num_batches_tracked!.item()).toBe(step.numBatchesTracked);
      }
    });
    const before = m.buffers().map((b) => Array.from(b.data));
    close(m.eval().call(load(c.eval.x)), c.eval.y, 'eval: y');
    expect(m.buffers().map((b) => Array.from(b.data)), 'eval mode changes no buffer').toEqual(before);
  });

  it('print their settings as PyTorch does, in camelCase', () => {
    expect(String(new nn.BatchNorm2d(4, { momentum: null, affine: false }))).toBe('BatchNorm2d(4, eps=0.00001, momentum=null, affine=false, trackRunningStats=true)');
    expect(String(new nn.Sequential(new nn.BatchNorm1d(3, { eps: 1e-3 })))).toBe('Sequential(\n  (0): BatchNorm1d(3, eps=0.001, momentum=0.1, affine=true, trackRunningStats=true)\n)');
  });
});

describe('gradcheck and gradgradcheck', () => {
  const TOL = { eps: 1e-6, rtol: 1e-6, atol: 1e-8 };
  const both = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void => {
    const first = gradcheck(fn, inputs, TOL), second = gradgradcheck(fn, inputs, TOL);
    expect(first.ok, first.message).toBe(true);
    expect(second.ok, second.message).toBe(true);
  };
  const shapes: Shape[] = [[5, 3], [3, 2, 4], [2, 3, 2, 2]];

  it.each(shapes)('training, with weight and bias: %j', (...shape) => {
    const C = shape[1]!;
    both((x, w, b) => batchNorm(x, null, null, w, b, true), [input(shape, -2, 2, 1), input([C], 0.5, 1.5, 2), input([C], -1, 1, 3)]);
  });

  it.each(shapes)('training, without weight or bias, eps 0.1: %j', (...shape) => {
    both((x) => batchNorm(x, null, null, null, null, true, 0.1, 0.1), [input(shape, -2, 2, 4)]);
  });

  it.each(shapes)('evaluation mode, in x, weight, bias and the running statistics: %j', (...shape) => {
    const C = shape[1]!;
    both((x, w, b, mean, variance) => batchNorm(x, mean, variance, w, b),
      [input(shape, -2, 2, 5), input([C], 0.5, 1.5, 6), input([C], -1, 1, 7), input([C], -0.5, 0.5, 8), input([C], 0.5, 2, 9)]);
  });

  it('third order: the gradient with respect to x, itself through gradcheck and gradgradcheck', () => {
    const G = input([3, 2, 3], -1, 1, 12).detach();
    const dx = (x: Tensor, w: Tensor, b: Tensor): Tensor => // gradcheck evaluates under noGrad: the inner graph is recorded anyway
      enableGrad(() => grad(batchNorm(x, null, null, w, b, true).mul(G).sum(), [x], { createGraph: true })[0]!);
    both(dx, [input([3, 2, 3], -2, 2, 13), input([2], 0.5, 1.5, 14), input([2], -1, 1, 15)]);
  });

  it('through a small network with a BatchNorm1d in training mode', () => {
    const bn = new nn.BatchNorm1d(4, { trackRunningStats: false });
    both((x, w) => bn.call(x.matmul(w)).tanh(), [input([6, 3], -1, 1, 10), input([3, 4], -1, 1, 11)]);
  });
});

describe('forward mode: jvp against differences and reverse mode, and forward over reverse', () => {
  const shapes: Shape[] = [[5, 3], [3, 2, 4], [2, 3, 2, 2]];
  it.each(shapes)('training and evaluation, along x, weight, bias and the running statistics: %j', (...shape) => {
    const C = shape[1]!;
    expectJvp((x, w, b) => batchNorm(x, null, null, w, b, true), [input(shape, -2, 2, 21), input([C], 0.5, 1.5, 22), input([C], -1, 1, 23)], 30);
    expectJvp((x) => batchNorm(x, null, null, null, null, true, 0.1, 0.1), [input(shape, -2, 2, 24)], 40);
    expectJvp((x, w, b, mean, variance) => batchNorm(x, mean, variance, w, b),
      [input(shape, -2, 2, 25), input([C], 0.5, 1.5, 26), input([C], -1, 1, 27), input([C], -0.5, 0.5, 28), input([C], 0.5, 2, 29)], 50);
    const G = input(shape, -1, 1, 31).detach();
    expectForwardOverReverse((x) => batchNorm(x, null, null, null, null, true).mul(G).sum(), input(shape, -2, 2, 32), 60);
  });
});

describe('running statistics', () => {
  it('training updates them with the unbiased variance; the graph uses the biased one', () => {
    const x = tensor([[1, 10], [2, 20], [6, 60]]); // channel 0: mean 3, Σ(x − 3)² = 14; channel 1: 10×
    const mean = tensor([1, -1]), variance = tensor([2, 3]);
    const y = batchNorm(x, mean, variance, null, null, true, 0.25, 0);
    expectClose(mean.data, [0.25 * 3 + 0.75 * 1, 0.25 * 30 - 0.75], { rtol: 1e-15 }, 'running mean');
    expectClose(variance.data, [0.25 * 14 / 2 + 0.75 * 2, 0.25 * 1400 / 2 + 0.75 * 3], { rtol: 1e-15 }, 'running variance: Σ/(n − 1)');
    expectClose(y.select(1, 0).data, [-2, -1, 3].map((d) => d / Math.sqrt(14 / 3)), { rtol: 1e-15 }, 'y: biased Σ/n');
  });

  it('are not in the graph: no gradient reaches them, and backward still works after they changed', () => {
    const x = input([4, 2], -1, 1, 12), mean = tensor([0, 0]), variance = tensor([1, 1]);
    const y = batchNorm(x, mean, variance, null, null, true);
    batchNorm(x, mean, variance, null, null, true); // a second update
    expect(mean.requiresGrad).toBe(false);
    y.sum().backward();
    expect(x.grad).not.toBeNull();
  });

  it('momentum null averages every batch equally; num_batches_tracked counts training batches only', () => {
    const bn = new nn.BatchNorm1d(1, { momentum: null });
    const batches = [[1, 3], [10, 20, 30], [-5, 5, 0, 4]];
    for (const b of batches) bn.call(tensor(b.map((v) => [v])));
    const means = batches.map((b) => b.reduce((s, v) => s + v, 0) / b.length);
    expectClose(bn.running_mean!.data, [means.reduce((s, v) => s + v, 0) / 3], { rtol: 1e-15 }, 'cumulative average');
    expect(bn.num_batches_tracked!.item()).toBe(3);
    bn.eval().call(tensor([[1], [2]]));
    expect(bn.num_batches_tracked!.item()).toBe(3);
  });

  it('without trackRunningStats, the layer normalises with the batch in both modes and has no buffers', () => {
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false });
    const x = tensor([[1, 2], [3, 7], [8, 0]]);
    expect(bn.buffers()).toEqual([]);
    expect(bn.running_mean).toBeNull();
    expect(bn.eval().call(x).toArray()).toEqual(batchNorm(x, null, null, bn.weight, bn.bias, true).toArray());
  });

  it('an optimizer sees weight and bias only; training steps move the buffers, evaluation does not', () => {
    const rng = new RandomState(13);
    const model = new nn.Sequential(new nn.Linear(3, 4, { rng }), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 1, { rng }));
    const bn = model[1];
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '3.weight', '3.bias']);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const x = input([8, 3], -1, 1, 14).detach(), y = input([8, 1], -1, 1, 15).detach();
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      nn.mseLoss(model.call(x), y).backward();
      opt.step();
    }
    expect(bn.num_batches_tracked!.item()).toBe(3);
    expect(Array.from(bn.running_mean!.data).every((v) => v !== 0)).toBe(true);
    const kept = model.buffers().map((b) => Array.from(b.data));
    model.eval().call(x);
    expect(model.buffers().map((b) => Array.from(b.data))).toEqual(kept);
  });

  it('a compiled training step updates them as the eager one does, bit for bit', () => {
    const run = (compiled: boolean): number[][] => {
      const rng = new RandomState(16);
      const model = new nn.Sequential(new nn.Linear(3, 4, { rng }), new nn.BatchNorm1d(4), new nn.Tanh(), new nn.Linear(4, 1, { rng }));
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const step = (x: Tensor, y: Tensor): Tensor => {
        opt.zeroGrad();
        const loss = nn.mseLoss(model.call(x), y);
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? compile(step) : step;
      const x = input([8, 3], -1, 1, 17).detach(), y = input([8, 1], -1, 1, 18).detach();
      for (let i = 0; i < 6; i++) f(x, y);
      return model.buffers().concat(model.parameters()).map((t) => Array.from(t.data));
    };
    expect(run(true)).toEqual(run(false));
  });
});

describe('bad input throws naming the op or module and the shapes', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  it.each([
    ['a 1-d input', () => batchNorm(tensor([1, 2]), null, null, null, null, true), 'batchNorm: input of shape [2] needs at least 2 dims, [N, C, …]'],
    ['a running mean of the wrong size', () => batchNorm(x, tensor([0, 0]), tensor([1, 1, 1])), "batchNorm: runningMean of shape [2] does not match the input's 3 channels (input shape [2, 3]; expected [3])"],
    ['a weight of the wrong rank', () => batchNorm(x, null, null, tensor([[1, 1, 1]]), null, true), "batchNorm: weight of shape [1, 3] does not match the input's 3 channels"],
    ['a bias that is an array', () => batchNorm(x, null, null, null, [0, 0, 0] as never, true), 'batchNorm: bias must be a tensor or null, got an array'],
    ['no running statistics in evaluation mode', () => batchNorm(x, null, null), 'batchNorm: runningMean is needed in evaluation mode (training false), got null'],
    ['one value per channel in training', () => batchNorm(tensor([[1, 2, 3]]), null, null, null, null, true), 'batchNorm: expected more than 1 value per channel when training, got input shape [1, 3]'],
    ['training not a boolean', () => batchNorm(x, null, null, null, null, 1 as never), 'batchNorm: training must be true or false, got number 1'],
    ['a negative eps', () => batchNorm(x, null, null, null, null, true, 0.1, -1), 'batchNorm: eps must be a finite number ≥ 0, got number -1'],
    ['a momentum that is a string', () => batchNorm(x, null, null, null, null, true, '0.1' as never), "batchNorm: momentum must be a finite number, got the string '0.1'"],
    ['a channel count that does not match the module', () => new nn.BatchNorm1d(4).call(x), 'BatchNorm1d: input of shape [2, 3] has 3 channels (axis 1), expected numFeatures = 4'],
    ['an image into BatchNorm1d', () => new nn.BatchNorm1d(3).call(tensor([[[[1]], [[2]], [[3]]]])), 'BatchNorm1d: expected 2D or 3D input, got shape [1, 3, 1, 1]'],
    ['a matrix into BatchNorm2d', () => new nn.BatchNorm2d(3).call(x), 'BatchNorm2d: expected 4D input, got shape [2, 3]'],
    ['numFeatures 0', () => new nn.BatchNorm2d(0), 'BatchNorm2d: numFeatures must be a positive integer, got 0'],
    ['momentum a string', () => new nn.BatchNorm1d(2, { momentum: 'none' as never }), "BatchNorm1d: momentum must be a finite number or null (a cumulative average), got the string 'none'"],
    ['affine not a boolean', () => new nn.BatchNorm1d(2, { affine: 1 as never }), 'BatchNorm1d: affine must be true or false, got number 1'],
    ['options not an object', () => new nn.BatchNorm1d(2, 0.1 as never), 'BatchNorm1d: options must be an object ({ … }), got number 0.1'],
  ])('%s', (_what, fn, message) => expect(fn).toThrow(message));

  it('a batch of one sample per channel in training mode is refused before it is counted', () => {
    const bn = new nn.BatchNorm2d(2);
    expect(() => bn.call(tensor([[[[1]], [[2]]]]))).toThrow('BatchNorm2d: expected more than 1 value per channel when training, got input shape [1, 2, 1, 1]');
    expect(bn.num_batches_tracked!.item()).toBe(0);
    expect(bn.eval().call(tensor([[[[1]], [[2]]]])).shape).toEqual([1, 2, 1, 1]); // evaluation mode takes it
  });
});

// layerNorm and nn.LayerNorm: values, gradients and second derivatives against PyTorch 1.13
// (test/fixtures/activations-reference.json, from scripts/activations_reference.py); against the same
// normalization composed of elementwise ops and reductions; gradcheck, gradgradcheck and the third order; errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, grad, gradcheck, gradgradcheck, layerNorm, nn, RandomState, Tensor, tensor, type Shape } from '../src/index.ts';
import { expectClose } from './expect-close.ts';
import { input } from './op-inputs.ts';
import { expectForwardOverReverse, expectJvp } from './jvp-check.ts';

interface LayerNormCase {
  shape: number[]; normalized_shape: number[]; eps: number; x: number[]; w: number[]; v: number[]; y: number[];
  grad_x: number[]; grad2_x: number[]; weight?: number[]; bias?: number[]; grad_weight?: number[]; grad_bias?: number[]; grad2_weight?: number[];
}
const cases = (JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'activations-reference.json'), 'utf8')) as { layer_norm: LayerNormCase[] }).layer_norm;
const leaf = (v: number[], shape: Shape): Tensor => Tensor.from(Float64Array.from(v), shape, { requiresGrad: true });

describe('layerNorm against PyTorch', () => {
  it.each(cases.map((c) => [`${JSON.stringify(c.shape)} over ${JSON.stringify(c.normalized_shape)}, eps ${c.eps}${c.weight ? ', affine' : ''}`, c] as const))('%s', (_name, c) => {
    const x = leaf(c.x, c.shape), ns = c.normalized_shape;
    const weight = c.weight ? leaf(c.weight, ns) : null, bias = c.bias ? leaf(c.bias, ns) : null;
    const y = layerNorm(x, ns, weight, bias, c.eps);
    // Values of order 1 agree to an ulp or so; those near 0 come from differences, hence the small atol.
    expectClose(y.data, c.y, { rtol: 1e-14, atol: 1e-15 }, 'value');
    // First derivatives with createGraph, then the gradient of (∂x·v).sum(), as the script takes them.
    const w = Tensor.from(Float64Array.from(c.w), c.shape), v = Tensor.from(Float64Array.from(c.v), c.shape);
    const leaves = weight === null ? [x] : [x, weight, bias!];
    const grads = grad([y.mul(w).sum()], leaves, { createGraph: true });
    expectClose(grads[0]!.data, c.grad_x, { rtol: 1e-14, atol: 1e-15 }, 'gradient of x');
    if (weight !== null) {
      expectClose(grads[1]!.data, c.grad_weight!, { rtol: 1e-14, atol: 1e-15 }, 'gradient of the weight');
      expectClose(grads[2]!.data, c.grad_bias!, { rtol: 1e-14 }, 'gradient of the bias');
    }
    const second = grad([grads[0]!.mul(v).sum()], weight === null ? [x] : [x, weight]);
    expectClose(second[0]!.data, c.grad2_x, { rtol: 1e-14, atol: 2e-15 }, 'second derivative, x');
    if (weight !== null) expectClose(second[1]!.data, c.grad2_weight!, { rtol: 1e-14, atol: 2e-15 }, 'second derivative, weight');
  });
});

/** The same normalization from elementwise ops and reductions: (x − mean)/√(var + eps)·weight + bias. */
function composed(x: Tensor, ns: number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const axes = ns.map((_, i) => x.ndim - ns.length + i), c = x.sub(x.mean(axes, true));
  let y = c.div(c.square().mean(axes, true).add(eps).sqrt());
  if (weight !== null) y = y.mul(weight);
  return bias === null ? y : y.add(bias);
}

describe('layerNorm agrees with its composition from elementwise ops, to the third derivative', () => {
  const CASES: [Shape, number[], boolean, number][] = [
    [[4, 5], [5], true, 1e-5],
    [[2, 3, 4], [3, 4], true, 1e-5],
    [[3, 4], [4], false, 0.5],
    [[6], [6], true, 1e-5],
    [[2, 1, 3], [1, 3], true, 1e-5],
  ];
  it.each(CASES)('%j over %j (affine %s, eps %s): values, gradients and second derivatives', (shape, ns, affine, eps) => {
    const x = input(shape, -2, 3, 700), weight = affine ? input(ns, 0.5, 1.5, 701) : null, bias = affine ? input(ns, -1, 1, 702) : null;
    const leaves = [x, ...(weight === null ? [] : [weight, bias!])];
    const w = input(shape, -1, 1, 703).detach();
    const derivatives = (f: typeof composed): Tensor[] => {
      const y = f(x, ns, weight, bias, eps), g = grad([y.mul(w).sum()], leaves, { createGraph: true });
      const h = grad([g[0]!.square().sum()], leaves, { allowUnused: true });
      return [y, ...g.map((t) => t!), ...h.filter((t): t is Tensor => t !== null)];
    };
    const got = derivatives(layerNorm as typeof composed), want = derivatives(composed);
    expect(got.length).toBe(want.length);
    got.forEach((t, i) => expectClose(t, want[i]!, { rtol: 1e-11, atol: 1e-12 }, `result ${i}`));
  });
});

describe('layerNorm: gradcheck, gradgradcheck and the third order', () => {
  const CASES: [Shape, number[], boolean][] = [[[3, 4], [4], true], [[2, 3, 4], [3, 4], true], [[2, 3, 4], [4], false], [[5], [5], true], [[2, 1], [1], true]];
  it.each(CASES)('%j over %j (affine %s)', (shape, ns, affine) => {
    const x = input(shape, -2, 2, 710), weight = affine ? input(ns, 0.5, 1.5, 711) : null, bias = affine ? input(ns, -1, 1, 712) : null;
    // eps 0.1 keeps a one-element row (variance 0) differentiable at finite-difference steps.
    const f = (...t: Tensor[]): Tensor => layerNorm(t[0]!, ns, t[1] ?? null, t[2] ?? null, 0.1);
    const inputs = weight === null ? [x] : [x, weight, bias!];
    const first = gradcheck(f, inputs), second = gradgradcheck(f, inputs);
    expect(first.ok, first.message).toBe(true);
    expect(second.ok, second.message).toBe(true);
  });
  it('the third derivative: gradgradcheck of the first derivative', () => {
    const x = input([2, 3, 4], -2, 2, 720), w = input([2, 3, 4], -1, 1, 721).detach();
    const firstDerivative = (t: Tensor): Tensor => grad([layerNorm(t, [4]).mul(w).sum()], [t], { createGraph: true })[0]!;
    const r = gradgradcheck(firstDerivative, [x]);
    expect(r.ok, r.message).toBe(true);
  });
});

describe('layerNorm: forward mode', () => {
  it('jvp in x, weight and bias, and forward over reverse (the fused backward op\'s and 1/σ\'s tangents)', () => {
    const x = input([3, 2, 4], -2, 2, 740), weight = input([2, 4], 0.5, 1.5, 741), bias = input([2, 4], -1, 1, 742);
    expectJvp((t, w, b) => layerNorm(t, [2, 4], w, b, 0.1), [x, weight, bias], 743);
    const v = input([3, 2, 4], -1, 1, 744).detach();
    expectForwardOverReverse((t) => layerNorm(t, [2, 4], weight.detach(), null, 0.1).mul(v).pow(3).sum(), x, 745);
  });
});

describe('layerNorm: edge cases', () => {
  it('a constant row normalizes to 0 (eps keeps it finite); a large offset does not cost digits (two passes)', () => {
    expect(layerNorm(tensor([[3, 3, 3]]), [3]).toArray()).toEqual([[0, 0, 0]]);
    const y = layerNorm(tensor([[1e8 + 1, 1e8 + 2, 1e8 + 3]]), [3], null, null, 0);
    expectClose(y.data, [-Math.sqrt(1.5), 0, Math.sqrt(1.5)], { rtol: 1e-14 }, 'offset rows');
  });
  it('a batch of 0 rows', () => {
    expect(layerNorm(tensor({ shape: [0, 3], data: [] }), [3]).shape).toEqual([0, 3]);
  });
  it('under compile, a replayed step equals the eager one', () => {
    const weight = tensor([1, 2, 0.5], { requiresGrad: true });
    const f = (x: Tensor): Tensor => {
      const loss = layerNorm(x, [3], weight).square().sum();
      return grad([loss], [weight])[0]!;
    };
    const step = compile(f);
    const data = new RandomState(3);
    for (let i = 0; i < 4; i++) {
      const x = Tensor.from(data.uniform(-2, 2, [4, 3]), [4, 3]);
      expectClose(step(x), f(x), { rtol: 1e-14 }, `call ${i}`);
    }
  });
});

describe('nn.LayerNorm', () => {
  it('weight ones and bias zeros over normalizedShape; the forward is layerNorm; printed as PyTorch prints it', () => {
    const norm = new nn.LayerNorm([2, 3]);
    expect(norm.namedParameters().map(([n, p]) => [n, p.shape, Array.from(p.data)])).toEqual([
      ['weight', [2, 3], [1, 1, 1, 1, 1, 1]], ['bias', [2, 3], [0, 0, 0, 0, 0, 0]],
    ]);
    const x = input([4, 2, 3], -2, 2, 730).detach();
    expect(norm.call(x).toArray()).toEqual(layerNorm(x, [2, 3], norm.weight, norm.bias).toArray());
    expect(norm.toString()).toBe('LayerNorm([2, 3], eps=0.00001, elementwiseAffine=true)');
    expect(new nn.LayerNorm(4, { eps: 1e-3, elementwiseAffine: false }).toString()).toBe('LayerNorm([4], eps=0.001, elementwiseAffine=false)');
  });
  it('elementwiseAffine false: no parameters; bias false: a weight only', () => {
    const plain = new nn.LayerNorm(3, { elementwiseAffine: false });
    expect(plain.parameters()).toEqual([]);
    expect(plain.weight).toBeNull();
    const x = input([2, 3], -2, 2, 731).detach();
    expect(plain.call(x).toArray()).toEqual(layerNorm(x, [3]).toArray());
    const noBias = new nn.LayerNorm(3, { bias: false });
    expect(noBias.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(noBias.bias).toBeNull();
  });
  it('trains: its parameters get gradients, and a state dict round-trips', () => {
    const norm = new nn.LayerNorm(3);
    norm.call(input([5, 3], -2, 2, 732).detach()).mul(tensor([1, 2, 3])).sum().backward();
    expect(norm.weight!.grad!.shape).toEqual([3]);
    expect(Array.from(norm.bias!.grad!.data)).toEqual([5, 10, 15]);
    const copy = new nn.LayerNorm(3);
    copy.loadStateDict(norm.stateDict());
    expect(copy.stateDict()).toEqual(norm.stateDict());
  });
});

describe('layerNorm and nn.LayerNorm: errors name the op and the shapes', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  it.each([
    [() => layerNorm(x, [2]), 'layerNorm: normalizedShape [2] is not the last dims of the input of shape [2, 3]'],
    [() => layerNorm(x, [2, 2, 3]), 'layerNorm: normalizedShape [2, 2, 3] is not the last dims of the input of shape [2, 3]'],
    [() => layerNorm(x, []), 'layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got an array ([])'],
    [() => layerNorm(x, 0), 'layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got number 0'],
    [() => layerNorm(x, [3], tensor([1, 1])), 'layerNorm: weight of shape [2] must have the normalized shape [3]'],
    [() => layerNorm(x, [3], null, tensor([[0, 0, 0]])), 'layerNorm: bias of shape [1, 3] must have the normalized shape [3]'],
    [() => layerNorm(x, [3], [1, 1, 1] as never), 'layerNorm: weight must be a tensor or null, got an array ([1,1,1])'],
    [() => layerNorm(x, [3], null, null, -1), 'layerNorm: eps must be a finite number ≥ 0, got -1'],
    [() => layerNorm(x, [3], null, null, NaN), 'layerNorm: eps must be a finite number ≥ 0, got NaN'],
    [() => layerNorm([1, 2] as never, [2]), 'layerNorm: the input must be a tensor'],
    [() => new nn.LayerNorm([3, 0]), 'LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got an array ([3,0])'],
    [() => new nn.LayerNorm(3, { eps: -1 }), 'LayerNorm: eps must be a finite number ≥ 0, got number -1'],
    [() => new nn.LayerNorm(3, { elementwiseAffine: 1 as never }), 'LayerNorm: elementwiseAffine must be true or false, got number 1'],
    [() => new nn.LayerNorm(4).call(x), 'layerNorm: normalizedShape [4] is not the last dims of the input of shape [2, 3]'],
  ])('%s', (f, message) => {
    expect(f).toThrow(message);
  });
});

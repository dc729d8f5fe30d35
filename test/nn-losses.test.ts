// nn losses: values against the formulas written out by hand (PyTorch semantics: mean over all elements,
// BCE logs clamped at −100, a bceWithLogitsLoss that cannot overflow), gradients by gradcheck and by formula,
// and the errors. The expected values are plain arithmetic, never the engine.
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, grad, gradcheck, gradgradcheck, nn, RandomState, squaredError, Tensor, tensor,
} from '../src/index.ts';
import { expectClose } from './expect-close.ts';
import { sigma } from './nn-helpers.ts';

const clampedLog = (x: number): number => Math.max(Math.log(x), -100);

// Per-element losses as the textbooks (and PyTorch's documentation) write them.
const mse = (p: number, y: number): number => (p - y) ** 2;
const bce = (p: number, y: number): number => -(y * clampedLog(p) + (1 - y) * clampedLog(1 - p));
// −[y log σ(z) + (1 − y) log(1 − σ(z))], with −log σ(z) = log(1 + e^−z) and −log(1 − σ(z)) = log(1 + e^z) so that
// log(1 − σ(z)) does not lose its digits to cancellation (fine for |z| ≤ 700).
const bceLogits = (z: number, y: number): number => y * Math.log1p(Math.exp(-z)) + (1 - y) * Math.log1p(Math.exp(z));

const leaf = (rng: RandomState, shape: number[], lo: number, hi: number, requiresGrad = true): Tensor =>
  Tensor.from(rng.uniform(lo, hi, shape), shape, { requiresGrad });

type LossFn = typeof nn.mseLoss;
const REDUCTIONS: nn.Reduction[] = ['mean', 'sum', 'none'];
// name, function, per-element formula, the range predictions are drawn from
const LOSSES: [string, LossFn, (p: number, y: number) => number, [number, number]][] = [
  ['mseLoss', nn.mseLoss, mse, [-2, 2]],
  ['bceLoss', nn.bceLoss, bce, [0.05, 0.95]],
  ['bceWithLogitsLoss', nn.bceWithLogitsLoss, bceLogits, [-4, 4]],
];

describe('loss values against the hand-written formulas', () => {
  for (const [name, fn, f, [lo, hi]] of LOSSES) {
    it(`${name}: 'none' is elementwise, 'sum' adds, 'mean' divides by the number of ALL elements (the default)`, () => {
      const rng = new RandomState(31);
      for (const shape of [[2, 3], [4, 1], [5], [2, 3, 2], [1]]) {
        const p = leaf(rng, shape, lo, hi, false), y = leaf(rng, shape, 0, 1, false);
        const each = Array.from(p.data, (pi, i) => f(pi, y.data[i]));
        const total = each.reduce((s, v) => s + v, 0);
        const none = fn(p, y, { reduction: 'none' });
        expect(none.shape, `${shape}`).toEqual(shape);
        expectClose(none.data, each, { rtol: 1e-13 }, `${name} none ${shape}`);
        const sum = fn(p, y, { reduction: 'sum' });
        expect(sum.shape).toEqual([]);
        expectClose([sum.item()], [total], { rtol: 1e-13 }, `${name} sum ${shape}`);
        const mean = fn(p, y, { reduction: 'mean' });
        expect(mean.shape).toEqual([]);
        expectClose([mean.item()], [total / each.length], { rtol: 1e-13 }, `${name} mean ${shape}`);
        expectClose([fn(p, y).item()], [total / each.length], { rtol: 1e-13 }, `${name} default ${shape}`);
      }
    });
  }

  it('mseLoss by hand on a small example: mean of [1, 4, 0, 0.25, 9, 16] (over all 6, not per row)', () => {
    const p = tensor([[1, 2, 3], [0.5, -1, 4]]), y = tensor([[0, 0, 3], [1, 2, 0]]);
    expect(nn.mseLoss(p, y).item()).toBe(30.25 / 6);
    expect(nn.mseLoss(p, y, { reduction: 'sum' }).item()).toBe(30.25);
    expect(Array.from(nn.mseLoss(p, y, { reduction: 'none' }).data)).toEqual([1, 4, 0, 0.25, 9, 16]);
  });

  it('bceLoss at probabilities exactly 0 and 1: logs clamped at −100, so finite loss and finite gradient', () => {
    // p, y, loss, ∂loss/∂p: PyTorch's (p − y) / max(p(1 − p), 1e-12)
    const cases: [number, number, number, number][] = [
      [0, 1, 100, -1e12],
      [1, 0, 100, 1e12],
      [0, 0, 0, 0],
      [1, 1, 0, 0],
      [0, 0.5, 50, -0.5e12],
      [1, 0.25, 75, 0.75e12],
      [1e-50, 1, 100, (1e-50 - 1) / 1e-12], // log(1e-50) ≈ −115 is clamped too
    ];
    for (const [pv, yv, loss, grad] of cases) {
      const p = tensor([pv], { requiresGrad: true }), y = tensor([yv], { requiresGrad: true });
      const l = nn.bceLoss(p, y, { reduction: 'sum' });
      expect(l.item(), `p=${pv}, y=${yv}: loss`).toBe(loss);
      l.backward();
      expect(Number.isFinite(p.grad!.data[0]), `p=${pv}, y=${yv}: finite ∂/∂p`).toBe(true);
      expectClose(p.grad!.data, [grad], { rtol: 1e-15 }, `p=${pv}, y=${yv}: ∂/∂p`);
      // ∂/∂y = log(1 − p) − log p, each clamped
      expect(y.grad!.data[0], `p=${pv}, y=${yv}: ∂/∂y`).toBe(clampedLog(1 - pv) - clampedLog(pv));
    }
  });

  it('bceWithLogitsLoss at z = ±1000: finite, correct values and the gradient exactly σ(z) − y', () => {
    // z, y, loss = max(z, 0) − zy + log(1 + e^−|z|) (the last term is 0 in float64 here), ∂/∂z = σ(z) − y
    const cases: [number, number, number, number][] = [
      [1000, 0, 1000, 1],
      [-1000, 0, 0, 0],
      [1000, 1, 0, 0],
      [-1000, 1, 1000, -1],
      [1000, 0.25, 750, 0.75],
      [-1000, 0.25, 250, -0.25],
    ];
    const z = tensor(cases.map((c) => c[0]), { requiresGrad: true }), y = tensor(cases.map((c) => c[1]));
    const l = nn.bceWithLogitsLoss(z, y, { reduction: 'none' });
    cases.forEach(([zv, yv, loss], i) => expect(l.data[i], `z=${zv}, y=${yv}: loss`).toBe(loss));
    const s = nn.bceWithLogitsLoss(z, y, { reduction: 'sum' });
    expect(s.item()).toBe(3000);
    s.backward();
    cases.forEach(([zv, yv, , grad], i) => expect(z.grad!.data[i], `z=${zv}, y=${yv}: ∂/∂z`).toBe(grad));
    // mean over 6: each gradient divided by 6
    z.zeroGrad();
    nn.bceWithLogitsLoss(z, y).backward();
    expectClose(z.grad!.data, cases.map((c) => c[3] / 6), { rtol: 1e-15 }, 'mean ∂/∂z');
  });

  it('bceWithLogitsLoss at moderate z equals y·log(1 + e^−z) + (1 − y)·log(1 + e^z) = −[y log σ(z) + (1 − y) log(1 − σ(z))]', () => {
    const zs = [-30, -5, -1, -1e-8, 0, 1e-8, 0.5, 3, 30], ys = [0, 1, 0.3, 1, 0.5, 0, 0.9, 0.1, 1];
    const l = nn.bceWithLogitsLoss(tensor(zs), tensor(ys), { reduction: 'none' });
    expectClose(l.data, zs.map((z, i) => bceLogits(z, ys[i])), { rtol: 1e-13 }, 'vs definition');
    expect(l.data[4]).toBe(Math.LN2);
  });
});

describe('gradients', () => {
  for (const [name, fn, , [lo, hi]] of LOSSES) {
    for (const reduction of REDUCTIONS) {
      it(`gradcheck ${name} (${reduction}) wrt prediction and target`, () => {
        const rng = new RandomState(41);
        for (const shape of [[3, 4], [5], [1, 1]]) {
          // targets inside (0.1, 0.9), so ±ε stays a valid probability
          const p = leaf(rng, shape, lo, hi), y = leaf(rng, shape, 0.1, 0.9);
          const r = gradcheck((a, b) => fn(a, b, { reduction }), [p, y]);
          expect(r.ok, `${shape}: ${r.message}`).toBe(true);
          // only the prediction requiring grad
          const y2 = leaf(rng, shape, 0.1, 0.9, false);
          const r2 = gradcheck((a, b) => fn(a, b, { reduction }), [p, y2]);
          expect(r2.ok, `${shape}, constant target: ${r2.message}`).toBe(true);
        }
      });
    }
  }

  it('gradgradcheck of each loss (sum, mean) wrt prediction and target: the summed op\'s rules are differentiable', () => {
    const rng = new RandomState(43);
    for (const [name, fn, , [lo, hi]] of LOSSES) {
      for (const reduction of ['sum', 'mean'] as const) {
        const p = leaf(rng, [3, 2], lo, hi), y = leaf(rng, [3, 2], 0.1, 0.9);
        const r = gradgradcheck((a, b) => fn(a, b, { reduction }).mul(a.sum()), [p, y], { atol: 1e-6, rtol: 1e-5 });
        expect(r.ok, `${name} ${reduction}: ${r.message}`).toBe(true);
      }
    }
  });

  // 'sum' and 'mean' are one op each (as PyTorch's mse_loss), with the same additions in the same order as the
  // elementwise loss followed by sum() or mean(): values and gradients agree bit for bit.
  it('sum and mean as one op equal the elementwise loss then sum() / mean(), bit for bit, values and gradients', () => {
    const rng = new RandomState(47);
    const each = { mseLoss: squaredError, bceLoss: binaryCrossEntropy, bceWithLogitsLoss: binaryCrossEntropyWithLogits };
    for (const [name, fn, , [lo, hi]] of LOSSES) {
      for (const reduction of ['sum', 'mean'] as const) {
        const p = leaf(rng, [7, 3], lo, hi), y = leaf(rng, [7, 3], 0, 1);
        const fused = fn(p, y, { reduction });
        expect(fused.gradFn!.name).toBe(name);
        const seed = { gradOutputs: tensor(0.7) }; // not 1, so that g ÷ n and g·(1/n) would differ
        const [gp, gy] = grad(fused, [p, y], seed);
        const e = each[name as keyof typeof each](p, y), composed = reduction === 'sum' ? e.sum() : e.mean();
        expect(fused.item(), `${name} ${reduction}`).toBe(composed.item());
        const [cp, cy] = grad(composed, [p, y], seed);
        expect(Array.from(gp!.data), `${name} ${reduction} ∂p`).toEqual(Array.from(cp!.data));
        expect(Array.from(gy!.data), `${name} ${reduction} ∂y`).toEqual(Array.from(cy!.data));
      }
    }
  });

  it('gradcheck bceLoss with probabilities near the edges of (0.05, 0.95) and 0/1 labels', () => {
    const p = tensor([0.05, 0.051, 0.949, 0.95, 0.5, 0.2], { requiresGrad: true });
    const y = tensor([0, 1, 0, 1, 1, 0]);
    for (const reduction of REDUCTIONS) {
      const r = gradcheck((a, b) => nn.bceLoss(a, b, { reduction }), [p, y]);
      expect(r.ok, `${reduction}: ${r.message}`).toBe(true);
    }
  });

  // ∂ℓ/∂p, ∂ℓ/∂y per element, by hand
  const derivatives: [string, LossFn, (p: number, y: number) => number, (p: number, y: number) => number, [number, number]][] = [
    ['mseLoss', nn.mseLoss, (p, y) => 2 * (p - y), (p, y) => 2 * (y - p), [-2, 2]],
    ['bceLoss', nn.bceLoss, (p, y) => (p - y) / (p * (1 - p)), (p) => Math.log(1 - p) - Math.log(p), [0.01, 0.99]],
    ['bceWithLogitsLoss', nn.bceWithLogitsLoss, (z, y) => sigma(z) - y, (z) => -z, [-6, 6]],
  ];
  for (const [name, fn, dp, dy, [lo, hi]] of derivatives) {
    it(`${name}: the gradient is the hand formula (over the element count for mean) at random points, to 1e-12`, () => {
      const rng = new RandomState(51);
      for (const reduction of REDUCTIONS) {
        const p = leaf(rng, [3, 4], lo, hi), y = leaf(rng, [3, 4], 0, 1);
        const out = fn(p, y, { reduction });
        if (reduction === 'none') out.backward(tensor(new Array(3).fill([1, 1, 1, 1])));
        else out.backward();
        const n = reduction === 'mean' ? 12 : 1;
        // floor 1e-3: where σ(z) − y cancels to ~0 the difference has no relative precision
        expectClose(p.grad!.data, Array.from(p.data, (pi, i) => dp(pi, y.data[i]) / n), { rtol: 5e-13, atol: 5e-16 / n }, `${reduction} ∂/∂pred`);
        expectClose(y.grad!.data, Array.from(p.data, (pi, i) => dy(pi, y.data[i]) / n), { rtol: 5e-13, atol: 5e-16 / n }, `${reduction} ∂/∂target`);
      }
    });
  }

  it("bceLoss(σ(z)) and bceWithLogitsLoss(z) both give the documents' delta σ(z) − y wrt z (F7)", () => {
    const rng = new RandomState(61);
    const z1 = leaf(rng, [8], -3, 3), y = tensor(Array.from({ length: 8 }, (_, i) => i % 2));
    const z2 = Tensor.from(Float64Array.from(z1.data), [8], { requiresGrad: true });
    nn.bceLoss(z1.sigmoid(), y, { reduction: 'sum' }).backward();
    nn.bceWithLogitsLoss(z2, y, { reduction: 'sum' }).backward();
    const want = Array.from(z1.data, (z, i) => sigma(z) - y.data[i]);
    expectClose(z1.grad!.data, want, { rtol: 5e-13, atol: 5e-16 }, 'through sigmoid');
    expectClose(z2.grad!.data, want, { rtol: 5e-13, atol: 5e-16 }, 'with logits');
  });
});

describe('errors', () => {
  for (const [name, fn] of LOSSES) {
    it(`${name}: a shape mismatch throws naming the loss and both shapes (no broadcasting)`, () => {
      const cases: [number[], number[]][] = [[[2, 3], [3, 2]], [[4, 1], [4]], [[4], [1]], [[2, 2], [2, 2, 1]]];
      for (const [ps, ys] of cases) {
        const p = Tensor.from(new Float64Array(ps.reduce((a, b) => a * b, 1)).fill(0.5), ps);
        const y = Tensor.from(new Float64Array(ys.reduce((a, b) => a * b, 1)).fill(0.5), ys);
        const shapes = (s: number[]) => `\\[${s.join(', ')}\\]`;
        expect(() => fn(p, y), `${ps} vs ${ys}`).toThrow(new RegExp(`^${name}: .*${shapes(ps)}.*${shapes(ys)}`));
      }
    });

    it(`${name}: an unknown reduction throws naming it`, () => {
      const p = tensor([0.5, 0.5]), y = tensor([0, 1]);
      expect(() => fn(p, y, { reduction: 'avg' as nn.Reduction })).toThrow(new RegExp(`${name}: unknown reduction 'avg'`));
    });
  }

  for (const [name, fn] of LOSSES.slice(1)) {
    it(`${name}: targets outside [0, 1] or NaN throw, naming the loss and the value`, () => {
      for (const bad of [-0.1, 1.5, -1e-300, 1 + 2 ** -52, Number.NaN, Infinity]) {
        const p = tensor([0.5, 0.5, 0.5]), y = tensor([0, bad, 1]);
        expect(() => fn(p, y), `target ${bad}`).toThrow(new RegExp(`${name}: targets must lie in \\[0, 1\\], got ${bad}`));
      }
      for (const ok of [0, 1, 0.5, 1e-300, -0]) expect(() => fn(tensor([0.5]), tensor([ok])), `target ${ok}`).not.toThrow();
    });
  }

  it('mseLoss accepts any finite target', () => {
    expect(nn.mseLoss(tensor([0]), tensor([-3])).item()).toBe(9);
  });
});

describe('bceLoss input checks', () => {
  it('throws on probabilities outside [0, 1], naming the loss and the value', () => {
    expect(() => nn.bceLoss(tensor([0.5, 1.5]), tensor([0, 1]))).toThrow(/bceLoss: probabilities must lie in \[0, 1\], got 1\.5 at index 1/);
    expect(() => nn.bceLoss(tensor([-0.1]), tensor([0]))).toThrow(/bceLoss.*-0\.1/);
  });
  it('bceWithLogitsLoss accepts any logit', () => {
    expect(Number.isFinite(nn.bceWithLogitsLoss(tensor([-5, 7]), tensor([0, 1])).item())).toBe(true);
  });
});

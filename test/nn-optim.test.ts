// Optimizers against PyTorch's update rules written out by hand:
//   SGD:  g = ∇ + λp;  buf = g at a parameter's first step, then μ·buf + g;  p −= lr·(μ ≠ 0 ? buf : g)
//   Adam: g = ∇ + λp;  m = β₁m + (1 − β₁)g;  v = β₂v + (1 − β₂)g²;  m̂ = m/(1 − β₁ᵗ);  v̂ = v/(1 − β₂ᵗ);
//         p −= lr·m̂/(√v̂ + ε), with t counting the steps in which that parameter had a gradient.
// A parameter whose grad is null is skipped entirely (no update, no state change), as in PyTorch.
import { describe, expect, it } from 'vitest';
import { nn, optim, RandomState, Tensor, tensor } from '../src/index.ts';
import { expectClose } from './expect-close.ts';
import { setup, sigma, type Grads } from './nn-helpers.ts';



interface SGDRule { lr: number; momentum?: number; weightDecay?: number }
interface AdamRule { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }

/** The parameters after each step of PyTorch's SGD, in plain arithmetic. */
function sgdByHand(p0: number[][], grads: Grads, { lr, momentum = 0, weightDecay = 0 }: SGDRule): number[][][] {
  const p = p0.map((v) => [...v]);
  const buf: (number[] | null)[] = p0.map(() => null);
  const history: number[][][] = [];
  for (const step of grads) {
    step.forEach((grad, k) => {
      if (grad === null) return;
      const g = grad.map((gi, i) => gi + weightDecay * p[k][i]);
      let d = g;
      if (momentum !== 0) {
        const prev = buf[k];
        buf[k] = prev === null ? g : prev.map((b, i) => momentum * b + g[i]);
        d = buf[k]!;
      }
      p[k] = p[k].map((w, i) => w - lr * d[i]);
    });
    history.push(p.map((v) => [...v]));
  }
  return history;
}

/** The parameters after each step of PyTorch's Adam (per-parameter step counts), in plain arithmetic. */
function adamByHand(p0: number[][], grads: Grads, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 }: AdamRule): number[][][] {
  const [b1, b2] = betas;
  const p = p0.map((v) => [...v]);
  const m = p0.map((v) => v.map(() => 0)), v = p0.map((x) => x.map(() => 0));
  const t = p0.map(() => 0);
  const history: number[][][] = [];
  for (const step of grads) {
    step.forEach((grad, k) => {
      if (grad === null) return;
      t[k] += 1;
      for (let i = 0; i < grad.length; i++) {
        const g = grad[i] + weightDecay * p[k][i];
        m[k][i] = b1 * m[k][i] + (1 - b1) * g;
        v[k][i] = b2 * v[k][i] + (1 - b2) * g * g;
        const mHat = m[k][i] / (1 - b1 ** t[k]);
        const vHat = v[k][i] / (1 - b2 ** t[k]);
        p[k][i] = p[k][i] - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
    history.push(p.map((x) => [...x]));
  }
  return history;
}

/** Run the optimizer with the fixed gradients, comparing every parameter after every step with the hand rule. */
function compare(opt: optim.SGD | optim.Adam, params: Tensor[], p0: number[][], grads: Grads, want: number[][][], what: string): void {
  grads.forEach((step, t) => {
    params.forEach((p, k) => (p.grad = step[k] === null ? null : Tensor.from(Float64Array.from(step[k]!), p.shape)));
    opt.step();
    params.forEach((p, k) => {
      expectClose(p.data, want[t][k], { rtol: 5e-13, atol: 5e-16 }, `${what}: step ${t + 1}, param ${k}`);
      // the update alone, far more sensitive than the parameter (Adam moves p by ~lr)
      const before = t === 0 ? p0[k] : want[t - 1][k];
      const wantDelta = want[t][k].map((w, i) => w - before[i]);
      if (step[k] !== null) {
        expectClose(p.data.map((w, i) => w - before[i]), wantDelta, { rtol: 5e-9, atol: 5e-15 }, `${what}: update ${t + 1}, param ${k}`);
      }
    });
  });
}

describe('optim.SGD', () => {
  const configs: SGDRule[] = [
    { lr: 0.1 },
    { lr: 0.05, momentum: 0.9 },
    { lr: 0.1, weightDecay: 0.3 },
    { lr: 0.05, momentum: 0.8, weightDecay: 0.2 },
  ];
  for (const rule of configs) {
    it(`follows PyTorch's rule for ${JSON.stringify(rule)} over 5 steps`, () => {
      const { params, p0, grads } = setup(71, 5);
      compare(new optim.SGD(params, rule), params, p0, grads, sgdByHand(p0, grads, rule), JSON.stringify(rule));
    });
  }

  it('plain SGD on one number: p = 1, g = 0.5, lr 0.1 → 0.95, 0.9, 0.85 (momentum 0.5 → 0.95, 0.875, 0.7875)', () => {
    const p = tensor([1], { requiresGrad: true });
    const plain = new optim.SGD([p], { lr: 0.1 });
    for (const want of [0.95, 0.9, 0.85]) {
      p.grad = tensor([0.5]);
      plain.step();
      expectClose(p.data, [want], { rtol: 1e-15 }, 'plain');
    }
    const q = tensor([1], { requiresGrad: true });
    const mom = new optim.SGD([q], { lr: 0.1, momentum: 0.5 });
    // buf: 0.5, 0.75, 0.875
    for (const want of [0.95, 0.875, 0.7875]) {
      q.grad = tensor([0.5]);
      mom.step();
      expectClose(q.data, [want], { rtol: 1e-15 }, 'momentum');
    }
  });
});

describe('optim.Adam', () => {
  const configs: AdamRule[] = [
    {},
    { weightDecay: 0.1 },
    { lr: 0.05, betas: [0.8, 0.99], eps: 1e-3, weightDecay: 0.25 },
    { lr: 0.2, betas: [0.5, 0.9], eps: 0.5 }, // large ε: its placement (outside the root) matters
  ];
  for (const rule of configs) {
    it(`follows PyTorch's rule (bias-corrected) for ${JSON.stringify(rule)} over 5 steps`, () => {
      const { params, p0, grads } = setup(72, 5);
      compare(new optim.Adam(params, rule), params, p0, grads, adamByHand(p0, grads, rule), JSON.stringify(rule));
    });
  }

  it('the first step moves each element by lr·g/(|g| + ε): about lr against the gradient\'s sign', () => {
    const p = tensor([0, 0, 0, 0], { requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.01 });
    const g = [3, -0.5, 1e-3, 0];
    p.grad = tensor(g);
    opt.step();
    expectClose(p.data, g.map((gi) => (-0.01 * gi) / (Math.abs(gi) + 1e-8)), { rtol: 5e-13, atol: 5e-16 }, 'first step');
    expect(p.data[3]).toBe(0);
  });

  it('defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, no weight decay', () => {
    const opt = new optim.Adam([tensor([1], { requiresGrad: true })]);
    expect([opt.lr, opt.betas, opt.eps, opt.weightDecay]).toEqual([1e-3, [0.9, 0.999], 1e-8, 0]);
  });
});

describe('both optimizers', () => {
  const makers: [string, (ps: Tensor[]) => optim.SGD | optim.Adam, (p0: number[][], g: Grads) => number[][][]][] = [
    ['SGD momentum', (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 }), (p0, g) => sgdByHand(p0, g, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 })],
    ['Adam', (ps) => new optim.Adam(ps, { lr: 0.1, weightDecay: 0.1 }), (p0, g) => adamByHand(p0, g, { lr: 0.1, weightDecay: 0.1 })],
  ];

  for (const [name, make, byHand] of makers) {
    it(`${name}: parameters whose grad is null are skipped, and their state does not advance`, () => {
      // param 1 has no gradient at steps 1 and 2, param 2 none at step 4
      const { params, p0, grads } = setup(73, 5, [[0, 1], [1, 1], [3, 2]]);
      const opt = make(params);
      const want = byHand(p0, grads);
      compare(opt, params, p0, grads, want, name);
      // and literally untouched while skipped
      expect(want[1][1]).toEqual(p0[1]);
    });

    it(`${name}: updates in place, builds no graph, keeps parameters leaves; zeroGrad() zeroes the gradients`, () => {
      const rng = new RandomState(74);
      const model = new nn.Sequential(new nn.Linear(3, 2, { rng }), new nn.Tanh(), new nn.Linear(2, 1, { rng }));
      const params = model.parameters();
      const buffers = params.map((p) => p.data);
      const opt = make(params);
      const x = Tensor.from(rng.uniform(-1, 1, [5, 3]), [5, 3]), y = Tensor.from(rng.uniform(-1, 1, [5, 1]), [5, 1]);
      for (let t = 0; t < 3; t++) {
        opt.zeroGrad();
        const loss = nn.mseLoss(model.forward(x), y);
        loss.backward();
        const before = params.map((p) => Array.from(p.data));
        const gradsBefore = params.map((p) => Array.from(p.grad!.data));
        opt.step();
        params.forEach((p, k) => {
          expect(p.data, 'same Float64Array').toBe(buffers[k]);
          expect(p.gradFn, 'no graph').toBeNull();
          expect(p.isLeaf).toBe(true);
          expect(p.requiresGrad).toBe(true);
          expect(Array.from(p.data), 'moved').not.toEqual(before[k]);
          expect(Array.from(p.grad!.data), 'gradient untouched by step').toEqual(gradsBefore[k]);
        });
      }
      const grads = params.map((p) => p.grad);
      opt.zeroGrad();
      params.forEach((p, k) => {
        expect(p.grad, 'same gradient tensor').toBe(grads[k]);
        expect(Array.from(p.grad!.data).every((v) => v === 0)).toBe(true);
      });
      const fresh = tensor([1], { requiresGrad: true });
      make([fresh]).zeroGrad();
      expect(fresh.grad).toBeNull();
    });

    it(`${name}: accepts a frozen parameter (requiresGrad false, as PyTorch) and never moves it`, () => {
      const live = tensor([1], { requiresGrad: true }), frozen = tensor([1, 2]);
      const opt = make([live, frozen]);
      live.mul(3).sum().backward();
      opt.step();
      expect(live.item()).not.toBe(1);
      expect(Array.from(frozen.data)).toEqual([1, 2]);
    });
  }
});

describe('with a real loss', () => {
  it("SGD(lr 1) on ½Σ(y − l2)² is the documents' numpy XOR loop, step by step", () => {
    const X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], Y = [0, 1, 1, 0];
    const rng = new RandomState(1);
    const model = new nn.Sequential(new nn.Linear(3, 4, { bias: false, rng }), new nn.Sigmoid(), new nn.Linear(4, 1, { bias: false, rng }), new nn.Sigmoid());
    const [w0, w1] = model.parameters();
    const syn0 = [0, 1, 2].map((k) => Array.from(w0.data.subarray(4 * k, 4 * k + 4))), syn1 = Array.from(w1.data);
    const opt = new optim.SGD(model.parameters(), { lr: 1 });
    const x = tensor(X), y = tensor(Y.map((v) => [v]));
    for (let step = 1; step <= 5; step++) {
      opt.zeroGrad();
      nn.mseLoss(model.forward(x), y, { reduction: 'sum' }).mul(0.5).backward();
      opt.step();
      // the documents' program, verbatim in plain loops
      const l1 = X.map((r) => [0, 1, 2, 3].map((j) => sigma(r[0] * syn0[0][j] + r[1] * syn0[1][j] + r[2] * syn0[2][j])));
      const l2 = l1.map((h) => sigma(h[0] * syn1[0] + h[1] * syn1[1] + h[2] * syn1[2] + h[3] * syn1[3]));
      const l2d = l2.map((a, i) => (Y[i] - a) * a * (1 - a));
      const l1d = l1.map((h, i) => h.map((a, j) => l2d[i] * syn1[j] * a * (1 - a)));
      for (let j = 0; j < 4; j++) syn1[j] += l1.reduce((s, h, i) => s + h[j] * l2d[i], 0);
      for (let k = 0; k < 3; k++) for (let j = 0; j < 4; j++) syn0[k][j] += X.reduce((s, r, i) => s + r[k] * l1d[i][j], 0);
      expectClose(w1.data, syn1, { rtol: 5e-13, atol: 5e-15 }, `syn1 after step ${step}`);
      expectClose(w0.data, syn0.flat(), { rtol: 5e-13, atol: 5e-15 }, `syn0 after step ${step}`);
    }
  });

  it('Adam on a linear least-squares model: gradients by hand, PyTorch rule by hand, 5 steps', () => {
    const rng = new RandomState(75);
    const lin = new nn.Linear(3, 2, { rng });
    const m = 6;
    const X = Array.from({ length: m }, () => Array.from(rng.uniform(-1, 1, [3]))), Yt = Array.from({ length: m }, () => Array.from(rng.uniform(-1, 1, [2])));
    const W = Array.from(lin.weight.data), b = Array.from(lin.bias!.data);
    const rule = { lr: 0.05, weightDecay: 0.01 };
    const opt = new optim.Adam(lin.parameters(), rule);
    const x = tensor(X), y = tensor(Yt);
    // hand state
    const st = [W, b].map((p) => ({ m: p.map(() => 0), v: p.map(() => 0) }));
    for (let t = 1; t <= 5; t++) {
      opt.zeroGrad();
      nn.mseLoss(lin.forward(x), y).backward(); // mean over m·2 elements
      opt.step();
      // ∂/∂W[k][j] = (2/(2m)) Σ_i x_ik (x_i·W_j + b_j − y_ij);  ∂/∂b_j = (2/(2m)) Σ_i (…)
      const r = X.map((xi, i) => [0, 1].map((j) => xi[0] * W[j] + xi[1] * W[2 + j] + xi[2] * W[4 + j] + b[j] - Yt[i][j]));
      const gW = [0, 1, 2].flatMap((k) => [0, 1].map((j) => (2 / (2 * m)) * X.reduce((s, xi, i) => s + xi[k] * r[i][j], 0)));
      const gb = [0, 1].map((j) => (2 / (2 * m)) * r.reduce((s, ri) => s + ri[j], 0));
      [[W, gW], [b, gb]].forEach(([p, grad], k) => {
        for (let i = 0; i < p.length; i++) {
          const g = grad[i] + rule.weightDecay * p[i];
          st[k].m[i] = 0.9 * st[k].m[i] + 0.1 * g;
          st[k].v[i] = 0.999 * st[k].v[i] + 0.001 * g * g;
          p[i] -= (rule.lr * (st[k].m[i] / (1 - 0.9 ** t))) / (Math.sqrt(st[k].v[i] / (1 - 0.999 ** t)) + 1e-8);
        }
      });
      expectClose(lin.weight.data, W, { rtol: 5e-13, atol: 5e-15 }, `W after step ${t}`);
      expectClose(lin.bias!.data, b, { rtol: 5e-13, atol: 5e-15 }, `b after step ${t}`);
    }
  });
});

describe('optimizer settings', () => {
  const p = () => [Tensor.from(new Float64Array([1, 2]), [2], { requiresGrad: true })];
  it('are checked like PyTorch, naming the optimizer and the setting', () => {
    expect(() => new optim.SGD(p(), { lr: -0.1 })).toThrow(/SGD: lr must be a finite number ≥ 0, got -0\.1/);
    expect(() => new optim.SGD(p(), { lr: NaN })).toThrow(/SGD: lr/);
    expect(() => new optim.SGD(p(), { lr: 0.1, momentum: -1 })).toThrow(/SGD: momentum/);
    expect(() => new optim.Adam(p(), { weightDecay: -1 })).toThrow(/Adam: weightDecay/);
    expect(() => new optim.Adam(p(), { betas: [0.9, 1] })).toThrow(/Adam: betas must lie in \[0, 1\), got \[0\.9, 1\]/);
  });
});

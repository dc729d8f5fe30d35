// AdamW and RMSprop against PyTorch's update rules written out by hand (and one PyTorch 1.13 trajectory each),
// a writable lr, the StepLR and CosineAnnealingLR schedules against torch.optim.lr_scheduler, and
// clipGradNorm against torch.nn.utils.clip_grad_norm_ (PyTorch values computed once, written as literals).
//   AdamW:   p ← p·(1 − lr·λ);  m = β₁m + (1 − β₁)g;  v = β₂v + (1 − β₂)g²;  p −= lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
//   RMSprop: g = ∇ + λp;  s = αs + (1 − α)g²;  centered: a = αa + (1 − α)g, d = √(s − a²) + ε, else d = √s + ε;
//            μ > 0: b = μb + g/d, p −= lr·b;  else p −= lr·g/d
import { describe, expect, it } from 'vitest';
import { nn, optim, Tensor, tensor } from '../src/index.ts';
import { expectClose } from './expect-close.ts';
import { setup, type Grads } from './nn-helpers.ts';


interface AdamWRule { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }
interface RMSRule { lr?: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean }

function adamWByHand(p0: number[][], grads: Grads, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2 }: AdamWRule): number[][][] {
  const [b1, b2] = betas;
  const p = p0.map((v) => [...v]), m = p0.map((v) => v.map(() => 0)), v = p0.map((x) => x.map(() => 0)), t = p0.map(() => 0);
  return grads.map((step) => {
    step.forEach((grad, k) => {
      if (grad === null) return;
      t[k] += 1;
      for (let i = 0; i < grad.length; i++) {
        p[k][i] *= 1 - lr * weightDecay;
        m[k][i] = b1 * m[k][i] + (1 - b1) * grad[i];
        v[k][i] = b2 * v[k][i] + (1 - b2) * grad[i] * grad[i];
        p[k][i] -= (lr / (1 - b1 ** t[k])) * (m[k][i] / (Math.sqrt(v[k][i]) / Math.sqrt(1 - b2 ** t[k]) + eps));
      }
    });
    return p.map((x) => [...x]);
  });
}

function rmspropByHand(p0: number[][], grads: Grads, { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false }: RMSRule): number[][][] {
  const p = p0.map((v) => [...v]), s = p0.map((v) => v.map(() => 0)), a = p0.map((v) => v.map(() => 0)), b = p0.map((v) => v.map(() => 0));
  return grads.map((step) => {
    step.forEach((grad, k) => {
      if (grad === null) return;
      for (let i = 0; i < grad.length; i++) {
        const g = grad[i] + weightDecay * p[k][i];
        s[k][i] = alpha * s[k][i] + (1 - alpha) * g * g;
        let d: number;
        if (centered) {
          a[k][i] = alpha * a[k][i] + (1 - alpha) * g;
          d = Math.sqrt(s[k][i] - a[k][i] * a[k][i]) + eps;
        } else {
          d = Math.sqrt(s[k][i]) + eps;
        }
        if (momentum > 0) {
          b[k][i] = momentum * b[k][i] + g / d;
          p[k][i] -= lr * b[k][i];
        } else {
          p[k][i] -= (lr * g) / d;
        }
      }
    });
    return p.map((x) => [...x]);
  });
}

function compare(opt: optim.Optimizer, params: Tensor[], grads: Grads, want: number[][][], what: string): void {
  grads.forEach((step, t) => {
    params.forEach((p, k) => (p.grad = step[k] === null ? null : Tensor.from(Float64Array.from(step[k]!), p.shape)));
    opt.step();
    params.forEach((p, k) => expectClose(p.data, want[t][k], { rtol: 5e-13, atol: 5e-16 }, `${what}: step ${t + 1}, param ${k}`));
  });
}

/** Four steps from p = [1, −2, 0.5] with these gradients, as the PyTorch runs below were made. */
const GRADS4 = [[0.5, -1.5, 2.0], [-0.25, 1.0, 3.0], [1.5, 0.5, -2.5], [0.1, -0.2, 0.3]];
function run4(make: (p: Tensor) => optim.Optimizer): number[][] {
  const p = tensor([1, -2, 0.5], { requiresGrad: true }), opt = make(p);
  return GRADS4.map((g) => {
    p.grad = tensor(g);
    opt.step();
    return Array.from(p.data);
  });
}

describe('optim.AdamW', () => {
  const configs: AdamWRule[] = [{}, { lr: 0.05, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.3 }, { lr: 0.1, weightDecay: 0 }];
  for (const rule of configs) {
    it(`follows PyTorch's rule for ${JSON.stringify(rule)} over 5 steps, skipping null gradients`, () => {
      const { params, p0, grads } = setup(81, 5, [[1, 0], [2, 2]]);
      compare(new optim.AdamW(params, rule), params, grads, adamWByHand(p0, grads, rule), JSON.stringify(rule));
    });
  }
  // p = torch.tensor([1., −2., .5], float64); torch.optim.AdamW([p], …); p.grad = each of GRADS4, step(); p.tolist().
  it('matches PyTorch 1.13: torch.optim.AdamW([p], lr=0.05) and (lr=0.05, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.3)', () => {
    const a = run4((p) => new optim.AdamW([p], { lr: 0.05 }));
    expectClose(a.flat(), [0.9495000010000001, -1.9490000003333334, 0.44975000025, 0.9357083993534234, -1.9407994739040344, 0.3999847622173375, 0.9017155172578794, -1.942990064877667, 0.386529395932418, 0.8720437793797167, -1.9415005605613107, 0.3735194740376643], { rtol: 1e-14 }, 'AdamW');
    const b = run4((p) => new optim.AdamW([p], { lr: 0.05, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.3 }));
    expectClose(b.flat(), [0.9350000999997999, -1.9200000333333112, 0.4425000249999875, 0.9102637162540116, -1.88679710809695, 0.3862436751236263, 0.8621072502376514, -1.8651476133482077, 0.3709589813776957, 0.8200587461176561, -1.8385428501088152, 0.3556018448773084], { rtol: 1e-14 }, 'AdamW');
  });
  it('defaults as PyTorch: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weight decay 0.01; the decay is not Adam\'s', () => {
    const opt = new optim.AdamW([tensor([1], { requiresGrad: true })]);
    expect([opt.lr, opt.betas, opt.eps, opt.weightDecay]).toEqual([1e-3, [0.9, 0.999], 1e-8, 1e-2]);
    const adam = run4((p) => new optim.Adam([p], { lr: 0.05, weightDecay: 0.3 }));
    const adamW = run4((p) => new optim.AdamW([p], { lr: 0.05, weightDecay: 0.3 }));
    expect(Math.abs(adam[3][0] - adamW[3][0])).toBeGreaterThan(1e-3);
  });
});

describe('optim.RMSprop', () => {
  const configs: RMSRule[] = [
    {},
    { lr: 0.02, alpha: 0.9, eps: 1e-4, weightDecay: 0.1 },
    { lr: 0.01, momentum: 0.8 },
    { lr: 0.01, centered: true },
    { lr: 0.02, alpha: 0.9, eps: 1e-4, weightDecay: 0.1, momentum: 0.7, centered: true },
  ];
  for (const rule of configs) {
    it(`follows PyTorch's rule for ${JSON.stringify(rule)} over 5 steps, skipping null gradients`, () => {
      const { params, p0, grads } = setup(82, 5, [[0, 1], [3, 0]]);
      compare(new optim.RMSprop(params, rule), params, grads, rmspropByHand(p0, grads, rule), JSON.stringify(rule));
    });
  }
  it('matches PyTorch 1.13: torch.optim.RMSprop([p], lr=0.01) and (lr=0.02, alpha=0.9, eps=1e-4, weight_decay=0.1, momentum=0.7, centered=True)', () => {
    const a = run4((p) => new optim.RMSprop([p], { lr: 0.01 }));
    expectClose(a.flat(), [0.900000019999996, -1.9000000066666662, 0.40000000499999977, 0.9449013374421751, -1.9556630375674307, 0.31666667398148124, 0.8510945290092068, -1.9826007793729585, 0.3738996410600408, 0.8448216146891122, -1.9718343476062699, 0.36701347069763113], { rtol: 1e-13 }, 'RMSprop');
    const b = run4((p) => new optim.RMSprop([p], { lr: 0.02, alpha: 0.9, eps: 1e-4, weightDecay: 0.1, momentum: 0.7, centered: true }));
    expectClose(b.flat(), [0.9333703498056635, -1.9333464026661438, 0.4333441716794017, 0.9038685348080504, -1.9152064990370055, 0.32772339370550163, 0.8192093652025234, -1.9137519281984796, 0.2911365844214831, 0.7522304644735103, -1.8980062538800775, 0.26027715928817774], { rtol: 1e-13 }, 'RMSprop');
  });
  it('checks its settings', () => {
    const p = [tensor([1], { requiresGrad: true })];
    expect(() => new optim.RMSprop(p, { alpha: -0.5 })).toThrow(/^RMSprop: alpha must be a finite number ≥ 0, got -0.5/);
    expect(() => new optim.RMSprop(p, { centered: 1 as unknown as boolean })).toThrow(/^RMSprop: centered must be true or false/);
  });
});

describe('a writable learning rate', () => {
  it('a loop can change lr between steps, and the next step uses it', () => {
    const p = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    for (const [lr, want] of [[0.1, 0.95], [0.2, 0.85], [0.05, 0.825]] as const) {
      opt.lr = lr;
      p.grad = tensor([0.5]);
      opt.step();
      expectClose(p.data, [want], { rtol: 1e-15 }, `lr ${lr}`);
    }
  });
  it('is checked when set', () => {
    const opt = new optim.Adam([tensor([1], { requiresGrad: true })]);
    expect(() => { opt.lr = -1; }).toThrow(/^Adam: lr must be a finite number ≥ 0, got -1/);
    expect(() => { opt.lr = Infinity; }).toThrow(/^Adam: lr must be a finite number/);
    expect(opt.lr).toBe(1e-3);
  });
});

describe('learning-rate schedules against torch.optim.lr_scheduler', () => {
  const sgd = (lr: number): optim.SGD => new optim.SGD([tensor([0], { requiresGrad: true })], { lr });
  // opt = SGD([p], lr=0.1); s = StepLR(opt, step_size=3, gamma=0.1); then opt.step(); s.step() ten times,
  // recording opt.param_groups[0]['lr'] after each.
  it('StepLR(stepSize 3, gamma 0.1)', () => {
    const opt = sgd(0.1), s = new optim.StepLR(opt, { stepSize: 3 });
    const lrs = Array.from({ length: 10 }, () => (opt.step(), s.step(), opt.lr));
    expect(lrs).toEqual([0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.00010000000000000003, 0.00010000000000000003]);
    expect(s.getLastLr()).toBe(opt.lr);
    expect(s.lastEpoch).toBe(10);
  });
  // CosineAnnealingLR(opt, T_max=5, eta_min=0.001) over 16 epochs (three half-periods): PyTorch's recurrence,
  // which differs from the closed form eta_min + (base − eta_min)(1 + cos(πt/T))/2 in the last bits
  // (e.g. 0.10000000000000005 at t = 10, where the closed form gives 0.1).
  it('CosineAnnealingLR(tMax 5, etaMin 0.001): the recurrence PyTorch uses, down and back up', () => {
    const opt = sgd(0.1), s = new optim.CosineAnnealingLR(opt, { tMax: 5, etaMin: 0.001 });
    const lrs = Array.from({ length: 16 }, () => (s.step(), opt.lr));
    expectClose(lrs, [0.0905463412215599, 0.06579634122155989, 0.035203658778440096, 0.010453658778440105, 0.001, 0.010453658778440102, 0.03520365877844012, 0.06579634122155993, 0.09054634122155995, 0.10000000000000005, 0.09054634122155998, 0.06579634122155995, 0.03520365877844014, 0.010453658778440116, 0.001, 0.010453658778440102], { rtol: 1e-15 }, 'lr');
  });
  // CosineAnnealingLR(opt(lr 0.1), T_max=4); after the second step lr is set to 0.05 by hand.
  it('chainable: an lr changed by hand carries on through the recurrence, as in PyTorch', () => {
    const opt = sgd(0.1), s = new optim.CosineAnnealingLR(opt, { tMax: 4 });
    const lrs = Array.from({ length: 6 }, (_, e) => {
      s.step();
      if (e === 1) opt.lr = 0.05;
      return opt.lr;
    });
    expectClose(lrs, [0.08535533905932738, 0.05, 0.014644660940672627, 0.0, 0.014644660940672622, 0.05000000000000001], { rtol: 5e-16, atol: 5e-33 }, 'lr');
  });
  it('errors name the schedule and the setting', () => {
    expect(() => new optim.StepLR(sgd(0.1), { stepSize: 0 })).toThrow(/^StepLR: stepSize must be a positive integer, got 0/);
    expect(() => new optim.StepLR(sgd(0.1), { stepSize: 2, gamma: -1 })).toThrow(/^StepLR: gamma must be a finite number ≥ 0/);
    expect(() => new optim.CosineAnnealingLR(sgd(0.1), { tMax: 2.5 })).toThrow(/^CosineAnnealingLR: tMax must be a positive integer, got 2.5/);
    expect(() => new optim.CosineAnnealingLR(null as unknown as optim.SGD, { tMax: 2 })).toThrow(/^CosineAnnealingLR: expected an optimizer/);
  });
});

describe('clipGradNorm against torch.nn.utils.clip_grad_norm_', () => {
  // a.grad = [[0.5, −1.5, 2], [3, −0.25, 1]], b.grad = [4, −2, 0.5, 1.5], c.grad = None;
  // tn = clip_grad_norm_([a, b, c], max_norm, norm_type); tn.item(), a.grad and b.grad printed.
  const CASES: [number, number, number, number[]][] = [
    [1, 2, 6.25, [0.07999998720000205, -0.23999996160000614, 0.3199999488000082, 0.4799999232000123, -0.039999993600001026, 0.1599999744000041, 0.6399998976000164, -0.3199999488000082, 0.07999998720000205, 0.23999996160000614]],
    [100, 2, 6.25, [0.5, -1.5, 2.0, 3.0, -0.25, 1.0, 4.0, -2.0, 0.5, 1.5]],
    [2, Infinity, 4, [0.24999993750001562, -0.7499998125000469, 0.9999997500000625, 1.4999996250000938, -0.12499996875000781, 0.49999987500003124, 1.999999500000125, -0.9999997500000625, 0.24999993750001562, 0.7499998125000469]],
    [3, 1, 16.25, [0.09230768662721928, -0.27692305988165783, 0.3692307465088771, 0.5538461197633157, -0.04615384331360964, 0.18461537325443855, 0.7384614930177542, -0.3692307465088771, 0.09230768662721928, 0.27692305988165783]],
    [1.5, 3, 4.863164363155224, [0.1542205423821738, -0.4626616271465214, 0.6168821695286952, 0.9253232542930429, -0.0771102711910869, 0.3084410847643476, 1.2337643390573905, -0.6168821695286952, 0.1542205423821738, 0.4626616271465214]],
  ];
  it.each(CASES)('maxNorm %d, norm type %d: returns the total norm and scales every gradient', (maxNorm, normType, total, scaled) => {
    const a = tensor([[0, 0, 0], [0, 0, 0]], { requiresGrad: true }), b = tensor([0, 0, 0, 0], { requiresGrad: true }), c = tensor([0], { requiresGrad: true });
    a.grad = tensor([[0.5, -1.5, 2], [3, -0.25, 1]]);
    b.grad = tensor([4, -2, 0.5, 1.5]);
    const n = nn.clipGradNorm([a, b, c], maxNorm, normType);
    expect(n.shape).toEqual([]);
    expectClose(n.data, [total], { rtol: 1e-15 }, 'total norm');
    expectClose([...a.grad.data, ...b.grad.data], scaled, { rtol: 1e-14 }, 'gradients');
    expect(c.grad).toBeNull();
  });
  it('with no gradients returns 0; errors name the function', () => {
    expect(nn.clipGradNorm([tensor([1], { requiresGrad: true })], 1).item()).toBe(0);
    expect(() => nn.clipGradNorm([tensor([1])], -1)).toThrow(/^clipGradNorm: maxNorm must be a number ≥ 0, got -1/);
    expect(() => nn.clipGradNorm([1 as unknown as Tensor], 1)).toThrow(/^clipGradNorm: params must be an array of tensors/);
    expect(() => nn.clipGradNorm([tensor([1])], 1, 0)).toThrow(/^clipGradNorm: normType must be a number > 0/);
  });
});

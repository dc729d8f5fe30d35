// The activations of issue 19 (gelu, silu, logSigmoid, leakyRelu, elu, softplus, hardtanh) and their modules: erf
// against PyTorch and mpmath; values, first and second derivatives at edge values against PyTorch 1.13 and mpmath
// (test/fixtures/activations-reference.json, written by scripts/activations_reference.py); gradcheck and
// gradgradcheck over shapes and settings, and the third order of the fused backward ops; compile(); the errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compile, elu, gelu, grad, gradcheck, gradgradcheck, hardtanh, leakyRelu, logSigmoid, nn, noGrad, RandomState, silu, softplus, Tensor, tensor, zeros,
  type Shape,
} from '../src/index.ts';
import { erf, erfc } from '../src/tensor/erf.ts';
import { expectClose } from './expect-close.ts';
import { input, signed } from './op-inputs.ts';
import { expectForwardOverReverse, expectJvp } from './jvp-check.ts';

interface ActivationCase {
  name: string; settings: Record<string, unknown>; x: number[];
  y: number[]; grad: number[]; grad2: number[]; mp_y: number[]; mp_grad: number[]; mp_grad2: number[];
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'activations-reference.json'), 'utf8')) as {
  erf: { x: number[]; torch_erf: number[]; torch_erfc: number[]; mp_erf: number[]; mp_erfc: number[] };
  activations: ActivationCase[];
};

/** Each activation called as the fixture's settings say (camelCase, as the TypeScript signatures). */
const CALL: Record<string, (x: Tensor, s: Record<string, unknown>) => Tensor> = {
  gelu: (x, s) => gelu(x, s),
  silu: (x) => silu(x),
  logSigmoid: (x) => logSigmoid(x),
  leakyRelu: (x, s) => leakyRelu(x, s.negativeSlope as number | undefined),
  elu: (x, s) => elu(x, s.alpha as number | undefined),
  softplus: (x, s) => softplus(x, s),
  hardtanh: (x, s) => hardtanh(x, s.minVal as number | undefined, s.maxVal as number | undefined),
};

describe('erf and erfc (W. J. Cody\'s rational approximations)', () => {
  const { x, torch_erf, torch_erfc, mp_erf, mp_erfc } = fixture.erf;
  it('agree with torch.erf and torch.erfc to 1e-15 relative, and with mpmath (50 digits) likewise', () => {
    expectClose(x.map(erf), torch_erf, { rtol: 1e-15 }, 'erf vs torch');
    expectClose(x.map(erfc), torch_erfc, { rtol: 1e-15 }, 'erfc vs torch');
    expectClose(x.map(erf), mp_erf, { rtol: 1e-15 }, 'erf vs mpmath');
    expectClose(x.map(erfc), mp_erfc, { rtol: 1e-15 }, 'erfc vs mpmath');
  });
  it('limits, signed zero and NaN', () => {
    expect([erf(Infinity), erf(-Infinity), erfc(Infinity), erfc(-Infinity), erfc(30)]).toEqual([1, -1, 0, 2, 0]);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(Number.isNaN(erf(NaN)) && Number.isNaN(erfc(NaN))).toBe(true);
  });
});

describe('values and derivatives at edge values: large |x|, 0, ±1e-10, the kinks', () => {
  const label = (c: ActivationCase): string => `${c.name}(${JSON.stringify(c.settings)})`;
  const run = (c: ActivationCase): { y: Tensor; g: Tensor; g2: Tensor; g1: Tensor } => {
    const x = Tensor.from(Float64Array.from(c.x), [c.x.length], { requiresGrad: true });
    const y = CALL[c.name]!(x, c.settings);
    y.sum().backward(); // a first-order walk: the path that lends g to the elementwise rules
    const [g1] = grad([CALL[c.name]!(x, c.settings).sum()], [x], { createGraph: true });
    // A piecewise linear op's first derivative does not depend on x: nothing to differentiate (PyTorch's is 0).
    const g2 = g1!.requiresGrad ? grad([g1!.sum()], [x])[0]! : zeros([c.x.length]);
    return { y, g: x.grad!, g1: g1!, g2 };
  };

  // mpmath's closed forms at 50 digits: the engine keeps its digits where PyTorch's formulas cancel.
  it.each(fixture.activations.map((c) => [label(c), c] as const))('%s: against mpmath to 1e-14 relative', (_name, c) => {
    const { y, g, g1, g2 } = run(c);
    expectClose(y.data, c.mp_y, { rtol: 1e-14 }, 'value');
    expectClose(g.data, c.mp_grad, { rtol: 1e-14 }, 'first derivative');
    expectClose(g1.data, g.data, {}, 'first derivative with createGraph'); // the same values either way
    // The tanh form's f″ ∝ e^−w with w = 2K(x + κx³) ≈ 600 at x = 20: w's rounding (an ulp of 600) gives ~1e-13.
    expectClose(g2.data, c.mp_grad2, { rtol: c.settings.approximate === 'tanh' ? 1e-13 : 1e-14 }, 'second derivative');
  });

  // PyTorch loses digits where 1 + erf(x/√2) (gelu at x ≤ −6: it returns −0), 1 + tanh(u), 1 − σ(x) or eˣ − 1
  // (elu near 0, in 1.13) cancel: an absolute error of a few ulp of 1. Elsewhere it agrees to 1e-14 relative.
  it.each(fixture.activations.map((c) => [label(c), c] as const))('%s: against PyTorch within its rounding', (_name, c) => {
    const { y, g, g2 } = run(c);
    const tol = { rtol: 1e-14, atol: 4e-15 };
    expectClose(y.data, c.y, tol, 'value');
    expectClose(g.data, c.grad, tol, 'first derivative');
    expectClose(g2.data, c.grad2, tol, 'second derivative');
  });

  it('gelu keeps its digits in the left tail, where PyTorch\'s 1 + erf(x/√2) is 0', () => {
    const c = fixture.activations[0]!, at = c.x.indexOf(-10);
    expect(c.y[at]).toBe(-0);
    expectClose(gelu(tensor([-10])).item(), c.mp_y[at]!, { rtol: 1e-14 }, 'gelu(−10)'); // −7.6e-23
  });
});

/** gradcheck and gradgradcheck of f at the inputs. */
function both(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const first = gradcheck(f, inputs);
  expect(first.ok, first.message).toBe(true);
  const second = gradgradcheck(f, inputs);
  expect(second.ok, second.message).toBe(true);
}

/** Values at least 0.05 from each kink (0 for most; the bounds of hardtanh; the softplus threshold), in [−4, 4). */
const SMOOTH: [string, (x: Tensor) => Tensor][] = [
  ['gelu', (x) => gelu(x)],
  ['gelu tanh', (x) => gelu(x, { approximate: 'tanh' })],
  ['silu', (x) => silu(x)],
  ['logSigmoid', (x) => logSigmoid(x)],
  ['leakyRelu', (x) => leakyRelu(x).mul(x)],
  ['leakyRelu 0.3', (x) => leakyRelu(x, 0.3).square()],
  ['elu', (x) => elu(x)],
  ['elu 2.5', (x) => elu(x, 2.5)],
  ['softplus', (x) => softplus(x)],
  ['softplus beta 3, threshold 2 (past it: x itself)', (x) => softplus(x, { beta: 3, threshold: 2 })],
  ['softplus beta 0.5', (x) => softplus(x, { beta: 0.5 })],
  ['hardtanh', (x) => hardtanh(x).mul(x)],
  ['hardtanh [−0.5, 2]', (x) => hardtanh(x, -0.5, 2).square()],
];

describe('gradcheck and gradgradcheck over shapes and settings', () => {
  const shapes: Shape[] = [[], [5], [2, 1, 3], [3, 4]];
  const cases = SMOOTH.flatMap(([name, f]) => shapes.map((s, i) => [name, s, f, 500 + i] as const));
  it.each(cases)('%s on %j', (_name, shape, f, seed) => {
    const x = signed(shape, 0.05, 4, seed);
    // Keep off the kinks of hardtanh (±1, −0.5, 2) and of the softplus threshold (βx = 2 at x = 2/3).
    for (let i = 0; i < x.size; i++) {
      for (const k of [1, -1, -0.5, 2, 2 / 3]) if (Math.abs(x.data[i]! - k) < 0.05) x.data[i] = k + 0.07;
    }
    both(f, [x]);
  });

  it('far out on both sides (|x| from 8 to 30): the fused backward ops stay exact', () => {
    const x = Tensor.from(Float64Array.from([-30, -12, -8, 8, 12, 30]), [6], { requiresGrad: true });
    for (const [, f] of SMOOTH.filter(([name]) => !name.includes('threshold'))) both(f, [x]);
  });

  // gradgradcheck of x ↦ ∂(Σ w·f)/∂x: the second derivatives in the fused backward ops' rules are checked against
  // differences of the first, and their own rules (the third derivative) are exercised.
  it.each(SMOOTH.slice(0, 11))('third order: %s', (_name, f) => {
    const x = signed([2, 3], 0.1, 3, 520), w = input([2, 3], 0.5, 1.5, 521).detach();
    const firstDerivative = (t: Tensor): Tensor => grad([f(t).mul(w).sum()], [t], { createGraph: true })[0]!;
    const r = gradgradcheck(firstDerivative, [x]);
    expect(r.ok, r.message).toBe(true);
  });
});

describe('forward mode: jvp (each elementwise op\'s diagonal rules, applied to the tangent)', () => {
  it.each(SMOOTH)('%s', (_name, f) => {
    const x = signed([2, 3], 0.1, 3, 540);
    for (let i = 0; i < x.size; i++) if (Math.abs(Math.abs(x.data[i]!) - 1) < 0.05 || Math.abs(x.data[i]! - 2 / 3) < 0.05) x.data[i] += 0.1;
    expectJvp(f, [x], 541);
  });
  it.each(SMOOTH.slice(0, 11))('forward over reverse equals hvp: %s (the fused backward ops\' tangents)', (_name, f) => {
    const w = input([2, 3], 0.5, 1.5, 542).detach();
    expectForwardOverReverse((t) => f(t).mul(w).sum(), signed([2, 3], 0.1, 3, 543), 544);
  });
});

describe('the kinks take PyTorch\'s one-sided derivatives', () => {
  const at = (f: (x: Tensor) => Tensor, v: number): number => {
    const x = tensor([v], { requiresGrad: true });
    f(x).sum().backward();
    return x.grad!.item();
  };
  it('leakyRelu and elu at 0: the slope and α; hardtanh at its bounds: 0 (clamp passes them)', () => {
    expect(at((x) => leakyRelu(x, 0.2), 0)).toBe(0.2);
    expect(at((x) => elu(x, 0.5), 0)).toBe(0.5);
    expect(at((x) => hardtanh(x), 1)).toBe(0);
    expect(at((x) => hardtanh(x), -1)).toBe(0);
    expect(at((x) => x.clamp(-1, 1), 1)).toBe(1);
  });
  it('softplus: x itself (slope 1) above the threshold, σ(βx) at it', () => {
    expect(softplus(tensor([20.5, 20])).toArray()).toEqual([20.5, 20 + Math.log1p(Math.exp(-20))]);
    expect(at((x) => softplus(x), 20.5)).toBe(1);
    expect(at((x) => softplus(x, { beta: 2, threshold: 5 }), 2.5)).toBeCloseTo(1 / (1 + Math.exp(-5)), 15);
    expect(softplus(tensor([1000]), { threshold: Infinity }).item()).toBe(1000); // no overflow past any threshold
  });
  it('NaN stays NaN', () => {
    for (const f of [gelu, silu, logSigmoid, leakyRelu, elu, softplus, hardtanh] as ((x: Tensor) => Tensor)[]) {
      expect(Number.isNaN(f(tensor([NaN])).item()), f.name).toBe(true);
    }
  });
});

describe('Tensor.softplus keeps its old meaning and takes PyTorch\'s settings', () => {
  it('x.softplus() is softplus(x); x.softplus({ beta, threshold }) passes them on', () => {
    const x = tensor([-2, 0, 3, 30]);
    expect(x.softplus().toArray()).toEqual(softplus(x).toArray());
    expect(x.softplus({ beta: 2, threshold: 4 }).toArray()).toEqual(softplus(x, { beta: 2, threshold: 4 }).toArray());
    expect(x.softplus().gradFn).toBeNull();
  });
});

describe('compile replays the activations (each elementwise op inlined) as the eager step computes them', () => {
  it('an MLP with GELU, SiLU, ELU, LeakyReLU and Softplus layers, 20 SGD steps on new data', () => {
    const make = (): ((x: Tensor) => Tensor) => {
      const rng = new RandomState(7);
      const model = new nn.Sequential(new nn.Linear(4, 8, { rng }), new nn.GELU(), new nn.Linear(8, 8, { rng }), new nn.SiLU(),
        new nn.Linear(8, 8, { rng }), new nn.ELU(0.5), new nn.Linear(8, 8, { rng }), new nn.LeakyReLU(0.1),
        new nn.Linear(8, 1, { rng }), new nn.Softplus({ beta: 2 }));
      const params = model.parameters();
      return (x) => {
        params.forEach((p) => p.zeroGrad());
        const loss = model.call(x).sum();
        loss.backward();
        noGrad(() => params.forEach((p) => p.add_(p.grad!, -0.01)));
        return loss;
      };
    };
    const eager = make(), step = compile(make());
    const data = new RandomState(8);
    for (let i = 0; i < 20; i++) {
      const x = Tensor.from(data.uniform(-2, 2, [5, 4]), [5, 4]);
      expectClose(step(x).item(), eager(x).item(), { rtol: 1e-12 }, `step ${i}: loss`);
    }
    expect(step.toSource()).toMatch(/gelu/);
  });
});

describe('the modules', () => {
  const x = signed([3, 4], 0.05, 3, 530).detach();
  it('each calls its functional op with its settings, has no parameters, and prints them as PyTorch does', () => {
    const cases: [nn.Module, Tensor, string][] = [
      [new nn.GELU(), gelu(x), 'GELU(approximate=\'none\')'],
      [new nn.GELU({ approximate: 'tanh' }), gelu(x, { approximate: 'tanh' }), 'GELU(approximate=\'tanh\')'],
      [new nn.SiLU(), silu(x), 'SiLU()'],
      [new nn.LogSigmoid(), logSigmoid(x), 'LogSigmoid()'],
      [new nn.LeakyReLU(), leakyRelu(x), 'LeakyReLU(negativeSlope=0.01)'],
      [new nn.LeakyReLU(0.2), leakyRelu(x, 0.2), 'LeakyReLU(negativeSlope=0.2)'],
      [new nn.ELU(), elu(x), 'ELU(alpha=1)'],
      [new nn.ELU(0.5), elu(x, 0.5), 'ELU(alpha=0.5)'],
      [new nn.Softplus(), softplus(x), 'Softplus(beta=1, threshold=20)'],
      [new nn.Softplus({ beta: 2, threshold: 10 }), softplus(x, { beta: 2, threshold: 10 }), 'Softplus(beta=2, threshold=10)'],
      [new nn.Hardtanh(), hardtanh(x), 'Hardtanh(minVal=-1, maxVal=1)'],
      [new nn.Hardtanh(0, 6), hardtanh(x, 0, 6), 'Hardtanh(minVal=0, maxVal=6)'],
      [new nn.Identity(), x, 'Identity()'],
    ];
    for (const [m, want, text] of cases) {
      expect(m.call(x).toArray(), text).toEqual(want.toArray());
      expect(m.toString()).toBe(text);
      expect(m.parameters()).toEqual([]);
    }
    expect(new nn.Identity(3, { anything: 1 }).call(x)).toBe(x);
  });
  it('inside a Sequential, gradients reach the Linear layers', () => {
    const rng = new RandomState(9);
    const l0 = new nn.Linear(4, 3, { rng }), l1 = new nn.Linear(3, 2, { rng });
    const model = new nn.Sequential(l0, new nn.GELU({ approximate: 'tanh' }), l1, new nn.LogSigmoid());
    both(() => model.call(x), [l0.weight, l1.bias!]);
  });
});

describe('errors name the op and the value', () => {
  const x = tensor([1, 2]);
  it.each([
    [() => gelu(x, { approximate: 'exact' as 'none' }), 'gelu: approximate must be \'none\' or \'tanh\', got the string \'exact\''],
    [() => gelu(x, 'tanh' as never), 'gelu: options must be an object ({ … }), got the string \'tanh\''],
    [() => gelu([1, 2] as never), 'gelu: the input must be a tensor'],
    [() => silu(3 as never), 'silu: the input must be a tensor, got number 3'],
    [() => leakyRelu(x, NaN), 'leakyRelu: negativeSlope must be a finite number, got number NaN'],
    [() => leakyRelu(x, '0.1' as never), 'leakyRelu: negativeSlope must be a finite number, got the string \'0.1\''],
    [() => elu(x, Infinity), 'elu: alpha must be a finite number, got number Infinity'],
    [() => softplus(x, { beta: 0 }), 'softplus: beta must not be 0'],
    [() => softplus(x, { threshold: NaN }), 'softplus: threshold must be a number, got number NaN'],
    [() => hardtanh(x, 1, -1), 'hardtanh: minVal 1 is above maxVal -1'],
    [() => hardtanh(x, NaN), 'hardtanh: minVal must be a number, got number NaN'],
    [() => new nn.GELU({ approximate: 'fast' as 'none' }), 'GELU: approximate must be \'none\' or \'tanh\', got the string \'fast\''],
    [() => new nn.LeakyReLU(NaN), 'LeakyReLU: negativeSlope must be a finite number, got number NaN'],
    [() => new nn.ELU('1' as never), 'ELU: alpha must be a finite number, got the string \'1\''],
    [() => new nn.Softplus({ beta: 0 }), 'Softplus: beta must not be 0'],
    [() => new nn.Softplus(2 as never), 'Softplus: options must be an object ({ … }), got number 2'],
    [() => new nn.Hardtanh(2, 1), 'Hardtanh: minVal 2 is above maxVal 1'],
  ])('%s', (f, message) => {
    expect(f).toThrow(message);
  });
});

// optim.LBFGS against torch.optim.LBFGS: the trajectories in test/fixtures/lbfgs-reference.json were written by
// scripts/lbfgs_reference.py (PyTorch 1.13, float64): for each case, the loss each step() returned, the parameters
// after it, and PyTorch's state counters func_evals and n_iter. The engine runs the same problems, written with the
// same ops, and must follow the same trajectory to 1e-9 (relative). Then the bad input: each throws an Error naming
// LBFGS and the value, and a step that throws leaves the parameters and the optimizer's state as they were.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nn, noGrad, optim, RandomState, Tensor, tensor } from '../src/index.ts';
import { fma, torchSum } from '../src/nn/lbfgs.ts';
import { expectClose, maxAbs } from './expect-close.ts';

interface Step { loss: number; params: unknown[]; funcEvals: number; nIter: number }
interface Case {
  name: string;
  problem: 'rosenbrock' | 'least_squares' | 'xor';
  data: { A?: number[][]; b?: number[][]; X?: number[][]; y?: number[][] };
  options: optim.LBFGSOptions;
  steps: number;
  init: unknown[];
  trajectory: Step[];
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'lbfgs-reference.json'), 'utf8')) as {
  torch: string; cases: Case[]; sums: { n: number; sum: number; inOrder: number }[];
};

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

/** The problem of a case: its parameters (from the fixture's initial values) and its loss, in PyTorch's ops. */
function problem(c: Case): { params: Tensor[]; loss: () => Tensor } {
  const param = (v: unknown): Tensor => tensor(v as number[], { requiresGrad: true });
  switch (c.problem) {
    case 'rosenbrock': {
      const x = param(c.init[0]);
      return {
        params: [x],
        loss: () => {
          const x0 = x.select(0, 0), x1 = x.select(0, 1);
          return x0.neg().add(1).square().add(x1.sub(x0.square()).square().mul(100));
        },
      };
    }
    case 'least_squares': {
      const A = tensor(c.data.A!), b = tensor(c.data.b!), w = param(c.init[0]), bias = param(c.init[1]);
      return { params: [w, bias], loss: () => A.matmul(w).add(bias).sub(b).square().sum().mul(0.5) };
    }
    case 'xor': {
      // The engine's own layers, seeded as the documents' np.random.seed(1): they must draw the fixture's weights.
      const rng = new RandomState(1);
      const l0 = new nn.Linear(3, 4, { bias: false, rng }), l1 = new nn.Linear(4, 1, { bias: false, rng });
      expect(l0.weight.toArray()).toEqual(c.init[0]);
      expect(l1.weight.toArray()).toEqual(c.init[1]);
      const X = tensor(c.data.X!), y = tensor(c.data.y!);
      return { params: [l0.weight, l1.weight], loss: () => y.sub(l1.call(l0.call(X).sigmoid()).sigmoid()).square().sum().mul(0.5) };
    }
  }
}

describe('LBFGS follows torch.optim.LBFGS', () => {
  it(`has the reference trajectories (PyTorch ${fixture.torch})`, () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(6);
  });

  for (const c of fixture.cases) {
    // Rosenbrock's loss and gradient are the same bits in both engines, so the whole trajectory must be too. The
    // other problems sum many terms (least squares) or take exp (XOR's sigmoid), where the engines differ by an ulp
    // or two; XOR's saturating weights (up to ~190) amplify that to ~1e-10 of the largest weight. So: losses to
    // 1e-9 relative, each parameter tensor to 1e-9 of its largest entry.
    const exact = c.problem === 'rosenbrock';
    it(`${c.name}${exact ? ' (bit for bit)' : ''}`, () => {
      const { params, loss } = problem(c);
      const opt = new optim.LBFGS(params, c.options);
      const closure = (): Tensor => {
        opt.zeroGrad();
        const l = loss();
        l.backward();
        return l;
      };
      c.trajectory.forEach((want, k) => {
        const got = opt.step(closure);
        const at = `step ${k + 1}`;
        expect(got.size).toBe(1);
        expectClose(got.item(), want.loss, { rtol: exact ? 0 : 1e-9 }, `${at}: loss`);
        params.forEach((p, i) => {
          const w = flat(want.params[i]);
          expectClose(p, w, exact ? {} : { rtol: 1e-9, atol: 1e-9 * maxAbs(w) }, `${at}: parameter ${i}`);
        });
        expect([opt.funcEvals, opt.nIter], `${at}: func_evals, n_iter`).toEqual([want.funcEvals, want.nIter]);
      });
    });
  }
});

/** A quadratic ½|x − (1, −2, 3)|² on one parameter, with a closure whose loss `twist` may spoil at a given call. */
function quadratic(opts: optim.LBFGSOptions = {}, twist: (loss: Tensor, call: number) => Tensor = (l) => l) {
  const x = tensor([0.5, 0.25, -1], { requiresGrad: true }), target = tensor([1, -2, 3]);
  const opt = new optim.LBFGS([x], opts);
  let calls = 0;
  const closure = (): Tensor => {
    opt.zeroGrad();
    const loss = twist(x.sub(target).square().sum().mul(0.5), ++calls);
    loss.backward();
    return loss;
  };
  return { x, opt, closure };
}

describe('LBFGS: bad input throws, naming LBFGS and the value', () => {
  const x = (): Tensor => tensor([1, 2], { requiresGrad: true });

  it('bad options', () => {
    const bad: [optim.LBFGSOptions, RegExp][] = [
      [{ lr: -1 }, /LBFGS: lr .*-1/],
      [{ lr: NaN }, /LBFGS: lr .*NaN/],
      [{ maxIter: 0 }, /LBFGS: maxIter must be an integer ≥ 1, got number 0/],
      [{ maxIter: 2.5 }, /LBFGS: maxIter .*2\.5/],
      [{ maxEval: -3 }, /LBFGS: maxEval .*-3/],
      [{ historySize: -1 }, /LBFGS: historySize must be an integer ≥ 1, got number -1/],
      [{ historySize: 2.5 }, /LBFGS: historySize .*2\.5/],
      [{ historySize: 0 }, /LBFGS: historySize .*0/],
      [{ toleranceGrad: -1e-5 }, /LBFGS: toleranceGrad must be a finite number ≥ 0, got number -0\.00001/],
      [{ toleranceChange: NaN }, /LBFGS: toleranceChange .*NaN/],
      [{ lineSearchFn: 'wolfe' as 'strong_wolfe' }, /LBFGS: lineSearchFn must be null or 'strong_wolfe', got the string 'wolfe'/],
      [{ max_iter: 5 } as optim.LBFGSOptions, /LBFGS: unknown option 'max_iter'/],
    ];
    for (const [opts, message] of bad) expect(() => new optim.LBFGS([x()], opts), JSON.stringify(opts)).toThrow(message);
    expect(() => new optim.LBFGS([x()], 'fast' as optim.LBFGSOptions)).toThrow(/LBFGS: options must be an object, got the string 'fast'/);
    expect(() => new optim.LBFGS([], {})).toThrow(/LBFGS: got an empty parameter list/);
  });

  it('the defaults are PyTorch\'s (maxEval = maxIter·5 // 4)', () => {
    const opt = new optim.LBFGS([x()]);
    expect([opt.lr, opt.maxIter, opt.maxEval, opt.toleranceGrad, opt.toleranceChange, opt.historySize, opt.lineSearchFn])
      .toEqual([1, 20, 25, 1e-7, 1e-9, 100, null]);
    expect(new optim.LBFGS([x()], { maxIter: 7 }).maxEval).toBe(8);
    expect(new optim.LBFGS([x()], { maxIter: 7, maxEval: 3, lineSearchFn: 'strong_wolfe' }).maxEval).toBe(3);
  });

  it('a closure that is not a function', () => {
    const opt = new optim.LBFGS([x()]);
    expect(() => opt.step()).toThrow(/LBFGS: step\(closure\) needs a closure .*got undefined/);
    expect(() => opt.step(42 as unknown as () => Tensor)).toThrow(/LBFGS: step\(closure\) needs a closure .*got number 42/);
  });

  it('a closure that returns something other than the loss', () => {
    const w = x();
    const opt = new optim.LBFGS([w]);
    expect(() => opt.step(() => 3 as unknown as Tensor)).toThrow(/LBFGS: the closure must return the loss tensor, got number 3/);
    expect(() => opt.step(() => { const l = w.square(); l.sum().backward(); return l; }))
      .toThrow(/LBFGS: the closure returned a tensor of shape \[2\] \(2 elements\); it must return the loss, a one-element tensor/);
    expect(() => opt.step(() => tensor(3)))
      .toThrow(/LBFGS: the closure returned a tensor that is not the result of a graph \(value 3, made by no op\)/);
    // A loss of other tensors: backward reaches no parameter.
    const other = tensor([3], { requiresGrad: true });
    expect(() => opt.step(() => { const l = other.square().sum(); l.backward(); return l; }))
      .toThrow(/LBFGS: the loss the closure returned \(value 9\) does not depend on any of the optimizer's parameters \(the first evaluation of the step\)/);
    // backward forgotten, by a closure on fresh parameters (with gradients from an earlier backward it cannot be told)
    const v = tensor([1, 2], { requiresGrad: true });
    expect(() => new optim.LBFGS([v]).step(() => v.square().sum()))
      .toThrow(/LBFGS: no parameter has a gradient after the closure ran \(the first evaluation of the step\); the closure must call loss.backward\(\)/);
    expect(w.toArray()).toEqual([1, 2]);
    expect([opt.funcEvals, opt.nIter]).toEqual([0, 0]);
  });

  it('a NaN loss inside the line search: the parameters and the state are restored', () => {
    const { x: p, opt, closure } = quadratic({ lineSearchFn: 'strong_wolfe' }, (l, call) => (call === 2 ? l.mul(NaN) : l));
    expect(() => opt.step(closure)).toThrow(/LBFGS: the loss is NaN at the line search's trial step t = 0\.148/);
    expect(p.toArray()).toEqual([0.5, 0.25, -1]);
    expect([opt.funcEvals, opt.nIter]).toEqual([0, 0]);
  });

  it('an infinite loss after a fixed step, and a non-finite gradient', () => {
    const a = quadratic({}, (l, call) => (call === 3 ? l.mul(Infinity) : l));
    expect(() => a.opt.step(a.closure)).toThrow(/LBFGS: the loss is Infinity at the evaluation after iteration 2/);
    expect(a.x.toArray()).toEqual([0.5, 0.25, -1]);
    const w = tensor([0, 1], { requiresGrad: true });
    const opt = new optim.LBFGS([w]);
    expect(() => opt.step(() => { opt.zeroGrad(); const l = w.sqrt().sum(); l.backward(); return l; }))
      .toThrow(/LBFGS: the gradient has the non-finite entry Infinity at flat index 0 \(the first evaluation of the step, loss 1\)/);
  });

  it('a failing step leaves the optimizer as if it had not been called', () => {
    // Two runs: step, failing step, step; and step, step. The history kept between steps must be the same.
    const spoil = { on: false };
    const a = quadratic({ maxIter: 2, lineSearchFn: 'strong_wolfe' }, (l) => (spoil.on ? l.mul(NaN) : l));
    const b = quadratic({ maxIter: 2, lineSearchFn: 'strong_wolfe' });
    a.opt.step(a.closure); b.opt.step(b.closure);
    const after1 = a.x.toArray();
    spoil.on = true;
    expect(() => a.opt.step(a.closure)).toThrow(/LBFGS: the loss is NaN at the first evaluation of the step/);
    expect(a.x.toArray()).toEqual(after1);
    spoil.on = false;
    // Fail inside the line search of the second step too, after the parameters have moved.
    let calls = 0;
    const failLate = (): Tensor => { const l = a.closure(); return ++calls === 2 ? l.mul(NaN) : l; };
    expect(() => a.opt.step(failLate)).toThrow(/LBFGS: the loss is NaN at the line search's trial step/);
    expect(a.x.toArray()).toEqual(after1);
    a.opt.step(a.closure); b.opt.step(b.closure);
    expect(a.x.toArray()).toEqual(b.x.toArray());
    expect([a.opt.funcEvals, a.opt.nIter]).toEqual([b.opt.funcEvals, b.opt.nIter]);
  });
});

describe('LBFGS: behaviour', () => {
  it('returns the first loss, converges on a quadratic, and stops when the gradient is small', () => {
    const { x, opt, closure } = quadratic({ lineSearchFn: 'strong_wolfe' });
    const first = opt.step(closure);
    expect(first.item()).toBe(0.5 * (0.25 + 2.25 ** 2 + 16));
    expectClose(x, [1, -2, 3], { atol: 1e-12 });
    const evals = opt.funcEvals;
    opt.step(closure); // optimal already: one evaluation, no iteration
    expect(opt.funcEvals).toBe(evals + 1);
  });

  it('runs the closure with gradients recorded inside noGrad, as PyTorch enables grad for it', () => {
    const a = quadratic(), b = quadratic();
    noGrad(() => a.opt.step(a.closure));
    b.opt.step(b.closure);
    expect(a.x.toArray()).toEqual(b.x.toArray());
  });

  it('updates the parameters in place, so a graph made before the step refuses backward after it', () => {
    const { x, opt, closure } = quadratic();
    const stale = x.square().sum();
    opt.step(closure);
    expect(() => stale.backward()).toThrow(/optimizer step/);
  });

  it('a writable lr, read at each step (the first iteration\'s scale min(1, 1/|g|₁)·lr)', () => {
    const { x, opt, closure } = quadratic({ maxIter: 1 });
    opt.lr = 0.5;
    opt.step(closure); // g = x − target = (−0.5, 2.25, −4), |g|₁ = 6.75: t = 0.5/6.75
    const t = 0.5 / 6.75;
    expect(x.toArray()).toEqual([fma(t, 0.5, 0.5), fma(t, -2.25, 0.25), fma(t, 4, -1)]);
  });
});

describe("LBFGS's arithmetic helpers", () => {
  it('fma rounds a·b + c once', () => {
    const e = 2 ** -30;
    expect(fma(1 + e, 1 + e, -1)).toBe(2 * e + e * e); // a·b + c rounded twice gives 2e
    expect((1 + e) * (1 + e) - 1).toBe(2 * e);
    expect(fma(0.1, 10, -1)).toBe(5.551115123125783e-17);
    expect(fma(2, 3, 4)).toBe(10);
    expect(fma(Infinity, 1, 1)).toBe(Infinity);
  });

  it("torchSum sums in PyTorch's order (values from torch.tensor(x).sum(), PyTorch 1.13, AVX2)", () => {
    const e = 2 ** -53;
    expect(torchSum(Float64Array.of(1, e, e, e, e, e))).toBe(1.0000000000000004); // sequentially: 1
    expect(torchSum(Float64Array.of(e, e, e, e, 1))).toBe(1); // sequentially: 1.0000000000000004
    expect(torchSum(Float64Array.of(1, 2, 3))).toBe(6);
    // Longer sums, of the values scripts/lbfgs_reference.py sums (sum_input): PyTorch's order is not the plain one.
    const input = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => (((i * 7919) % 1000) + 0.5) / 997 * 2 ** (((i * 31) % 40) - 20));
    expect(fixture.sums.filter((s) => s.sum !== s.inOrder).length).toBeGreaterThanOrEqual(5);
    for (const { n, sum, inOrder } of fixture.sums) {
      const x = input(n);
      expect(x.reduce((a, b) => a + b, 0), `n = ${n} in order`).toBe(inOrder);
      expect(torchSum(x), `n = ${n}`).toBe(sum);
    }
  });
});

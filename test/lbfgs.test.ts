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
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'lbfgs-reference.json'), 'utf8')) as { torch: string; cases: Case[] };

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

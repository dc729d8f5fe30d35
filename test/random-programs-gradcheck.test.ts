// Property-based tests: random programs (see random-programs.ts) over the public API, their gradients checked
// against central finite differences: gradcheck for the inputs, gradgradcheck for about one program in four,
// and the .grad of intermediates marked with retainGrad() against differences of the program in that value.
// CI runs a fixed seed and a bounded number of programs; for a longer hunt:
//   PROPERTY_RUNS=5000 npx vitest run test/random-programs-gradcheck.test.ts   (PROPERTY_SEED=n for other programs)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradcheck, gradgradcheck, noGrad, Tensor } from '../src/index.ts';
import { compile, programs, weights, type Program } from './random-programs.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.PROPERTY_SEED ?? 20250609);
// rtol must stay well below the 1e-5 of a derivative broken by a factor 1 + 1e-5. atol covers the rounding of
// f(x ± ε), a few ulps of the output's terms Σ|w·v| (up to a few hundred terms of magnitude ≤ 50), over 2ε.
const EPS = 1e-6;
const tolerance = (p: Program): { eps: number; atol: number; rtol: number } => ({ eps: EPS, atol: 1e-7 + 1e-9 * p.magnitude(), rtol: 1e-6 });

/** The scalar gradcheck differentiates: the output itself, or Σ w·out with fixed weights. */
const scalar = (out: Tensor): Tensor => (out.size === 1 ? out.sum() : out.mul(weights(out.shape, 1)).sum());

/** Each retained intermediate's .grad against central differences of the program in that value. */
function checkRetained(p: Program, tol: { atol: number; rtol: number }): string | null {
  const xs = p.leaves(), vals = p.trace(xs, undefined, true);
  scalar(p.output(vals)).backward();
  const consts = xs.map((x) => x.detach());
  for (let k = 0; k < p.nodes.length; k++) {
    const v = vals[p.inputs.length + k];
    if (!v.retainsGrad || vals.indexOf(v) !== p.inputs.length + k) continue; // expand to its own shape is the value itself
    const name = p.name(p.inputs.length + k);
    // null is right when no gradient reaches the value (it only feeds comparisons): differences must give 0.
    if (v.grad !== null && v.grad.shape.join() !== v.shape.join()) return `${name}.grad has shape [${v.grad.shape}], the value [${v.shape}]`;
    const at = Float64Array.from(v.data), g = v.grad?.data ?? new Float64Array(at.length);
    const f = (): number => noGrad(() => scalar(p.output(p.trace(consts, { k, value: Tensor.from(at, [...v.shape]) }))).item());
    for (let e = 0; e < at.length; e++) {
      const x0 = at[e];
      at[e] = x0 + EPS;
      const up = f();
      at[e] = x0 - EPS;
      const down = f();
      at[e] = x0;
      const numeric = (up - down) / (2 * EPS);
      if (!(Math.abs(g[e] - numeric) <= tol.atol + tol.rtol * Math.abs(numeric))) {
        return `${name}.grad${v.grad === null ? ' is null' : `[${e}] = ${g[e]}`}, finite differences give ${numeric} at element ${e}`;
      }
    }
  }
  return null;
}

/** Throws (with the program's listing) at the first wrong gradient. */
function check(p: Program): void {
  const fn = (...xs: Tensor[]): Tensor => p.run(xs), tol = tolerance(p);
  const first = gradcheck(fn, p.leaves(), tol);
  if (!first.ok) throw new Error(`${first.message}\n${p}`);
  const retained = checkRetained(p, tol);
  if (retained !== null) throw new Error(`retainGrad: ${retained}\n${p}`);
  if (p.second) {
    const second = gradgradcheck(fn, p.leaves(), tol);
    if (!second.ok) throw new Error(`${second.message}\n${p}`);
  }
}

describe('random programs against finite differences', () => {
  it(`${RUNS} programs (seed ${SEED}): gradients of inputs, retained intermediates and (some) second order`, () => {
    fc.assert(fc.property(programs, check), { seed: SEED, numRuns: RUNS });
  });

  it('the generator covers what it is meant to', () => {
    // Guards against a generator that quietly stops producing some op (every step left out, say).
    const sample = fc.sample(programs, { seed: SEED, numRuns: RUNS });
    const text = sample.map(String).join('\n');
    for (const op of ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'exp', 'log', 'sigmoid', 'tanh', 'relu', 'abs', 'sqrt', 'square', 'sin', 'cos',
      'log1p', 'expm1', 'softplus', 'clamp', 'maximum', 'minimum', 'where', 'sum', 'mean', 'max', 'min', 'reshape', 'permute', 'transpose',
      'expand', 'matmul']) {
      expect(text, op).toMatch(new RegExp(`= ${op}\\(`));
    }
    expect(text).toMatch(/\.retainGrad\(\)/);
    expect(text).toMatch(/also second order/);
    expect(text).toMatch(/ \[\] = /); // a 0-d value
    // Reuse: some value consumed by two later nodes.
    const reused = (p: Program): boolean => p.nodes.some((_, i) => p.nodes.filter((n) => n.args.includes(i)).length >= 2);
    expect(sample.some(reused)).toBe(true);
  });

  it('a wrong gradient is caught, with the program in the message; so is a wrong retained gradient', () => {
    // The checks themselves must be able to fail: programs whose op has a derivative off by 1e-5 (as in the
    // one-off mutation check in src, where every rule broken by a factor 1 + 1e-5 was caught with the CI seed).
    const neg = { op: 5, a: 0, b: 0, c: 0, d: 0, p: 0 };
    const p = compile({ base: [3], inputs: [{ rank: 1, ones: 0 }], seed: 5, steps: [{ ...neg, retain: true }, { ...neg, retain: false }], second: false });
    expect(String(p)).toMatch(/v0 \[3\] = neg\(x0\) {3}\.retainGrad\(\)\n {2}v1 \[3\] = neg\(v0\)/);
    expect(checkRetained(p, tolerance(p))).toBeNull();
    p.nodes[1].f = ([x]) => x.neg().add(x.detach().mul(1e-5)); // −x(1 − 1e-5), but differentiated as −x
    expect(() => check(p)).toThrow(/gradcheck FAILED[^]*v1 \[3\] = neg\(v0\)/);
    expect(checkRetained(p, tolerance(p))).toMatch(/^v0\.grad\[0\] = -?[0-9.]+, finite differences give/);
  });
});

// Forward mode for the ops of issue 19: jvp's tangent against central differences along the tangent, and against
// reverse mode (for a weighting v of the output, vᵀ·(J·t) = Σᵢ (Jᵢᵀ·v)·tᵢ).
import { expect } from 'vitest';
import { grad, hvp, jvp, noGrad, Tensor } from '../src/index.ts';
import { expectClose } from './expect-close.ts';
import { input } from './op-inputs.ts';

/** jvp of f at xs along seeded tangents: f's value, differences' tangent, and (unless `reverse` is false) reverse mode's. */
export function expectJvp(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], seed: number, reverse = true): void {
  const ts = xs.map((x, i) => input([...x.shape], -1, 1, seed + i).detach());
  const [y, dy] = jvp(f, xs, ts);
  expectClose(y, noGrad(() => f(...xs.map((x) => x.detach()))), {}, 'value');
  const at = (s: number): Tensor => noGrad(() => f(...xs.map((x, i) => x.detach().add(ts[i]!.mul(s * 1e-6)))));
  expectClose(dy, noGrad(() => at(1).sub(at(-1)).div(2e-6)), { rtol: 1e-6, atol: 1e-7 }, 'tangent vs differences');
  if (!reverse) return;
  const leaves = xs.map((x) => Tensor.from(Float64Array.from(x.data), [...x.shape], { requiresGrad: true }));
  const out = f(...leaves), v = input([...out.shape], 0.5, 1.5, seed + 99).detach();
  const gs = grad(out, leaves, { gradOutputs: v, allowUnused: true });
  const backward = gs.reduce((s, g, i) => s + (g === null ? 0 : g.mul(ts[i]!).sum().item()), 0);
  expect(dy.mul(v).sum().item()).toBeCloseTo(backward, 10);
}

/** Forward over reverse: the jvp of ∇f (f scalar) along v is the Hessian-vector product hvp takes reverse over reverse. */
export function expectForwardOverReverse(f: (x: Tensor) => Tensor, x: Tensor, seed: number): void {
  const v = input([...x.shape], -1, 1, seed).detach();
  const [, reverse] = hvp(f, x, v);
  const [, forward] = jvp((z: Tensor) => grad(f(z), z)[0]!, [x], [v]);
  expectClose(forward, reverse, { rtol: 1e-12, atol: 1e-13 }, 'forward over reverse vs hvp');
}

// Helpers shared by the nn test files: plain arithmetic for expected values, and the optimizer tests' setup.
import { expect } from 'vitest';
import { RandomState, Tensor } from '../src/index.ts';

export const sigma = (z: number): number => 1 / (1 + Math.exp(-z));

/** |got − want| ≤ rtol·max(|want|, floor) elementwise, with a message naming the first bad element. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string, floor = 1e-300): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]), tol = rtol * Math.max(Math.abs(want[i]), floor);
    if (!(err <= tol)) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (|diff| ${err.toExponential(2)} > ${tol.toExponential(2)})`);
  }
}

/** Optimizer test input: [step][param] → gradient values, or null for "grad is null". */
export type Grads = (number[] | null)[][];

const SHAPES = [[2, 3], [4], [1]];

/** Three parameters (uniform on [−1, 1)) and `steps` steps of gradients; `nulls` lists the [step, param] left null. */
export function setup(seed: number, steps: number, nulls: [number, number][] = []): { params: Tensor[]; p0: number[][]; grads: Grads } {
  const rng = new RandomState(seed);
  const params = SHAPES.map((s) => Tensor.from(rng.uniform(-1, 1, s), s, { requiresGrad: true }));
  const p0 = params.map((p) => Array.from(p.data));
  const grads: Grads = Array.from({ length: steps }, (_, t) =>
    params.map((p, k) => (nulls.some(([ts, ks]) => ts === t && ks === k) ? null : Array.from(rng.uniform(-2, 2, p.shape)))));
  return { params, p0, grads };
}

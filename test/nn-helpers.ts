// Helpers shared by the nn test files: plain arithmetic for expected values, and the optimizer tests' setup.
import { RandomState, Tensor } from '../src/index.ts';

export const sigma = (z: number): number => 1 / (1 + Math.exp(-z));

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

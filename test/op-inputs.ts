// Seeded leaf tensors for the gradient checks of the op test files.
import { RandomState, Tensor, type Shape } from '../src/index.ts';

/** A leaf that requires grad, uniform on [lo, hi), drawn from its own seeded generator. */
export function input(shape: Shape, lo: number, hi: number, seed: number): Tensor {
  return Tensor.from(new RandomState(seed).uniform(lo, hi, shape), shape, { requiresGrad: true });
}

/** Uniform magnitudes in [lo, hi) with random signs: keeps every value at least lo away from 0. */
export function signed(shape: Shape, lo: number, hi: number, seed: number): Tensor {
  const rs = new RandomState(seed);
  const v = rs.uniform(lo, hi, shape);
  for (let i = 0; i < v.length; i++) if (rs.random() < 0.5) v[i] = -v[i];
  return Tensor.from(v, shape, { requiresGrad: true });
}

/** Distinct values at least 0.09 apart in a shuffled order (no ties within ε, so max has one winner), times `scale`. */
export function distinct(shape: Shape, seed: number, scale = 1): Tensor {
  const rs = new RandomState(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rs.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Tensor.from(Float64Array.from(order, (k) => ((k - n / 2) * 0.1 + 0.01 * rs.random()) * scale), shape, { requiresGrad: true });
}

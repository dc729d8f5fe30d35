// The documents' losses as elementwise ops of (prediction, target), before any reduction (nn's loss functions
// reduce them). Each carries its derivation, so the output delta of each loss can be read off the rule.
import { bceWithLogitsBackward, binaryOps, clamp, div, log, mul, neg, squaredErrorBackward, sub } from './elementwise.ts';
import type { TensorBase as T } from '../tensor-base.ts';

// BCE's logs are clamped at −100, as PyTorch does, so p = 0 or 1 stays finite.
const log100 = (x: number): number => Math.max(Math.log(x), -100);
const clampedLog = (x: T): T => clamp(log(x), -100);

export const { squaredError, binaryCrossEntropy, binaryCrossEntropyWithLogits } = binaryOps({
  // ℓ = (p − y)²;  ∂ℓ/∂p = 2(p − y). The documents' ½Σ(y − ŷ)² is half its sum, whose gradient (ŷ − y) times
  // σ′ gives the squared-loss delta (a − y)·a·(1 − a) (F8).
  squaredError: {
    f: (p, y) => (p - y) * (p - y),
    da: (g, p, y): T => squaredErrorBackward(g, p, y),
    db: (g, p, y): T => neg(squaredErrorBackward(g, p, y)),
  },
  // ℓ = −[y·log p + (1 − y)·log(1 − p)];  ∂ℓ/∂p = (p − y) / (p(1 − p)), the denominator floored at 1e-12
  // (PyTorch's epsilon) so that p = 0 or 1 stays finite.
  binaryCrossEntropy: {
    f: (p, y) => -(y * log100(p) + (1 - y) * log100(1 - p)),
    da: (g, p, y): T => div(mul(g, sub(p, y)), clamp(mul(p, sub(1, p)), 1e-12)),
    db: (g, p): T => mul(g, sub(clampedLog(sub(1, p)), clampedLog(p))),
  },
  // With p = σ(z): ℓ = max(z, 0) − z·y + log(1 + e^(−|z|)), a form that never overflows (e^(−|z|) ≤ 1).
  // Its derivative is exactly ∂ℓ/∂z = σ(z) − y: the delta a − y (F7).
  binaryCrossEntropyWithLogits: {
    f: (z, y) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))),
    da: (g, z, y): T => bceWithLogitsBackward(g, z, y),
    db: (g, z): T => mul(g, neg(z)),
  },
});

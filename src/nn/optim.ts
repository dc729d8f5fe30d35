// Optimizers: in-place updates of parameter buffers, outside the graph, following PyTorch's update rules.
import type { Tensor } from '../tensor/tensor.ts';

/** Throw unless every named setting is a finite number ≥ 0 (PyTorch's checks). */
function checkSettings(optimizer: string, settings: Record<string, number>): void {
  for (const [name, value] of Object.entries(settings)) {
    if (!(Number.isFinite(value) && value >= 0)) throw new Error(`${optimizer}: ${name} must be a finite number ≥ 0, got ${value}`);
  }
}

abstract class Optimizer {
  constructor(readonly params: Tensor[]) {
    for (const p of params) {
      if (!p.requiresGrad) throw new Error(`${new.target.name}: every parameter must require grad (got one of shape [${p.shape}] that does not)`);
    }
  }
  abstract step(): void;
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

/** g = ∇ + λ·p;  v = μ·v + g (v = g at the first step);  p −= lr·(μ > 0 ? v : g). */
export class SGD extends Optimizer {
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly velocity: (Float64Array | null)[];

  constructor(params: Tensor[], { lr, momentum = 0, weightDecay = 0 }: SGDOptions) {
    super(params);
    checkSettings('SGD', { lr, momentum, weightDecay });
    this.lr = lr; this.momentum = momentum; this.weightDecay = weightDecay;
    this.velocity = params.map(() => null);
  }

  step(): void {
    const { lr, momentum: mu, weightDecay: wd } = this;
    this.params.forEach((p, k) => {
      if (p.grad === null) return;
      const w = p.data, g = p.grad.data;
      if (mu === 0) {
        for (let i = 0; i < w.length; i++) w[i] -= lr * (g[i] + wd * w[i]);
        return;
      }
      const first = this.velocity[k] === null;
      const v = (this.velocity[k] ??= new Float64Array(w.length));
      for (let i = 0; i < w.length; i++) {
        v[i] = (first ? 0 : mu * v[i]) + g[i] + wd * w[i];
        w[i] -= lr * v[i];
      }
    });
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * g = ∇ + λ·p;  m = β₁m + (1 − β₁)g;  v = β₂v + (1 − β₂)g²;
 * p −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)   (bias-corrected, in PyTorch's arrangement).
 */
export class Adam extends Optimizer {
  readonly lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  // Steps per parameter (PyTorch's state['step']): one skipped while its grad was null starts its bias correction at t = 1.
  private readonly t: number[];
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];

  constructor(params: Tensor[], { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 }: AdamOptions = {}) {
    super(params);
    checkSettings('Adam', { lr, eps, weightDecay });
    if (!betas.every((b) => b >= 0 && b < 1)) throw new Error(`Adam: betas must lie in [0, 1), got [${betas.join(', ')}]`);
    this.lr = lr; this.betas = betas; this.eps = eps; this.weightDecay = weightDecay;
    this.t = params.map(() => 0);
    this.m = params.map((p) => new Float64Array(p.size));
    this.v = params.map((p) => new Float64Array(p.size));
  }

  step(): void {
    const [b1, b2] = this.betas, { lr, eps, weightDecay: wd } = this;
    this.params.forEach((p, k) => {
      if (p.grad === null) return;
      const t = ++this.t[k];
      const stepSize = lr / (1 - b1 ** t), root2 = Math.sqrt(1 - b2 ** t);
      const w = p.data, g = p.grad.data, m = this.m[k], v = this.v[k];
      for (let i = 0; i < w.length; i++) {
        const gi = g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        w[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / root2 + eps);
      }
    });
  }
}

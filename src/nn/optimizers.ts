// Optimizers: in-place updates of the parameters with the in-place tensor ops (outside the graph), following
// PyTorch's update rules and its order of floating-point operations.
import { isProfiling, noGrad, recordFunction, Tensor } from '../autograd/index.ts';
import { flagOf, optionsOf, what } from '../autograd/options.ts';
import { show } from '../tensor/shape.ts';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Throw unless every named setting is a finite number ≥ 0 (PyTorch's checks). */
function checkSettings(optimizer: string, settings: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(settings)) {
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new Error(`${optimizer}: ${name} must be a finite number ≥ 0, got ${show(value)}`);
    }
  }
}

/**
 * What every optimizer has: its parameters, a learning rate that may change between steps, step and zeroGrad. A
 * subclass implements `update`, called by step for each parameter that has a gradient, inside noGrad.
 *
 * @example
 * ```ts
 * class SignSGD extends optim.Optimizer {
 *   update(p, grad) { p.add_(grad.sign(), -this.lr); }
 * }
 * const w = tensor([1, -1], { requiresGrad: true });
 * const opt = new SignSGD([w]);
 * opt.lr = 0.5;
 * w.mul(tensor([3, -2])).sum().backward();
 * opt.step();
 * w // [0.5, -0.5]
 * ```
 */
export abstract class Optimizer {
  /** The parameters it updates (leaf tensors, each once), in order. */
  readonly params: Tensor[];
  /** @internal backs `lr`. */
  private rate = 0;
  /**
   * @internal The learning rate, and its negative, as one-element tensors the updates read when they run: a compiled step
   * (compile) replays the updates, and must see a new rate a training loop or a scheduler sets between steps.
   */
  protected readonly lrTensor = scalar(0);
  /** @internal */
  protected readonly negLr = scalar(0);
  /** An optimizer of `params` (a non-empty array of leaf tensors, e.g. `model.parameters()`); lr starts at 0. */
  constructor(params: Tensor[]) {
    const name = new.target.name;
    if (!Array.isArray(params)) throw new Error(`${name}: params must be an array of tensors (model.parameters()), got ${what(params)}`);
    if (params.length === 0) throw new Error(`${name}: got an empty parameter list; pass model.parameters()`);
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${name}: parameter ${i} is not a tensor, got ${what(p)}`);
      if (!p.isLeaf) {
        throw new Error(`${name}: parameter ${i} (shape ${fmt(p.shape)}) was made by '${p.gradFn!.name}', so an update would not reach ` +
          'any stored weight; optimize leaf tensors (e.g. model.parameters())');
      }
      if (seen.has(p)) throw new Error(`${name}: parameter ${i} (shape ${fmt(p.shape)}) appears twice, so it would be stepped twice`);
      seen.add(p);
    });
    this.params = [...params];
  }

  /** The learning rate: writable, so that a training loop or a scheduler (StepLR, …) can change it between steps. */
  get lr(): number { return this.rate; }
  /** Set the learning rate (a finite number ≥ 0) for the next steps. */
  set lr(value: number) {
    checkSettings(this.constructor.name, { lr: value });
    this.rate = value;
    noGrad(() => { this.lrTensor.fill_(value); this.negLr.fill_(-value); });
  }

  /** Update every parameter that has a gradient. */
  step(): void {
    if (isProfiling()) recordFunction(this.names[0], this.stepAll, OPTIMIZER); // a span of the profile
    else noGrad(this.updateAll);
  }

  // Made once: a step is called in every iteration of a training loop. The names label the profiler's spans.
  /** @internal */
  private readonly names = [`${this.constructor.name}.step`, `${this.constructor.name}.zeroGrad`] as const;
  /** @internal */
  private readonly stepAll = (): void => noGrad(this.updateAll);
  /** @internal */
  private readonly zeroAll = (): void => { for (const p of this.params) p.zeroGrad(); };
  /** @internal */
  private readonly updateAll = (): void => {
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k];
      if (p.grad !== null) this.update(p, p.grad, k);
    }
  };

  /**
   * Change parameter `p` (the k-th of params) in place from its gradient `grad`; called by step, inside noGrad,
   * for each parameter whose .grad is not null.
   */
  protected abstract update(p: Tensor, grad: Tensor, k: number): void;

  /** Set the .grad of every parameter to zeros (call it before each backward: gradients accumulate). */
  zeroGrad(): void {
    if (isProfiling()) recordFunction(this.names[1], this.zeroAll, OPTIMIZER);
    else this.zeroAll();
  }
}

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** The learning rate (required, ≥ 0). */
  lr: number;
  /** The momentum factor μ (default 0: none). */
  momentum?: number;
  /** The L2 penalty λ added to the gradient as λ·p (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, as PyTorch's: g = ∇ + λ·p;  v = μ·v + g (v = g at the first step);
 * p −= lr·(μ > 0 ? v : g).
 *
 * @example
 * ```ts
 * const w = tensor([1, 2], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1 });
 * w.square().sum().backward();
 * opt.step();
 * w // [0.8, 1.6]
 * ```
 */
export class SGD extends Optimizer {
  /** The momentum factor μ. */
  readonly momentum: number;
  /** The weight decay λ. */
  readonly weightDecay: number;
  /** @internal the momentum buffer of each parameter (null until its first step). */
  private readonly velocity: (Tensor | null)[];

  /** SGD of `params` with the options (`lr` is required). */
  constructor(params: Tensor[], opts: SGDOptions) {
    super(params);
    const { lr, momentum = 0, weightDecay = 0 } = optionsOf('SGD', opts);
    checkSettings('SGD', { lr, momentum, weightDecay });
    this.lr = lr; this.momentum = momentum; this.weightDecay = weightDecay;
    this.velocity = this.params.map(() => null);
  }

  protected update(p: Tensor, grad: Tensor, k: number): void {
    const g = this.weightDecay === 0 ? grad : grad.add(p.mul(this.weightDecay));
    if (this.momentum === 0) {
      p.add_(g, this.negLr);
      return;
    }
    const v = this.velocity[k];
    if (v === null) this.velocity[k] = g === grad ? g.clone() : g;
    else v.mul_(this.momentum).add_(g);
    p.add_(this.velocity[k]!, this.negLr);
  }
}

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  /** The learning rate (default 1e-3). */
  lr?: number;
  /** The decay rates [β₁, β₂] of the moving averages of g and g², each in [0, 1) (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** The weight decay λ (default 0 for Adam, an L2 penalty; 0.01 for AdamW, decoupled). */
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba), as PyTorch's: g = ∇ + λ·p;  m = β₁m + (1 − β₁)g;  v = β₂v + (1 − β₂)g²;
 * p −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)   (bias-corrected, in PyTorch's arrangement).
 *
 * @example
 * ```ts
 * const w = tensor([1, -1], { requiresGrad: true });
 * const opt = new optim.Adam([w], { lr: 0.1 });
 * w.mul(tensor([2, -3])).sum().backward();
 * opt.step();
 * w // [0.9, -0.9]
 * ```
 */
export class Adam extends Optimizer {
  /** @internal */
  protected static defaultWeightDecay = 0;
  /** The decay rates [β₁, β₂]. */
  readonly betas: [number, number];
  /** The stability term ε. */
  readonly eps: number;
  /** The weight decay λ. */
  readonly weightDecay: number;
  /**
   * @internal Steps per parameter (PyTorch's state['step']), a one-element tensor each (so a replayed step counts
   * too): one skipped while its grad was null starts its bias correction at t = 1.
   */
  private readonly t: Tensor[];
  /** @internal β₁ and β₂ as one-element tensors. */
  private readonly beta1: Tensor;
  /** @internal */
  private readonly beta2: Tensor;
  /** @internal the first and second moments of each parameter. */
  private readonly m: Tensor[];
  /** @internal */
  private readonly v: Tensor[];

  /** Adam of `params` with the options (each has a default). */
  constructor(params: Tensor[], opts?: AdamOptions) {
    super(params);
    const name = new.target.name;
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = (new.target as typeof Adam).defaultWeightDecay } = optionsOf(name, opts);
    checkSettings(name, { lr, eps, weightDecay });
    if (!Array.isArray(betas) || betas.length !== 2) throw new Error(`${name}: betas must be two numbers [β₁, β₂], got ${show(betas)}`);
    if (!betas.every((b) => typeof b === 'number' && b >= 0 && b < 1)) throw new Error(`${name}: betas must lie in [0, 1), got [${betas.join(', ')}]`);
    this.lr = lr; this.betas = [betas[0], betas[1]]; this.eps = eps; this.weightDecay = weightDecay;
    this.t = this.params.map(() => scalar(0));
    [this.beta1, this.beta2] = [scalar(this.betas[0]), scalar(this.betas[1])];
    this.m = this.params.map((p) => zerosLike(p));
    this.v = this.params.map((p) => zerosLike(p));
  }

  /** @internal The gradient the moments follow, with weight decay applied: Adam adds λ·p to it (L2 regularisation). */
  protected decayed(p: Tensor, grad: Tensor): Tensor {
    return this.weightDecay === 0 ? grad : grad.add(p.mul(this.weightDecay));
  }

  protected update(p: Tensor, grad: Tensor, k: number): void {
    const [b1, b2] = this.betas, t = this.t[k].add_(1);
    const g = this.decayed(p, grad);
    this.m[k].mul_(b1).add_(g, 1 - b1);
    this.v[k].mul_(b2).addcmul_(g, g, 1 - b2);
    // The bias corrections 1 − βᵗ, computed from the step tensor: the same arithmetic as PyTorch's on numbers.
    const denom = this.v[k].sqrt().div(this.beta2.pow(t).neg().add(1).sqrt()).add(this.eps);
    p.addcdiv_(this.m[k], denom, this.negLr.div(this.beta1.pow(t).neg().add(1)));
  }
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch's AdamW, weightDecay 0.01 by default):
 * p ← p·(1 − lr·λ) first, then Adam's step on the plain gradient.
 *
 * @example
 * ```ts
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.AdamW([w], { lr: 0.1, weightDecay: 0.5 });
 * w.sum().backward();
 * opt.step();
 * w // [0.85]
 * ```
 */
export class AdamW extends Adam {
  /** @internal */
  protected static override defaultWeightDecay = 1e-2;
  /** @internal AdamW decays the parameter itself, p ← p·(1 − lr·λ), and leaves the gradient as it is. */
  protected override decayed(p: Tensor, grad: Tensor): Tensor {
    if (this.weightDecay !== 0) p.mul_(this.lrTensor.mul(-this.weightDecay).add(1)); // 1 − lr·λ
    return grad;
  }
}

/** Options of {@link RMSprop}. */
export interface RMSpropOptions {
  /** The learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the running average of g² (default 0.99). */
  alpha?: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** The L2 penalty λ added to the gradient as λ·p (default 0). */
  weightDecay?: number;
  /** The momentum factor μ (default 0: none). */
  momentum?: number;
  /** Divide by the estimated variance (E[g²] − E[g]²) instead of E[g²]. */
  centered?: boolean;
}

/**
 * RMSprop, as PyTorch's: g = ∇ + λ·p;  s = α·s + (1 − α)·g²;  centered: a = α·a + (1 − α)·g, d = √(s − a²) + ε,
 * else d = √s + ε;  momentum μ > 0: b = μ·b + g/d, p −= lr·b;  else p −= lr·g/d.
 *
 * @example
 * ```ts
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.RMSprop([w], { lr: 0.01 });
 * w.mul(2).sum().backward();
 * opt.step();
 * w // [0.9]
 * ```
 */
export class RMSprop extends Optimizer {
  /** The smoothing constant α. */
  readonly alpha: number;
  /** The stability term ε. */
  readonly eps: number;
  /** The weight decay λ. */
  readonly weightDecay: number;
  /** The momentum factor μ. */
  readonly momentum: number;
  /** Whether it divides by the estimated variance. */
  readonly centered: boolean;
  /** @internal Per parameter: the running average of g², and (centered) of g, and (momentum) the momentum buffer. */
  private readonly state: { square: Tensor; mean: Tensor | null; buf: Tensor | null }[];

  /** RMSprop of `params` with the options (each has a default). */
  constructor(params: Tensor[], opts?: RMSpropOptions) {
    super(params);
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered: c } = optionsOf('RMSprop', opts);
    checkSettings('RMSprop', { lr, alpha, eps, weightDecay, momentum });
    const centered = flagOf('RMSprop', 'centered', c, false);
    this.lr = lr; this.alpha = alpha; this.eps = eps; this.weightDecay = weightDecay; this.momentum = momentum; this.centered = centered;
    this.state = this.params.map((p) => ({ square: zerosLike(p), mean: centered ? zerosLike(p) : null, buf: momentum > 0 ? zerosLike(p) : null }));
  }

  protected update(p: Tensor, grad: Tensor, k: number): void {
    const a = this.alpha, g = this.weightDecay === 0 ? grad : grad.add(p.mul(this.weightDecay)), { square, mean, buf } = this.state[k];
    const s = square.mul_(a).addcmul_(g, g, 1 - a);
    let avg: Tensor;
    if (mean !== null) {
      const m = mean.mul_(a).add_(g, 1 - a);
      avg = s.sub(m.mul(m)).sqrt().add(this.eps);
    } else {
      avg = s.sqrt().add(this.eps);
    }
    if (buf !== null) p.add_(buf.mul_(this.momentum).addcdiv_(g, avg), this.negLr);
    else p.addcdiv_(g, avg, this.negLr);
  }
}

const OPTIMIZER = { phase: 'optimizer' } as const;
const zerosLike = (p: Tensor): Tensor => Tensor.from(new Float64Array(p.size), [...p.shape]);
const scalar = (v: number): Tensor => Tensor.from(Float64Array.of(v), []);


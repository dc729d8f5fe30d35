// Activation modules: each holds its settings and calls its functional op (src/autograd/ops/activations.ts).
import { elu, gelu, hardtanh, leakyRelu, logSigmoid, silu, softplus, type GeluOptions, type SoftplusOptions, type Tensor } from '../autograd/index.ts';
import { optionsOf, what } from '../autograd/options.ts';
import { Module } from './module.ts';

/** A module's numeric setting, checked when the module is made: a number, not NaN (finite unless `infinite`). */
function setting(module: string, name: string, v: unknown, infinite = false): number {
  if (typeof v !== 'number' || Number.isNaN(v) || (!infinite && !Number.isFinite(v))) {
    throw new Error(`${module}: ${name} must be a ${infinite ? '' : 'finite '}number, got ${what(v)}`);
  }
  return v;
}

/**
 * The Gaussian error linear unit x·Φ(x) ({@link gelu}), as a module; `approximate: 'tanh'` for PyTorch's tanh
 * approximation.
 *
 * @example
 * ```ts
 * new nn.GELU().call(tensor([1])) // [0.841345]
 * new nn.GELU({ approximate: 'tanh' }).toString() // "GELU(approximate='tanh')"
 * ```
 */
export class GELU extends Module {
  /** 'none' (exact) or 'tanh'. */
  readonly approximate: 'none' | 'tanh';
  /** A GELU, exact unless `opts.approximate` is 'tanh'. */
  constructor(opts?: GeluOptions) {
    super();
    const approximate = optionsOf('GELU', opts).approximate ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`GELU: approximate must be 'none' or 'tanh', got ${what(approximate)}`);
    this.approximate = approximate;
  }
  /** gelu(x), elementwise. */
  forward(x: Tensor): Tensor { return gelu(x, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/**
 * x·σ(x) ({@link silu}), as a module.
 *
 * @example
 * ```ts
 * new nn.SiLU().call(tensor([0, 2])) // [0, 1.761594]
 * ```
 */
export class SiLU extends Module {
  /** silu(x), elementwise. */
  forward(x: Tensor): Tensor { return silu(x); }
}

/**
 * log σ(x) ({@link logSigmoid}), as a module.
 *
 * @example
 * ```ts
 * new nn.LogSigmoid().call(tensor([0])) // [-0.693147]
 * ```
 */
export class LogSigmoid extends Module {
  /** logSigmoid(x), elementwise. */
  forward(x: Tensor): Tensor { return logSigmoid(x); }
}

/**
 * x where x > 0, else negativeSlope·x ({@link leakyRelu}), as a module.
 *
 * @example
 * ```ts
 * new nn.LeakyReLU(0.1).call(tensor([-2, 3])) // [-0.2, 3]
 * new nn.LeakyReLU().toString() // 'LeakyReLU(negativeSlope=0.01)'
 * ```
 */
export class LeakyReLU extends Module {
  /** The slope for x < 0. */
  readonly negativeSlope: number;
  /** A leaky ReLU of slope `negativeSlope` (default 0.01) below 0. */
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = setting('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  /** leakyRelu(x), elementwise. */
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

/**
 * x where x > 0, else α·(eˣ − 1) ({@link elu}), as a module.
 *
 * @example
 * ```ts
 * new nn.ELU().call(tensor([-1, 2])) // [-0.632121, 2]
 * new nn.ELU(0.5).toString() // 'ELU(alpha=0.5)'
 * ```
 */
export class ELU extends Module {
  /** α, the value approached as x → −∞ is −α. */
  readonly alpha: number;
  /** An ELU with `alpha` (default 1). */
  constructor(alpha = 1) {
    super();
    this.alpha = setting('ELU', 'alpha', alpha);
  }
  /** elu(x), elementwise. */
  forward(x: Tensor): Tensor { return elu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${this.alpha}`; }
}

/**
 * log(1 + e^(βx))/β, x itself where βx > threshold ({@link softplus}), as a module.
 *
 * @example
 * ```ts
 * new nn.Softplus().call(tensor([0])) // [0.693147]
 * new nn.Softplus({ beta: 2 }).toString() // 'Softplus(beta=2, threshold=20)'
 * ```
 */
export class Softplus extends Module {
  /** β (default 1). */
  readonly beta: number;
  /** Above it, βx gives x itself (default 20). */
  readonly threshold: number;
  /** A softplus with `opts.beta` (default 1) and `opts.threshold` (default 20). */
  constructor(opts?: SoftplusOptions) {
    super();
    const o = optionsOf('Softplus', opts);
    this.beta = setting('Softplus', 'beta', o.beta ?? 1);
    if (this.beta === 0) throw new Error('Softplus: beta must not be 0 (log(1 + e^(βx))/β divides by it)');
    this.threshold = setting('Softplus', 'threshold', o.threshold ?? 20, true);
  }
  /** softplus(x), elementwise. */
  forward(x: Tensor): Tensor { return softplus(x, { beta: this.beta, threshold: this.threshold }); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

/**
 * x clamped to [minVal, maxVal] ({@link hardtanh}), as a module.
 *
 * @example
 * ```ts
 * new nn.Hardtanh().call(tensor([-3, 0.5, 3])) // [-1, 0.5, 1]
 * new nn.Hardtanh(0, 6).toString() // 'Hardtanh(minVal=0, maxVal=6)'
 * ```
 */
export class Hardtanh extends Module {
  /** The lower bound. */
  readonly minVal: number;
  /** The upper bound. */
  readonly maxVal: number;
  /** A hardtanh between `minVal` (default −1) and `maxVal` (default 1). */
  constructor(minVal = -1, maxVal = 1) {
    super();
    this.minVal = setting('Hardtanh', 'minVal', minVal, true);
    this.maxVal = setting('Hardtanh', 'maxVal', maxVal, true);
    if (this.minVal > this.maxVal) throw new Error(`Hardtanh: minVal ${minVal} is above maxVal ${maxVal}`);
  }
  /** hardtanh(x), elementwise. */
  forward(x: Tensor): Tensor { return hardtanh(x, this.minVal, this.maxVal); }
  override extraRepr(): string { return `minVal=${this.minVal}, maxVal=${this.maxVal}`; }
}

/**
 * x itself: a placeholder where a model expects a layer. Its arguments are ignored, as PyTorch's are, so it can
 * stand in for a layer made with the same arguments.
 *
 * @example
 * ```ts
 * new nn.Identity().call(tensor([1, 2])) // [1, 2]
 * new nn.Identity(54, { unused: true }).toString() // 'Identity()'
 * ```
 */
export class Identity extends Module {
  /** An identity; any arguments are ignored. */
  constructor(..._args: unknown[]) { super(); }
  /** x, unchanged (the same tensor). */
  forward(x: Tensor): Tensor { return x; }
}

// Activation functions (PyTorch's torch.nn.functional ones) as elementwise ops, each a forward on numbers beside
// its rule in tensor ops. A setting (a slope, α, β, a bound) is a 0-d constant operand, so every op stays one map
// that compile() inlines; no gradient flows to a setting. The fused backward ops (as PyTorch's gelu_backward) are
// ops with rules of their own, so every activation can be differentiated to any order.
import { erfc } from '../../tensor/erf.ts';
import type { TensorBase } from '../tensor-base.ts';
import { expectTensor } from '../op.ts';
import { optionsOf, what } from '../options.ts';
import { add, binaryOps, exp, gt, lt, mul, neg, sigmoid, square, sub, ternaryOps, unaryOps } from './elementwise.ts';

type T = TensorBase;

const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const K = Math.sqrt(2 / Math.PI), KAPPA = 0.044715; // gelu's tanh approximation: tanh(K·(x + κx³))

/** Φ(x), the standard normal CDF, from erfc: it keeps its digits far into the left tail, where 1 + erf(x/√2) is 0. */
const normalCdf = (x: number): number => 0.5 * erfc(-x * Math.SQRT1_2);
/** φ(x), the standard normal density. */
const normalPdf = (x: number): number => INV_SQRT_2PI * Math.exp(-0.5 * x * x);
/** 1/(1 + e^−z), σ(z): e^−z may overflow to ∞, which gives the right limit, 0. */
const logistic = (z: number): number => 1 / (1 + Math.exp(-z));
/** 2K·(x + κx³): ½x(1 + tanh(u)) = x·σ(2u), which keeps its digits where 1 + tanh(u) would cancel. */
const twiceU = (x: number): number => 2 * K * (x + KAPPA * x * x * x);

const unary = unaryOps({
  gelu: { f: (x) => x * normalCdf(x), dx: (g, x): T => geluBackward(g, x) },
  geluTanh: { f: (x) => x * logistic(twiceU(x)), dx: (g, x): T => geluTanhBackward(g, x) },
  silu: { f: (x) => x / (1 + Math.exp(-x)), dx: (g, x): T => siluBackward(g, x) },
  // log σ(x) = min(x, 0) − log1p(e^−|x|): no overflow at any x.
  logSigmoid: { f: (x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))), dx: (g, x): T => logSigmoidBackward(g, x) },
});

// The second derivatives the fused backward ops' rules need, in tensor ops. σ(1 − σ) is taken as σ(z)·σ(−z), which
// keeps its digits where σ(z) rounds to 1.
/** σ′(z) = σ(z)·σ(−z). */
const sigmoidSlope = (z: T): T => mul(sigmoid(z), sigmoid(neg(z)));
/** gelu″(x) = φ(x)·(2 − x²). */
const geluSecond = (x: T): T => mul(mul(exp(mul(square(x), -0.5)), INV_SQRT_2PI), sub(2, square(x)));
/** With s = σ(2u) and v = (2u)′ = 2K(1 + 3κx²): (x·s)″ = s(1 − s)·(2v + x·v′ + x·v²·(1 − 2s)), v′ = 12Kκx. */
function geluTanhSecond(x: T): T {
  const x2 = square(x), w = mul(mul(x, add(mul(x2, KAPPA), 1)), 2 * K), v = mul(add(mul(x2, 3 * KAPPA), 1), 2 * K);
  return mul(sigmoidSlope(w), add(add(mul(v, 2), mul(x2, 12 * K * KAPPA)), mul(mul(x, square(v)), sub(1, mul(sigmoid(w), 2)))));
}
/** silu″(x) = σ(1 − σ)·(2 + x·(1 − 2σ)). */
const siluSecond = (x: T): T => mul(sigmoidSlope(x), add(mul(x, sub(1, mul(sigmoid(x), 2))), 2));

const binary = binaryOps({
  // Fused backward ops of (g, x): g·f′(x) in one pass. Each is linear in g (its rule for g is itself) and its
  // rule for x is g·f″(x).
  geluBackward: { // gelu′ = Φ(x) + x·φ(x)
    f: (g, x) => g * (normalCdf(x) + x * normalPdf(x)),
    da: (gg, _g, x): T => geluBackward(gg, x),
    db: (gg, g, x): T => mul(mul(gg, g), geluSecond(x)),
  },
  geluTanhBackward: { // (x·s)′ = s + x·v·s(1 − s), s = σ(2u)
    f: (g, x) => {
      const s = logistic(twiceU(x));
      return g * (s + x * (2 * K * (1 + 3 * KAPPA * x * x)) * s * (1 - s));
    },
    da: (gg, _g, x): T => geluTanhBackward(gg, x),
    db: (gg, g, x): T => mul(mul(gg, g), geluTanhSecond(x)),
  },
  siluBackward: { // silu′ = σ·(1 + x(1 − σ)), in PyTorch's order
    f: (g, x) => {
      const s = logistic(x);
      return g * s * (1 + x * (1 - s));
    },
    da: (gg, _g, x): T => siluBackward(gg, x),
    db: (gg, g, x): T => mul(mul(gg, g), siluSecond(x)),
  },
  logSigmoidBackward: { // (log σ)′ = 1 − σ(x) = σ(−x); (log σ)″ = −σ(x)σ(−x)
    f: (g, x) => g * logistic(-x),
    da: (gg, _g, x): T => logSigmoidBackward(gg, x),
    db: (gg, g, x): T => neg(mul(mul(gg, g), sigmoidSlope(x))),
  },
  // Activations with one setting s. The derivative at the kink x = 0 is the left one, as PyTorch's.
  leakyRelu: { f: (x, s) => (x > 0 ? x : x * s), da: (g, x, s): T => leakyReluBackward(g, x, s), db: null },
  elu: { f: (x, a) => (x > 0 ? x : a * Math.expm1(x)), da: (g, x, a): T => eluBackward(g, x, a), db: null },
});
const { geluBackward, geluTanhBackward, siluBackward, logSigmoidBackward } = binary;

const ternary = ternaryOps({
  leakyReluBackward: { // g where x > 0, else g·s
    f: (g, x, s) => (x > 0 ? g : g * s),
    da: (gg, _g, x, s): T => leakyReluBackward(gg, x, s),
    db: null, // piecewise linear: f″ = 0
    dc: null,
  },
  eluBackward: { // g where x > 0, else g·α·eˣ; elu″ = α·eˣ for x < 0 (0 at x = 0: the right side, as PyTorch's)
    f: (g, x, a) => (x > 0 ? g : g * a * Math.exp(x)),
    da: (gg, _g, x, a): T => eluBackward(gg, x, a),
    db: (gg, g, x, a): T => mul(eluBackward(mul(gg, g), x, a), lt(x, 0)),
    dc: null,
  },
  // x where βx > threshold (as PyTorch), else log(1 + e^(βx))/β, taken as (max(βx, 0) + log1p(e^−|βx|))/β: no overflow.
  softplus: {
    f: (x, b, t) => {
      const z = x * b;
      return z > t ? x : (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / b;
    },
    da: (g, x, b, t): T => mul(g, softplusDerivative(x, b, t)),
    db: null,
    dc: null,
  },
  // 1 where βx > threshold, else σ(βx); its own derivative is β·σ′(βx) below the threshold (0 at it, as PyTorch's).
  softplusDerivative: {
    f: (x, b, t) => (x * b > t ? 1 : logistic(x * b)),
    da: (gg, x, b, t): T => {
      const z = mul(x, b);
      return mul(gg, mul(lt(z, t), mul(sigmoidSlope(z), b)));
    },
    db: null,
    dc: null,
  },
  // x clamped to [lo, hi]; the gradient passes strictly inside (lo, hi), as PyTorch's hardtanh_backward.
  hardtanh: {
    f: (x, lo, hi) => (x < lo ? lo : x > hi ? hi : x),
    da: (g, x, lo, hi): T => mul(g, mul(gt(x, lo), lt(x, hi))),
    db: null,
    dc: null,
  },
});
const { leakyReluBackward, eluBackward, softplusDerivative } = ternary;

/** A setting of an activation: a number that is not NaN (and finite, unless `infinite` is allowed). */
function setting(op: string, name: string, v: unknown, infinite = false): number {
  if (typeof v !== 'number' || Number.isNaN(v) || (!infinite && !Number.isFinite(v))) {
    throw new Error(`${op}: ${name} must be a ${infinite ? '' : 'finite '}number, got ${what(v)}`);
  }
  return v;
}

/** Options of {@link gelu} and {@link nn.GELU}. */
export interface GeluOptions {
  /** 'none' (the default): x·Φ(x) exactly, Φ the standard normal CDF; 'tanh': ½x·(1 + tanh(√(2/π)·(x + 0.044715x³))). */
  approximate?: 'none' | 'tanh';
}

/**
 * The Gaussian error linear unit, x·Φ(x) with Φ the standard normal CDF (PyTorch's `F.gelu`): Φ is computed from an
 * erfc accurate to about one ulp, so the left tail keeps its digits. `approximate: 'tanh'` gives PyTorch's tanh
 * approximation instead.
 *
 * @example
 * ```ts
 * gelu(tensor([-1, 0, 1])) // [-0.158655, 0, 0.841345]
 * gelu(tensor([1]), { approximate: 'tanh' }) // [0.841192]
 * ```
 */
export function gelu<X extends T>(x: X, opts?: GeluOptions): X {
  expectTensor('gelu', 'the input', x);
  const approximate = optionsOf('gelu', opts).approximate ?? 'none';
  if (approximate === 'none') return unary.gelu(x);
  if (approximate === 'tanh') return unary.geluTanh(x);
  throw new Error(`gelu: approximate must be 'none' or 'tanh', got ${what(approximate)}`);
}

/**
 * The sigmoid linear unit (swish), x·σ(x) (PyTorch's `F.silu`).
 *
 * @example
 * ```ts
 * silu(tensor([-1, 0, 2])) // [-0.268941, 0, 1.761594]
 * ```
 */
export function silu<X extends T>(x: X): X {
  return unary.silu(x);
}

/**
 * log σ(x) = −softplus(−x), computed as min(x, 0) − log1p(e^−|x|) so that it never overflows (PyTorch's
 * `F.logsigmoid`); its derivative is σ(−x).
 *
 * @example
 * ```ts
 * logSigmoid(tensor([0, -1000])) // [-0.693147, -1000]
 * ```
 */
export function logSigmoid<X extends T>(x: X): X {
  return unary.logSigmoid(x);
}

/**
 * x where x > 0, else `negativeSlope`·x (PyTorch's `F.leaky_relu`); at 0 the gradient is the slope.
 *
 * @example
 * ```ts
 * leakyRelu(tensor([-2, 3])) // [-0.02, 3]
 * leakyRelu(tensor([-2, 3]), 0.2) // [-0.4, 3]
 * ```
 */
export function leakyRelu<X extends T>(x: X, negativeSlope = 0.01): X {
  expectTensor('leakyRelu', 'the input', x);
  return binary.leakyRelu(x, setting('leakyRelu', 'negativeSlope', negativeSlope));
}

/**
 * The exponential linear unit: x where x > 0, else α·(eˣ − 1) (PyTorch's `F.elu`; computed with expm1, so accurate
 * for x near 0). At 0 the gradient is α.
 *
 * @example
 * ```ts
 * elu(tensor([-1, 2])) // [-0.632121, 2]
 * elu(tensor([-1]), 2) // [-1.264241]
 * ```
 */
export function elu<X extends T>(x: X, alpha = 1): X {
  expectTensor('elu', 'the input', x);
  return binary.elu(x, setting('elu', 'alpha', alpha));
}

/** Options of {@link softplus} and {@link nn.Softplus}. */
export interface SoftplusOptions {
  /** β in log(1 + e^(βx))/β (default 1; any finite number but 0). */
  beta?: number;
  /** Where βx is above it, the output is x itself (default 20; may be Infinity). */
  threshold?: number;
}

/**
 * log(1 + e^(βx))/β, a smooth relu (PyTorch's `F.softplus`): x itself where βx > threshold, as PyTorch, and
 * computed as (max(βx, 0) + log1p(e^−|βx|))/β elsewhere, so it never overflows. Its derivative is σ(βx) (1 above
 * the threshold).
 *
 * @example
 * ```ts
 * softplus(tensor([0, 1000])) // [0.693147, 1000]
 * softplus(tensor([0, 1]), { beta: 2 }) // [0.346574, 1.063464]
 * ```
 */
export function softplus<X extends T>(x: X, opts?: SoftplusOptions): X {
  expectTensor('softplus', 'the input', x);
  const o = optionsOf('softplus', opts), beta = setting('softplus', 'beta', o.beta ?? 1);
  if (beta === 0) throw new Error('softplus: beta must not be 0 (log(1 + e^(βx))/β divides by it)');
  return ternary.softplus(x, beta, setting('softplus', 'threshold', o.threshold ?? 20, true));
}

/**
 * x clamped to [minVal, maxVal] (PyTorch's `F.hardtanh`): the gradient passes strictly between the bounds, and
 * is 0 at them (as PyTorch's; `clamp` passes it at the bounds too).
 *
 * @example
 * ```ts
 * hardtanh(tensor([-3, 0.5, 3])) // [-1, 0.5, 1]
 * hardtanh(tensor([-3, 0.5, 3]), 0, 2) // [0, 0.5, 2]
 * ```
 */
export function hardtanh<X extends T>(x: X, minVal = -1, maxVal = 1): X {
  expectTensor('hardtanh', 'the input', x);
  const lo = setting('hardtanh', 'minVal', minVal, true), hi = setting('hardtanh', 'maxVal', maxVal, true);
  if (lo > hi) throw new Error(`hardtanh: minVal ${lo} is above maxVal ${hi}`);
  return ternary.hardtanh(x, lo, hi);
}

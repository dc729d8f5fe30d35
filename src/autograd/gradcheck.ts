// Check autograd against central finite differences, (f(x + ε) − f(x − ε)) / 2ε, in float64: first
// derivatives (gradcheck), and second ones (gradgradcheck: the first derivatives checked the same way).
import { RandomState } from '../tensor/random.ts';
import { fmt } from '../tensor/shape.ts';
import { Tensor } from './tensor.ts';
import { describe, noGrad } from './op.ts';
import { grad } from './backward.ts';
import { optionsOf, what } from './options.ts';

/** Options of gradcheck and gradgradcheck. */
export interface GradcheckOptions {
  /** The finite-difference step (default 1e-6). */
  eps?: number;
  /** The absolute tolerance (default 1e-8). */
  atol?: number;
  /** The relative tolerance, to |numeric| (default 1e-6). */
  rtol?: number;
}

/** What gradcheck and gradgradcheck found. */
export interface GradcheckResult {
  /** Whether every checked element passed: |analytic − numeric| ≤ atol + rtol·|numeric|. */
  ok: boolean;
  /** The largest |analytic − numeric| over all checked elements. */
  maxError: number;
  /** Where the mismatch was worst relative to the tolerance (null when nothing was checked). */
  worst: {
    /** The position of the input in `inputs`. */
    input: number;
    /** The element's position in the input, row-major. */
    index: number;
    /** The derivative autograd computed. */
    analytic: number;
    /** The central finite difference. */
    numeric: number;
  } | null;
  /** A sentence saying whether the check passed and where it was worst, for a test's failure message. */
  message: string;
}

/** Fixed pseudo-random weights in [0.5, 1.5) of a shape: Σ w·out tests every output element's gradient. */
const weights = (shape: readonly number[], seed: number): Tensor => Tensor.from(new RandomState(seed).uniform(0.5, 1.5, shape), [...shape]);

function scalarOf(op: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor {
  const out = fn(...inputs);
  if (!(out instanceof Tensor)) throw new Error(`${op}: fn must return a tensor, got ${describe(out)}`);
  return out.size === 1 ? out.sum() : out.mul(weights(out.shape, 1234)).sum();
}

function checkInputs(op: string, inputs: unknown): asserts inputs is Tensor[] {
  if (!Array.isArray(inputs)) throw new Error(`${op}: inputs must be an array of tensors, got ${describe(inputs)}`);
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`${op}: input ${i} must be a tensor, got ${describe(x)}`);
    if (!x.isLeaf) throw new Error(`${op}: input ${i} (shape ${fmt(x.shape)}) is not a leaf; pass x.detach() with requiresGrad set`);
  });
}

/**
 * Compare the gradients of fn with respect to every input that requires grad (leaves) with central finite
 * differences, (f(x + ε) − f(x − ε)) / 2ε, in float64. A non-scalar output is reduced to Σ w·out with fixed
 * pseudo-random weights w. An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|. Inputs are restored
 * afterwards, even when fn throws.
 *
 * @example
 * ```ts
 * const x = tensor([0.5, -1], { requiresGrad: true });
 * gradcheck((t) => t.sigmoid().mul(t), [x]).ok // true
 * ```
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts?: GradcheckOptions): GradcheckResult {
  return check('gradcheck', fn, inputs, opts, false);
}

/**
 * Second derivatives: the first derivatives of fn (taken with createGraph, against fixed random output weights)
 * are checked by gradcheck, so their own derivatives are compared with finite differences of them.
 *
 * @example
 * ```ts
 * const x = tensor([0.5, -1], { requiresGrad: true });
 * gradgradcheck((t) => t.tanh().square(), [x]).ok // true
 * ```
 */
export function gradgradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts?: GradcheckOptions): GradcheckResult {
  checkFn('gradgradcheck', fn);
  checkInputs('gradgradcheck', inputs);
  const wrt = inputs.filter((x) => x.requiresGrad);
  const firstDerivatives = (...xs: Tensor[]): Tensor => {
    const out = fn(...xs);
    if (!(out instanceof Tensor)) throw new Error(`gradgradcheck: fn must return a tensor, got ${describe(out)}`);
    const gs = grad(out, wrt, { gradOutputs: weights(out.shape, 99), createGraph: true, allowUnused: true });
    return gs.reduce((acc: Tensor, g, i) => (g === null ? acc : acc.add(g.mul(weights(g.shape, 7 + i)).sum())), Tensor.from(new Float64Array(1), []));
  };
  return check('gradgradcheck', firstDerivatives, inputs, opts, true);
}

function checkFn(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new Error(`${op}: fn must be a function, got ${describe(fn)}`);
}

function check(op: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions | undefined, numericNeedsGraph: boolean): GradcheckResult {
  checkFn(op, fn);
  checkInputs(op, inputs);
  const { eps = 1e-6, atol = 1e-8, rtol = 1e-6 } = optionsOf(op, opts);
  for (const [name, v, least] of [['eps', eps, 'above'], ['atol', atol, 'at least'], ['rtol', rtol, 'at least']] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || (least === 'above' ? v <= 0 : v < 0)) {
      throw new Error(`${op}: ${name} must be a finite number ${least} 0, got ${what(v)}`);
    }
  }
  const wrt = inputs.filter((x) => x.requiresGrad);
  if (wrt.length === 0) return { ok: false, maxError: 0, worst: null, message: `${op}: no input requires grad` };
  const out = scalarOf(op, fn, inputs);
  const analytic = out.requiresGrad ? grad(out, wrt, { allowUnused: true }) : wrt.map(() => null);

  const value = (): number => (numericNeedsGraph ? scalarOf(op, fn, inputs) : noGrad(() => scalarOf(op, fn, inputs))).item();
  let maxError = 0, worstScore = -1;
  let worst: GradcheckResult['worst'] = null;
  wrt.forEach((x, j) => {
    const i = inputs.indexOf(x), data = x.data, a = analytic[j]?.data;
    for (let k = 0; k < x.size; k++) {
      const v = data[k];
      let up: number, down: number;
      try {
        data[k] = v + eps;
        up = value();
        data[k] = v - eps;
        down = value();
      } finally {
        data[k] = v;
      }
      const numeric = (up - down) / (2 * eps), an = a === undefined ? 0 : a[k];
      const err = Math.abs(an - numeric), score = err / (atol + rtol * Math.abs(numeric));
      maxError = Math.max(maxError, err);
      if (score > worstScore || Number.isNaN(score)) {
        worstScore = Number.isNaN(score) ? Infinity : score;
        worst = { input: i, index: k, analytic: an, numeric };
      }
    }
  });
  const ok = worstScore <= 1;
  const w = worst as GradcheckResult['worst'];
  const message = w === null
    ? `${op}: the inputs that require grad have no elements`
    : `${op} ${ok ? 'passed' : 'FAILED'}: worst at input ${w.input}, element ${w.index}: ` +
      `analytic ${w.analytic}, numeric ${w.numeric} (|diff| ${Math.abs(w.analytic - w.numeric)}; atol ${atol}, rtol ${rtol})`;
  return { ok: ok && w !== null, maxError, worst: w, message };
}

// Check autograd against central finite differences: (f(x + ε) − f(x − ε)) / 2ε, in float64.
import { Tensor } from '../tensor/tensor.ts';
import { RandomState } from '../tensor/random.ts';
import { noGrad } from './graph.ts';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** The largest |analytic − numeric| over all checked elements. */
  maxError: number;
  /** Where the mismatch was worst relative to the tolerance (null when nothing was checked). */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  message: string;
}

/**
 * Compare the gradients of fn with respect to every input that requires grad. A non-scalar output is reduced
 * to Σ w·out with fixed pseudo-random weights w, so every output element's gradient is tested.
 * An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const { eps = 1e-6, atol = 1e-8, rtol = 1e-6 } = opts;
  let weights: Tensor | null = null;
  const scalar = (out: Tensor): Tensor => {
    if (out.size === 1) return out.sum();
    weights ??= Tensor.from(new RandomState(1234).uniform(0.5, 1.5, out.shape), out.shape);
    return out.mul(weights).sum();
  };
  const nonLeaf = inputs.findIndex((x) => !x.isLeaf);
  if (nonLeaf >= 0) throw new Error(`gradcheck: input ${nonLeaf} (shape [${inputs[nonLeaf].shape.join(', ')}]) is not a leaf; pass x.detach() with requiresGrad set`);
  if (!inputs.some((x) => x.requiresGrad)) return { ok: false, maxError: 0, worst: null, message: 'gradcheck: no input requires grad' };
  const saved = inputs.map((x) => x.grad);
  inputs.forEach((x) => (x.grad = null));
  scalar(fn(...inputs)).backward();
  const analytic = inputs.map((x) => x.grad?.data ?? new Float64Array(x.size));
  inputs.forEach((x, i) => (x.grad = saved[i]));

  const value = (): number => noGrad(() => scalar(fn(...inputs)).item());
  let maxError = 0, worstScore = -1;
  let worst: GradcheckResult['worst'] = null;
  inputs.forEach((x, i) => {
    if (!x.requiresGrad) return;
    for (let k = 0; k < x.size; k++) {
      const v = x.data[k];
      x.data[k] = v + eps;
      const up = value();
      x.data[k] = v - eps;
      const down = value();
      x.data[k] = v;
      const numeric = (up - down) / (2 * eps), a = analytic[i][k];
      const err = Math.abs(a - numeric), score = err / (atol + rtol * Math.abs(numeric));
      maxError = Math.max(maxError, err);
      if (score > worstScore || Number.isNaN(score)) {
        worstScore = Number.isNaN(score) ? Infinity : score;
        worst = { input: i, index: k, analytic: a, numeric };
      }
    }
  });
  const ok = worstScore <= 1;
  const w = worst as GradcheckResult['worst'];
  const message = w === null
    ? 'gradcheck: the inputs that require grad have no elements'
    : `gradcheck ${ok ? 'passed' : 'FAILED'}: worst at input ${w.input}, element ${w.index}: ` +
      `analytic ${w.analytic}, numeric ${w.numeric} (|diff| ${Math.abs(w.analytic - w.numeric)}; atol ${atol}, rtol ${rtol})`;
  return { ok: ok && w !== null, maxError, worst: w, message };
}

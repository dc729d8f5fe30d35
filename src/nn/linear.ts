// A fully connected layer y = x·W + b.
import { defaultRng, linear, Tensor, type RandomState } from '../autograd/index.ts';
import { Module, parameter } from './module.ts';

/**
 * How weights are drawn (bias: 'uniform' draws it like the weights; the others start it at 0):
 * - 'uniform': U[−1, 1) as the documents' `2·random − 1`;
 * - 'xavier':  U[−a, a), a = √(6 / (in + out))   (Glorot, for sigmoid/tanh);
 * - 'he':      U[−a, a), a = √(6 / in)           (Kaiming, for ReLU).
 */
export type Init = 'uniform' | 'xavier' | 'he';

export interface LinearOptions {
  bias?: boolean;
  init?: Init;
  /** Generator for the initial weights; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

/**
 * The weight is stored [in, out], so a batch X [m, in] maps with X.matmul(W), exactly the documents'
 * `np.dot(X, syn0)`; the same seed then gives the same weights as `2*np.random.random((in, out)) - 1`.
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    const { bias = true, init = 'uniform', rng = defaultRng() } = opts;
    if (!Number.isInteger(inFeatures) || !Number.isInteger(outFeatures) || inFeatures < 1 || outFeatures < 1) {
      throw new Error(`Linear: features must be positive integers, got in=${inFeatures}, out=${outFeatures}`);
    }
    const a = init === 'uniform' ? 1 : init === 'xavier' ? Math.sqrt(6 / (inFeatures + outFeatures)) : init === 'he' ? Math.sqrt(6 / inFeatures) : NaN;
    if (Number.isNaN(a)) throw new Error(`Linear: unknown init '${init}' (use 'uniform', 'xavier' or 'he')`);
    this.weight = parameter(Tensor.from(rng.uniform(-a, a, [inFeatures, outFeatures]), [inFeatures, outFeatures]));
    // No bias, no draw: layers built from one rng then follow NumPy's stream (syn0, then syn1).
    this.bias = bias
      ? parameter(Tensor.from(init === 'uniform' ? rng.uniform(-1, 1, [outFeatures]) : new Float64Array(outFeatures), [outFeatures]))
      : null;
  }

  override extraRepr(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, bias=${this.bias !== null}`;
  }

  forward(x: Tensor): Tensor {
    return this.bias === null ? x.matmul(this.weight) : linear(x, this.weight, this.bias);
  }
}

// A fully connected layer y = x·W + b.
import { linear, Tensor, type RandomState } from '../autograd/index.ts';
import { Module, parameter } from './module.ts';
import { flagOf, optionsOf, rngOf } from '../autograd/options.ts';
import { show } from '../tensor/shape.ts';

/**
 * How weights are drawn (bias: 'uniform' draws it like the weights; the others start it at 0):
 * - 'uniform': U[−1, 1) as the documents' `2·random − 1`;
 * - 'xavier':  U[−a, a), a = √(6 / (in + out))   (Glorot, for sigmoid/tanh);
 * - 'he':      U[−a, a), a = √(6 / in)           (Kaiming, for ReLU).
 */
export type Init = 'uniform' | 'xavier' | 'he';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Whether the layer adds a bias (default true). */
  bias?: boolean;
  /** How the initial weights are drawn (default 'uniform'). */
  init?: Init;
  /** Generator for the initial weights; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

/**
 * A fully connected layer, y = x·W + b: a batch x of shape [..., in] maps to [..., out]. The weight is stored
 * [in, out], so a batch X [m, in] maps with X.matmul(W), exactly the documents' `np.dot(X, syn0)`; the same seed
 * then gives the same weights as `2*np.random.random((in, out)) - 1`.
 *
 * @example
 * ```ts
 * const layer = new nn.Linear(3, 2, { rng: new RandomState(1) });
 * layer.weight.shape // [3, 2]
 * layer.call(zeros([4, 3])).shape // [4, 2]
 * layer.toString() // 'Linear(in=3, out=2, bias=true)'
 * ```
 */
export class Linear extends Module {
  /** The weight W, of shape [in, out]: a parameter. */
  readonly weight: Tensor;
  /** The bias b, of shape [out] (a parameter), or null for a layer without one. */
  readonly bias: Tensor | null;

  /**
   * A layer from `inFeatures` to `outFeatures`, its weights drawn by `opts.init` from `opts.rng` (default the global
   * generator).
   *
   * @param inFeatures The size of each input sample (a positive integer).
   * @param outFeatures The size of each output sample (a positive integer).
   */
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts?: LinearOptions) {
    super();
    if (!Number.isInteger(inFeatures) || !Number.isInteger(outFeatures) || inFeatures < 1 || outFeatures < 1) {
      throw new Error(`Linear: features must be positive integers, got in=${show(inFeatures)}, out=${show(outFeatures)}`);
    }
    const o = optionsOf('Linear', opts), init = o.init === undefined ? 'uniform' : o.init, bias = flagOf('Linear', 'bias', o.bias, true), rng = rngOf('Linear', o.rng);
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

  /** x·W + b, for x of shape [..., in]. */
  forward(x: Tensor): Tensor {
    return this.bias === null ? x.matmul(this.weight) : linear(x, this.weight, this.bias);
  }
}

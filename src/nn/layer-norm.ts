// Layer normalization as a module: the normalized shape and eps, and the elementwise affine parameters.
import { layerNorm, Tensor } from '../autograd/index.ts';
import { flagOf, optionsOf, what } from '../autograd/options.ts';
import { Module, parameter } from './module.ts';

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Whether the layer has a weight (and a bias, see `bias`) applied after normalizing (default true). */
  elementwiseAffine?: boolean;
  /** Whether the affine part has a bias (default true; as PyTorch 2.1's `bias`). */
  bias?: boolean;
}

/**
 * Layer normalization ({@link layerNorm}): each sample normalized over its last dims, `normalizedShape`, to mean 0
 * and variance 1, then times `weight` and plus `bias` (parameters of shape `normalizedShape`, starting at ones and
 * zeros, as PyTorch's).
 *
 * @example
 * ```ts
 * const norm = new nn.LayerNorm(3);
 * norm.call(tensor([[1, 2, 3]])) // [[-1.224736, 0, 1.224736]]
 * norm.namedParameters().map(([name, p]) => `${name} ${p.shape}`) // ['weight 3', 'bias 3']
 * norm.toString() // 'LayerNorm([3], eps=0.00001, elementwiseAffine=true)'
 * ```
 */
export class LayerNorm extends Module {
  /** The dims normalized over: the input's last ones. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance. */
  readonly eps: number;
  /** Whether the layer has the affine parameters. */
  readonly elementwiseAffine: boolean;
  /** The scale, of shape normalizedShape (a parameter, starting at ones), or null without elementwiseAffine. */
  readonly weight: Tensor | null;
  /** The shift, of shape normalizedShape (a parameter, starting at zeros), or null without it. */
  readonly bias: Tensor | null;

  /**
   * A layer normalizing over the last dims `normalizedShape` (a size, or a list of sizes).
   *
   * @param normalizedShape The sizes of the input's last dims normalized over.
   */
  constructor(normalizedShape: number | readonly number[], opts?: LayerNormOptions) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new Error(`LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${what(normalizedShape)}`);
    }
    const o = optionsOf('LayerNorm', opts), eps = o.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps >= 0) || eps === Infinity) throw new Error(`LayerNorm: eps must be a finite number ≥ 0, got ${what(eps)}`);
    this.normalizedShape = [...shape];
    this.eps = eps;
    this.elementwiseAffine = flagOf('LayerNorm', 'elementwiseAffine', o.elementwiseAffine, true);
    const bias = flagOf('LayerNorm', 'bias', o.bias, true), n = shape.reduce((p, d) => p * d, 1);
    this.weight = this.elementwiseAffine ? parameter(Tensor.from(new Float64Array(n).fill(1), [...shape])) : null;
    this.bias = this.elementwiseAffine && bias ? parameter(Tensor.from(new Float64Array(n), [...shape])) : null;
  }

  /** x normalized over its last dims, then scaled and shifted. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

// Batch normalisation layers, as PyTorch's nn.BatchNorm1d and nn.BatchNorm2d: the affine parameters, the running
// statistics as buffers, and one call of the functional batchNorm.
import { batchNorm, noGrad, ones, Tensor, zeros } from '../autograd/index.ts';
import { flagOf, optionsOf, what } from '../autograd/options.ts';
import { fmt, show } from '../tensor/shape.ts';
import { buffer, Module, parameter } from './module.ts';

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d} (PyTorch's, in camelCase). */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** The weight of each batch in the running statistics (default 0.1); null for their cumulative average. */
  momentum?: number | null;
  /** Whether the layer has the learnable per-channel scale `weight` (γ, starting at 1) and shift `bias` (β, at 0)
   *  (default true). */
  affine?: boolean;
  /** Whether the layer keeps running statistics for evaluation mode (default true); without them it normalises
   *  with the batch's statistics in both modes. */
  trackRunningStats?: boolean;
}

/**
 * What BatchNorm1d and BatchNorm2d share (PyTorch's _BatchNorm). The field names are PyTorch's state_dict keys,
 * snake_case unlike the rest of the API (`running_mean`, `running_var`, `num_batches_tracked`), so that a PyTorch
 * model's state_dict or safetensors file loads by name.
 */
abstract class BatchNorm extends Module {
  /** The number of channels C, the size of axis 1 of the input. */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** The weight of each batch in the running statistics; null for their cumulative average. */
  readonly momentum: number | null;
  /** Whether the layer has `weight` and `bias`. */
  readonly affine: boolean;
  /** Whether the layer keeps running statistics. */
  readonly trackRunningStats: boolean;
  /** The per-channel scale γ [C], a parameter starting at 1 (null without affine). */
  readonly weight: Tensor | null;
  /** The per-channel shift β [C], a parameter starting at 0 (null without affine). */
  readonly bias: Tensor | null;
  /** The running mean [C], a buffer starting at 0 (null without trackRunningStats). */
  readonly running_mean: Tensor | null;
  /** The running (unbiased) variance [C], a buffer starting at 1 (null without trackRunningStats). */
  readonly running_var: Tensor | null;
  /** The number of training batches seen, a 0-d int64 buffer (null without trackRunningStats). */
  readonly num_batches_tracked: Tensor | null;

  /** The ranks the layer takes, as PyTorch's message says them: '2D or 3D', '4D'. */
  protected abstract readonly ranks: readonly number[];

  constructor(numFeatures: number, opts: BatchNormOptions | undefined) {
    super();
    const name = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new Error(`${name}: numFeatures must be a positive integer, got ${show(numFeatures)}`);
    const o = optionsOf(name, opts), eps = o.eps ?? 1e-5, momentum = o.momentum === undefined ? 0.1 : o.momentum;
    if (typeof eps !== 'number' || !(eps >= 0 && eps < Infinity)) throw new Error(`${name}: eps must be a finite number ≥ 0, got ${what(eps)}`);
    if (momentum !== null && (typeof momentum !== 'number' || !Number.isFinite(momentum))) {
      throw new Error(`${name}: momentum must be a finite number or null (a cumulative average), got ${what(momentum)}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = flagOf(name, 'affine', o.affine, true);
    this.trackRunningStats = flagOf(name, 'trackRunningStats', o.trackRunningStats, true);
    this.weight = this.affine ? parameter(ones([numFeatures])) : null;
    this.bias = this.affine ? parameter(zeros([numFeatures])) : null;
    this.running_mean = this.trackRunningStats ? buffer(zeros([numFeatures])) : null;
    this.running_var = this.trackRunningStats ? buffer(ones([numFeatures])) : null;
    this.num_batches_tracked = this.trackRunningStats ? buffer(zeros([]), { dtype: 'int64' }) : null;
  }

  /**
   * x normalised per channel: with the batch's statistics in training mode (updating the running ones) or without
   * running statistics, with the running statistics in evaluation mode (PyTorch's _BatchNorm.forward).
   */
  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (!(x instanceof Tensor)) throw new Error(`${name}: expected a tensor, got ${what(x)}`);
    if (!this.ranks.includes(x.ndim)) throw new Error(`${name}: expected ${this.ranks.map((r) => `${r}D`).join(' or ')} input, got shape ${fmt(x.shape)}`);
    if (x.shape[1] !== this.numFeatures) {
      throw new Error(`${name}: input of shape ${fmt(x.shape)} has ${x.shape[1]} channels (axis 1), expected numFeatures = ${this.numFeatures}`);
    }
    if (this.training && x.size <= this.numFeatures) { // before counting the batch: a failed call changes nothing
      throw new Error(`${name}: expected more than 1 value per channel when training, got input shape ${fmt(x.shape)}`);
    }
    let momentum = this.momentum ?? 0;
    const counted = this.num_batches_tracked;
    if (this.training && counted !== null) {
      noGrad(() => counted.add_(1));
      if (this.momentum === null) momentum = 1 / counted.item(); // the cumulative average: batch k weighs 1/k
    }
    return batchNorm(x, this.running_mean, this.running_var, this.weight, this.bias, this.training || this.running_mean === null, momentum, this.eps);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalisation of an input [N, C] or [N, C, L] over the batch (and L), per channel, as PyTorch's
 * nn.BatchNorm1d: learnable `weight` and `bias` [C], and buffers `running_mean`, `running_var` [C] and
 * `num_batches_tracked`, under PyTorch's names so its state_dict loads by name. In training mode it normalises with
 * the batch's mean and variance and updates the running statistics; in eval mode it uses them. See
 * {@link batchNorm}.
 *
 * @example
 * ```ts
 * const bn = new nn.BatchNorm1d(2);
 * bn.call(tensor([[1, 2], [3, 6]])) // [[-0.999995, -0.999999], [0.999995, 0.999999]]
 * bn.running_mean // [0.2, 0.4]
 * bn.eval().call(tensor([[0.2, 0.4]])) // [[0, 0]]
 * bn.toString() // 'BatchNorm1d(2, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)'
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
  /**
   * A layer for inputs of `numFeatures` channels.
   *
   * @param numFeatures C, the size of axis 1 of the input (a positive integer).
   */
  constructor(numFeatures: number, opts?: BatchNormOptions) { super(numFeatures, opts); }
}

/**
 * Batch normalisation of an input [N, C, H, W] over the batch and the image, per channel, as PyTorch's
 * nn.BatchNorm2d; the parameters and buffers are those of {@link BatchNorm1d}.
 *
 * @example
 * ```ts
 * const bn = new nn.BatchNorm2d(3, { momentum: null }); // the running statistics average all batches equally
 * bn.call(randn([4, 3, 5, 5])).shape // [4, 3, 5, 5]
 * bn.num_batches_tracked.item() // 1
 * bn.call(ones([2, 3])) // throws 'BatchNorm2d: expected 4D input, got shape [2, 3]'
 * ```
 */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
  /**
   * A layer for images of `numFeatures` channels.
   *
   * @param numFeatures C, the size of axis 1 of the input (a positive integer).
   */
  constructor(numFeatures: number, opts?: BatchNormOptions) { super(numFeatures, opts); }
}

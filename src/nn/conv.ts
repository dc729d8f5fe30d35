// Convolution layers: the parameters, their layout and initialisation; the arithmetic is one call of the
// functional op (conv1d, conv2d).
import { conv1d, conv2d, Tensor, type ConvOptions, type RandomState, type SpatialSize } from '../autograd/index.ts';
import { Module, parameter } from './module.ts';
import { flagOf, knownOptionsOf, rngOf, spatialOf, what } from '../autograd/options.ts';

/** Options of {@link Conv1d} and {@link Conv2d}: the convolution's ({@link ConvOptions}) and the layer's own. */
export interface ConvLayerOptions extends ConvOptions {
  /** Whether the layer adds a bias (default true). */
  bias?: boolean;
  /** What the padding holds: only 'zeros' (the default) is supported. */
  paddingMode?: 'zeros';
  /** Generator for the initial weights; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

/**
 * What Conv1d and Conv2d share (PyTorch's _ConvNd): the settings, checked, and the parameters, drawn as PyTorch
 * draws them; each subclass calls its own functional op.
 */
abstract class ConvNd extends Module {
  /** The input's channels. */
  readonly inChannels: number;
  /** The output's channels. */
  readonly outChannels: number;
  /** The kernel's size, one entry per spatial dim. */
  readonly kernelSize: number[];
  /** The step between windows, one entry per spatial dim. */
  readonly stride: number[];
  /** Zeros added on both sides, one entry per spatial dim; or 'same' or 'valid'. */
  readonly padding: number[] | 'same' | 'valid';
  /** The distance between the kernel's taps, one entry per spatial dim. */
  readonly dilation: number[];
  /** The number of channel groups. */
  readonly groups: number;
  /** The weight, of shape [outChannels, inChannels / groups, ...kernelSize]: a parameter. */
  readonly weight: Tensor;
  /** The bias, of shape [outChannels] (a parameter), or null for a layer without one. */
  readonly bias: Tensor | null;

  constructor(name: string, dims: 1 | 2, inChannels: number, outChannels: number, kernelSize: SpatialSize, opts: ConvLayerOptions | undefined) {
    super();
    if (!Number.isInteger(inChannels) || !Number.isInteger(outChannels) || inChannels < 1 || outChannels < 1) {
      throw new Error(`${name}: channels must be positive integers, got inChannels=${what(inChannels)}, outChannels=${what(outChannels)}`);
    }
    const o = knownOptionsOf(name, opts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'rng']);
    const k = spatialOf(name, 'kernelSize', kernelSize, dims, 1), stride = spatialOf(name, 'stride', o.stride ?? 1, dims, 1);
    const dilation = spatialOf(name, 'dilation', o.dilation ?? 1, dims, 1), groups = o.groups ?? 1;
    const padding = o.padding === 'same' || o.padding === 'valid' ? o.padding : spatialOf(name, 'padding', o.padding ?? 0, dims, 0);
    if (padding === 'same' && stride.some((s) => s !== 1)) throw new Error(`${name}: padding 'same' needs stride 1, got stride [${stride.join(', ')}] (as in PyTorch)`);
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`${name}: groups must be a positive integer dividing inChannels=${inChannels} and outChannels=${outChannels}, got ${what(o.groups)}`);
    }
    if (o.paddingMode !== undefined && o.paddingMode !== 'zeros') throw new Error(`${name}: paddingMode ${what(o.paddingMode)} is not supported (only 'zeros')`);
    const bias = flagOf(name, 'bias', o.bias, true), rng = rngOf(name, o.rng);
    this.inChannels = inChannels; this.outChannels = outChannels;
    // PyTorch's default: kaiming_uniform_ with a = √5, which is U(−1/√fanIn, 1/√fanIn), and the bias from the same range.
    const shape = [outChannels, inChannels / groups, ...k], bound = 1 / Math.sqrt((inChannels / groups) * k.reduce((p, d) => p * d, 1));
    this.kernelSize = k; this.stride = stride; this.padding = padding; this.dilation = dilation; this.groups = groups;
    this.weight = parameter(Tensor.from(rng.uniform(-bound, bound, shape), shape));
    this.bias = bias ? parameter(Tensor.from(rng.uniform(-bound, bound, [outChannels]), [outChannels])) : null;
  }

  /** The settings as PyTorch's extra_repr shows them: those that differ from the defaults, after the first ones. */
  override extraRepr(): string {
    const list = (v: number[]): string => `[${v.join(', ')}]`;
    const s = [`${this.inChannels}, ${this.outChannels}, kernelSize=${list(this.kernelSize)}, stride=${list(this.stride)}`];
    if (typeof this.padding === 'string') s.push(`padding='${this.padding}'`);
    else if (this.padding.some((p) => p !== 0)) s.push(`padding=${list(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) s.push(`dilation=${list(this.dilation)}`);
    if (this.groups !== 1) s.push(`groups=${this.groups}`);
    if (this.bias === null) s.push('bias=false');
    return s.join(', ');
  }

  /** The convolution's options, as the functional op takes them. */
  protected get options(): ConvOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }
}

/**
 * A 1-D convolution layer, as PyTorch's nn.Conv1d: x [N, inChannels, L] (or [inChannels, L]) maps to
 * [N, outChannels, L'] by {@link conv1d} with the layer's weight [outChannels, inChannels / groups, k] and bias
 * [outChannels], both drawn from U(−1/√fanIn, 1/√fanIn), fanIn = (inChannels / groups)·k (PyTorch's default).
 *
 * @example
 * ```ts
 * const conv = new nn.Conv1d(2, 4, 3, { padding: 1, rng: new RandomState(0) });
 * conv.weight.shape // [4, 2, 3]
 * conv.call(zeros([8, 2, 10])).shape // [8, 4, 10]
 * conv.toString() // 'Conv1d(2, 4, kernelSize=[3], stride=[1], padding=[1])'
 * ```
 */
export class Conv1d extends ConvNd {
  /**
   * A layer from `inChannels` to `outChannels` channels with a kernel of `kernelSize` taps.
   *
   * @param inChannels The input's channels (a positive integer).
   * @param outChannels The output's channels (a positive integer).
   * @param kernelSize The kernel's size (a positive integer, or a list of one).
   */
  constructor(inChannels: number, outChannels: number, kernelSize: SpatialSize, opts?: ConvLayerOptions) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, opts);
  }

  /** conv1d(x) with the layer's weight, bias and settings. */
  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.options);
  }
}

/**
 * A 2-D convolution layer, as PyTorch's nn.Conv2d: x [N, inChannels, H, W] (or [inChannels, H, W]) maps to
 * [N, outChannels, H', W'] by {@link conv2d} with the layer's weight [outChannels, inChannels / groups, kH, kW] and
 * bias [outChannels], both drawn from U(−1/√fanIn, 1/√fanIn), fanIn = (inChannels / groups)·kH·kW (PyTorch's default).
 *
 * @example
 * ```ts
 * const conv = new nn.Conv2d(1, 6, 5, { rng: new RandomState(0) });
 * conv.weight.shape // [6, 1, 5, 5]
 * conv.call(zeros([32, 1, 28, 28])).shape // [32, 6, 24, 24]
 * conv.toString() // 'Conv2d(1, 6, kernelSize=[5, 5], stride=[1, 1])'
 * new nn.Conv2d(4, 8, [3, 1], { stride: [2, 1], groups: 2, bias: false }).toString() // 'Conv2d(4, 8, kernelSize=[3, 1], stride=[2, 1], groups=2, bias=false)'
 * ```
 */
export class Conv2d extends ConvNd {
  /**
   * A layer from `inChannels` to `outChannels` channels with a kernel of `kernelSize`.
   *
   * @param inChannels The input's channels (a positive integer).
   * @param outChannels The output's channels (a positive integer).
   * @param kernelSize The kernel's size: a positive integer for both dims, or a pair [kH, kW].
   */
  constructor(inChannels: number, outChannels: number, kernelSize: SpatialSize, opts?: ConvLayerOptions) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, opts);
  }

  /** conv2d(x) with the layer's weight, bias and settings. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }
}

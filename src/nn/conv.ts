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

/** A layer's settings, checked, and its parameters, drawn as PyTorch draws them. */
interface Layer {
  kernelSize: number[]; stride: number[]; padding: number[] | 'same' | 'valid'; dilation: number[]; groups: number;
  weight: Tensor; bias: Tensor | null;
}

function layer(name: string, dims: 1 | 2, inChannels: number, outChannels: number, kernelSize: SpatialSize, opts: ConvLayerOptions | undefined): Layer {
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
  // PyTorch's default: kaiming_uniform_ with a = √5, which is U(−1/√fanIn, 1/√fanIn), and the bias from the same range.
  const shape = [outChannels, inChannels / groups, ...k], bound = 1 / Math.sqrt((inChannels / groups) * k.reduce((p, d) => p * d, 1));
  const weight = parameter(Tensor.from(rng.uniform(-bound, bound, shape), shape));
  return {
    kernelSize: k, stride, padding, dilation, groups, weight,
    bias: bias ? parameter(Tensor.from(rng.uniform(-bound, bound, [outChannels]), [outChannels])) : null,
  };
}

/** The settings as PyTorch's extra_repr shows them: those that differ from the defaults, after the first ones. */
function repr(m: Conv1d | Conv2d): string {
  const list = (v: number[]): string => `[${v.join(', ')}]`;
  const s = [`${m.inChannels}, ${m.outChannels}, kernelSize=${list(m.kernelSize)}, stride=${list(m.stride)}`];
  if (typeof m.padding === 'string') s.push(`padding='${m.padding}'`);
  else if (m.padding.some((p) => p !== 0)) s.push(`padding=${list(m.padding)}`);
  if (m.dilation.some((d) => d !== 1)) s.push(`dilation=${list(m.dilation)}`);
  if (m.groups !== 1) s.push(`groups=${m.groups}`);
  if (m.bias === null) s.push('bias=false');
  return s.join(', ');
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
export class Conv1d extends Module {
  /** The kernel's size, [k]. */
  readonly kernelSize: number[];
  /** The step between windows, [s]. */
  readonly stride: number[];
  /** Zeros added on both sides, [p]; or 'same' or 'valid'. */
  readonly padding: number[] | 'same' | 'valid';
  /** The distance between the kernel's taps, [d]. */
  readonly dilation: number[];
  /** The number of channel groups. */
  readonly groups: number;
  /** The weight, of shape [outChannels, inChannels / groups, k]: a parameter. */
  readonly weight: Tensor;
  /** The bias, of shape [outChannels] (a parameter), or null for a layer without one. */
  readonly bias: Tensor | null;

  /**
   * A layer from `inChannels` to `outChannels` channels with a kernel of `kernelSize` taps.
   *
   * @param inChannels The input's channels (a positive integer).
   * @param outChannels The output's channels (a positive integer).
   * @param kernelSize The kernel's size (a positive integer, or a list of one).
   */
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: SpatialSize, opts?: ConvLayerOptions) {
    super();
    const l = layer('Conv1d', 1, inChannels, outChannels, kernelSize, opts);
    this.kernelSize = l.kernelSize; this.stride = l.stride; this.padding = l.padding; this.dilation = l.dilation; this.groups = l.groups;
    this.weight = l.weight;
    this.bias = l.bias;
  }

  override extraRepr(): string { return repr(this); }

  /** conv1d(x) with the layer's weight, bias and settings. */
  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
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
export class Conv2d extends Module {
  /** The kernel's size, [kH, kW]. */
  readonly kernelSize: number[];
  /** The step between windows, [sH, sW]. */
  readonly stride: number[];
  /** Zeros added on both sides, [pH, pW]; or 'same' or 'valid'. */
  readonly padding: number[] | 'same' | 'valid';
  /** The distance between the kernel's taps, [dH, dW]. */
  readonly dilation: number[];
  /** The number of channel groups. */
  readonly groups: number;
  /** The weight, of shape [outChannels, inChannels / groups, kH, kW]: a parameter. */
  readonly weight: Tensor;
  /** The bias, of shape [outChannels] (a parameter), or null for a layer without one. */
  readonly bias: Tensor | null;

  /**
   * A layer from `inChannels` to `outChannels` channels with a kernel of `kernelSize`.
   *
   * @param inChannels The input's channels (a positive integer).
   * @param outChannels The output's channels (a positive integer).
   * @param kernelSize The kernel's size: a positive integer for both dims, or a pair [kH, kW].
   */
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: SpatialSize, opts?: ConvLayerOptions) {
    super();
    const l = layer('Conv2d', 2, inChannels, outChannels, kernelSize, opts);
    this.kernelSize = l.kernelSize; this.stride = l.stride; this.padding = l.padding; this.dilation = l.dilation; this.groups = l.groups;
    this.weight = l.weight;
    this.bias = l.bias;
  }

  override extraRepr(): string { return repr(this); }

  /** conv2d(x) with the layer's weight, bias and settings. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

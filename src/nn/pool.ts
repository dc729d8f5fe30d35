// Pooling layers: each holds its settings, checked as given (the input's shape is checked at each call), and calls
// its functional op.
import {
  adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d, type AvgPoolOptions, type MaxPoolOptions, type SpatialSize, type Tensor,
} from '../autograd/index.ts';
import { Module } from './module.ts';
import { flagOf, knownOptionsOf, spatialOf, what } from '../autograd/options.ts';

/** A size as the settings show it, as given: `2`, `[2, 3]`, `[4, null]`. */
const show = (v: SpatialSize | readonly (number | null)[]): string => (typeof v === 'number' ? String(v) : `[${v.map(String).join(', ')}]`);

/** The settings of a sliding pool, checked: the stride is the kernel size unless given. */
function slidingSettings(name: string, dims: number, kernelSize: SpatialSize, o: MaxPoolOptions) {
  const size = (option: string, v: SpatialSize, least: number): SpatialSize => (spatialOf(name, option, v, dims, least), v);
  return {
    kernelSize: size('kernelSize', kernelSize, 1),
    stride: o.stride === undefined || o.stride === null ? kernelSize : size('stride', o.stride, 1),
    padding: size('padding', o.padding ?? 0, 0),
    dilation: size('dilation', o.dilation ?? 1, 1),
    ceilMode: flagOf(name, 'ceilMode', o.ceilMode, false),
  };
}

/**
 * What MaxPool1d and MaxPool2d share (PyTorch's _MaxPoolNd): the settings, checked; each subclass calls its own
 * functional op.
 */
abstract class MaxPoolNd extends Module {
  /** The window's size. */
  readonly kernelSize: SpatialSize;
  /** The step between windows (the kernel size unless given). */
  readonly stride: SpatialSize;
  /** Implicit −∞ on both sides of each spatial dim. */
  readonly padding: SpatialSize;
  /** The distance between the window's taps. */
  readonly dilation: SpatialSize;
  /** Whether the output's size is rounded up (see {@link MaxPoolOptions}). */
  readonly ceilMode: boolean;

  constructor(name: string, dims: number, kernelSize: SpatialSize, opts: MaxPoolOptions | undefined) {
    super();
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode } =
      slidingSettings(name, dims, kernelSize, knownOptionsOf(name, opts, ['stride', 'padding', 'dilation', 'ceilMode'])));
  }

  override extraRepr(): string {
    return `kernelSize=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceilMode=${this.ceilMode}`;
  }

  /** The pool's options, as the functional op takes them. */
  protected get options(): MaxPoolOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }
}

/**
 * What AvgPool1d and AvgPool2d share (PyTorch's _AvgPoolNd): the settings, checked; each subclass calls its own
 * functional op.
 */
abstract class AvgPoolNd extends Module {
  /** The window's size. */
  readonly kernelSize: SpatialSize;
  /** The step between windows (the kernel size unless given). */
  readonly stride: SpatialSize;
  /** Zeros on both sides of each spatial dim. */
  readonly padding: SpatialSize;
  /** Whether the output's size is rounded up (see {@link MaxPoolOptions}). */
  readonly ceilMode: boolean;
  /** Whether the padding's zeros count in each window's divisor. */
  readonly countIncludePad: boolean;

  constructor(name: string, dims: number, kernelSize: SpatialSize, opts: AvgPoolOptions | undefined) {
    super();
    const o = knownOptionsOf(name, opts, ['stride', 'padding', 'ceilMode', 'countIncludePad']);
    ({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode } = slidingSettings(name, dims, kernelSize, o));
    this.countIncludePad = flagOf(name, 'countIncludePad', o.countIncludePad, true);
  }

  override extraRepr(): string { return `kernelSize=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}`; }

  /** The pool's options, as the functional op takes them. */
  protected get options(): AvgPoolOptions {
    return { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad };
  }
}

/**
 * Max pooling over the last dim, as PyTorch's nn.MaxPool1d: {@link maxPool1d} with the layer's settings.
 *
 * @example
 * ```ts
 * new nn.MaxPool1d(2).call(tensor([[1, 3, 2, 5]])) // [[3, 5]]
 * new nn.MaxPool1d(3, { stride: 2, padding: 1 }).toString() // 'MaxPool1d(kernelSize=3, stride=2, padding=1, dilation=1, ceilMode=false)'
 * ```
 */
export class MaxPool1d extends MaxPoolNd {
  /** Windows of `kernelSize`, with `opts` as {@link maxPool1d} takes them. */
  constructor(kernelSize: SpatialSize, opts?: MaxPoolOptions) {
    super('MaxPool1d', 1, kernelSize, opts);
  }

  /** maxPool1d(x) with the layer's settings. */
  forward(x: Tensor): Tensor {
    return maxPool1d(x, this.kernelSize, this.options);
  }
}

/**
 * Max pooling over the last two dims, as PyTorch's nn.MaxPool2d: {@link maxPool2d} with the layer's settings.
 *
 * @example
 * ```ts
 * new nn.MaxPool2d(2).call(zeros([8, 6, 24, 24])).shape // [8, 6, 12, 12]
 * new nn.MaxPool2d(2).toString() // 'MaxPool2d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)'
 * new nn.MaxPool2d([3, 2], { stride: 1, ceilMode: true }).toString() // 'MaxPool2d(kernelSize=[3, 2], stride=1, padding=0, dilation=1, ceilMode=true)'
 * ```
 */
export class MaxPool2d extends MaxPoolNd {
  /** Windows of `kernelSize` (a number for both dims, or a pair), with `opts` as {@link maxPool2d} takes them. */
  constructor(kernelSize: SpatialSize, opts?: MaxPoolOptions) {
    super('MaxPool2d', 2, kernelSize, opts);
  }

  /** maxPool2d(x) with the layer's settings. */
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

/**
 * Average pooling over the last dim, as PyTorch's nn.AvgPool1d: {@link avgPool1d} with the layer's settings.
 *
 * @example
 * ```ts
 * new nn.AvgPool1d(2).call(tensor([[1, 3, 2, 5]])) // [[2, 3.5]]
 * new nn.AvgPool1d(3, { stride: 2, padding: 1 }).toString() // 'AvgPool1d(kernelSize=3, stride=2, padding=1)'
 * ```
 */
export class AvgPool1d extends AvgPoolNd {
  /** Windows of `kernelSize`, with `opts` as {@link avgPool1d} takes them. */
  constructor(kernelSize: SpatialSize, opts?: AvgPoolOptions) {
    super('AvgPool1d', 1, kernelSize, opts);
  }

  /** avgPool1d(x) with the layer's settings. */
  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, this.options);
  }
}

/**
 * Average pooling over the last two dims, as PyTorch's nn.AvgPool2d: {@link avgPool2d} with the layer's settings.
 *
 * @example
 * ```ts
 * new nn.AvgPool2d(2).call(ones([1, 4, 4])) // [[[1, 1], [1, 1]]]
 * new nn.AvgPool2d([2, 3], { padding: 1 }).toString() // 'AvgPool2d(kernelSize=[2, 3], stride=[2, 3], padding=1)'
 * ```
 */
export class AvgPool2d extends AvgPoolNd {
  /** Windows of `kernelSize` (a number for both dims, or a pair), with `opts` as {@link avgPool2d} takes them. */
  constructor(kernelSize: SpatialSize, opts?: AvgPoolOptions) {
    super('AvgPool2d', 2, kernelSize, opts);
  }

  /** avgPool2d(x) with the layer's settings. */
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}

/**
 * Adaptive average pooling of the last two dims to `outputSize`, as PyTorch's nn.AdaptiveAvgPool2d:
 * {@link adaptiveAvgPool2d}.
 *
 * @example
 * ```ts
 * new nn.AdaptiveAvgPool2d([2, 1]).call(arange(8).reshape(1, 4, 2)) // [[[1.5], [5.5]]]
 * new nn.AdaptiveAvgPool2d([5, null]).toString() // 'AdaptiveAvgPool2d(outputSize=[5, null])'
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  /**
   * Pool to `outputSize`.
   *
   * @param outputSize The output's size: a positive integer for both dims, or a pair (null keeps that dim's size).
   */
  constructor(readonly outputSize: number | readonly (number | null)[]) {
    super();
    const ok = typeof outputSize === 'number' ? [outputSize] : Array.isArray(outputSize) && outputSize.length === 2 ? outputSize : null;
    if (ok === null || !ok.every((n) => n === null || (Number.isInteger(n) && n >= 1))) {
      throw new Error(`AdaptiveAvgPool2d: outputSize must be a positive integer or a pair of them (null keeps a dim's size), got ${what(outputSize)}`);
    }
  }

  override extraRepr(): string { return `outputSize=${show(this.outputSize)}`; }

  /** adaptiveAvgPool2d(x) to the layer's output size. */
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
}

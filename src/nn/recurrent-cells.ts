// Recurrent cells, one step of an RNN, LSTM or GRU (PyTorch's RNNCell, LSTMCell, GRUCell), written in tensor ops
// as the equations read; and what they share with the multi-layer modules of recurrent.ts: the checks of the sizes
// and options, PyTorch's initialisation, and the checks of an input and a state.
import { Tensor, zeros, type RandomState } from '../autograd/index.ts';
import { flagOf, optionsOf, rngOf, what } from '../autograd/options.ts';
import { projection } from '../autograd/ops/recurrent.ts';
import { show } from '../tensor/shape.ts';
import { Module, parameter } from './module.ts';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The nonlinearity of an Elman RNN (RNNCell, RNN). */
export type Nonlinearity = 'tanh' | 'relu';

/** Options of {@link RNNCell}, {@link LSTMCell} and {@link GRUCell}. */
export interface CellOptions {
  /** Whether the cell adds the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Generator for the initial weights; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

/** Options of {@link RNNCell}. */
export interface RNNCellOptions extends CellOptions {
  /** The nonlinearity: 'tanh' (the default) or 'relu'. */
  nonlinearity?: Nonlinearity;
}

/** @internal Throw unless the sizes are positive integers. */
export function checkSizes(name: string, inputSize: unknown, hiddenSize: unknown): void {
  if (!Number.isInteger(inputSize) || !Number.isInteger(hiddenSize) || (inputSize as number) < 1 || (hiddenSize as number) < 1) {
    throw new Error(`${name}: inputSize and hiddenSize must be positive integers, got ${show(inputSize)} and ${show(hiddenSize)}`);
  }
}

/** @internal The nonlinearity option, checked. */
export function nonlinearityOf(name: string, v: unknown): Nonlinearity {
  if (v === undefined) return 'tanh';
  if (v === 'tanh' || v === 'relu') return v;
  throw new Error(`${name}: nonlinearity must be 'tanh' or 'relu', got ${what(v)}`);
}

/** @internal A parameter of `shape` drawn from U(−1/√hidden, 1/√hidden), PyTorch's initialisation of every weight and bias. */
export function uniformParameter(rng: RandomState, hiddenSize: number, shape: number[]): Tensor {
  const k = 1 / Math.sqrt(hiddenSize);
  return parameter(Tensor.from(rng.uniform(-k, k, shape), shape));
}

/** @internal The settings PyTorch prints beyond the two sizes, those that differ from their defaults. */
export function reprOf(inputSize: number, hiddenSize: number, settings: Record<string, unknown>, defaults: Record<string, unknown>): string {
  const shown = Object.entries(settings).filter(([k, v]) => v !== defaults[k]).map(([k, v]) => `, ${k}=${String(v)}`);
  return `${inputSize}, ${hiddenSize}${shown.join('')}`;
}

/** A state given to a cell, checked: `expected` is its shape ([N, hidden], or [hidden] for an unbatched input). */
function stateOf(name: string, which: string, s: unknown, expected: number[]): Tensor {
  if (s === undefined || s === null) return zeros(expected);
  if (!(s instanceof Tensor)) throw new Error(`${name}: ${which} must be a tensor, got ${what(s)}`);
  if (s.ndim !== expected.length || s.shape.some((d, i) => d !== expected[i])) {
    throw new Error(`${name}: ${which} has shape ${fmt(s.shape)}, expected ${fmt(expected)} (${expected.length === 2 ? '[N, hiddenSize]' : '[hiddenSize] for an unbatched input'})`);
  }
  return s;
}

/**
 * What the three cells share: the parameters, in PyTorch's names, layouts and order (weight_ih [gates·hidden,
 * input], weight_hh [gates·hidden, hidden], bias_ih and bias_hh [gates·hidden]), drawn from U(−1/√hidden,
 * 1/√hidden); and the checks of an input ([N, inputSize], or [inputSize] unbatched) and of a state.
 */
abstract class Cell<In extends unknown[], Out> extends Module<In, Out> {
  /** The input's weights W_ih, [gates·hiddenSize, inputSize] (the gates stacked in PyTorch's order): a parameter. */
  readonly weight_ih: Tensor;
  /** The hidden state's weights W_hh, [gates·hiddenSize, hiddenSize]: a parameter. */
  readonly weight_hh: Tensor;
  /** The input's bias b_ih, [gates·hiddenSize] (a parameter), or null for a cell without biases. */
  readonly bias_ih: Tensor | null;
  /** The hidden state's bias b_hh, [gates·hiddenSize] (a parameter), or null for a cell without biases. */
  readonly bias_hh: Tensor | null;
  /** The number of features of each input sample. */
  readonly inputSize: number;
  /** The size of the state. */
  readonly hiddenSize: number;

  /** @internal */
  constructor(gates: number, inputSize: number, hiddenSize: number, opts: CellOptions | undefined) {
    super();
    const name = new.target.name;
    checkSizes(name, inputSize, hiddenSize);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const o = optionsOf(name, opts), bias = flagOf(name, 'bias', o.bias, true), rng = rngOf(name, o.rng), G = gates * hiddenSize;
    this.weight_ih = uniformParameter(rng, hiddenSize, [G, inputSize]);
    this.weight_hh = uniformParameter(rng, hiddenSize, [G, hiddenSize]);
    this.bias_ih = bias ? uniformParameter(rng, hiddenSize, [G]) : null;
    this.bias_hh = bias ? uniformParameter(rng, hiddenSize, [G]) : null;
  }

  /** @internal The input as a batch [N, inputSize], and whether it was one. */
  protected batchOf(input: Tensor): { x: Tensor; batched: boolean } {
    const name = this.constructor.name;
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new Error(`${name}: expected an input of 2 dims ([N, inputSize]) or 1 (unbatched), got shape ${fmt(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new Error(`${name}: the input has ${input.shape[input.ndim - 1]} features (shape ${fmt(input.shape)}), expected inputSize ${this.inputSize}`);
    }
    return input.ndim === 2 ? { x: input, batched: true } : { x: input.unsqueeze(0), batched: false };
  }

  /** @internal A state (`which`: hx or cx) as a batch [N, hiddenSize]: zeros when not given. */
  protected stateOf(which: string, s: unknown, x: Tensor, batched: boolean): Tensor {
    const state = stateOf(this.constructor.name, which, s, batched ? [x.shape[0], this.hiddenSize] : [this.hiddenSize]);
    return batched ? state : state.unsqueeze(0);
  }

  /** @internal The two products of a step: (h·W_hhᵀ + b_hh) + (x·W_ihᵀ + b_ih), in PyTorch's order. */
  protected gates(x: Tensor, h: Tensor): Tensor {
    return projection(h, this.weight_hh, this.bias_hh).add(projection(x, this.weight_ih, this.bias_ih));
  }

  /** The sizes, and the settings that differ from their defaults (PyTorch's extra_repr). */
  override extraRepr(): string {
    return reprOf(this.inputSize, this.hiddenSize, { bias: this.bias_ih !== null }, { bias: true });
  }
}

/**
 * One step of an Elman RNN, PyTorch's RNNCell: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU). The input is
 * [N, inputSize] (or [inputSize], unbatched), the state hx [N, hiddenSize] (zeros when not given); it returns h'.
 *
 * @example
 * ```ts
 * const cell = new nn.RNNCell(3, 5, { rng: new RandomState(0) });
 * let h = cell.call(ones([2, 3]));
 * h = cell.call(ones([2, 3]), h);
 * h.shape // [2, 5]
 * cell.weight_ih.shape // [5, 3]
 * ```
 */
export class RNNCell extends Cell<[input: Tensor, hx?: Tensor], Tensor> {
  /** 'tanh' or 'relu'. */
  readonly nonlinearity: Nonlinearity;

  /**
   * A cell from `inputSize` features to a state of `hiddenSize`.
   *
   * @param inputSize The size of each input sample (a positive integer).
   * @param hiddenSize The size of the state (a positive integer).
   */
  constructor(inputSize: number, hiddenSize: number, opts?: RNNCellOptions) {
    const nonlinearity = nonlinearityOf('RNNCell', optionsOf('RNNCell', opts).nonlinearity);
    super(1, inputSize, hiddenSize, opts);
    this.nonlinearity = nonlinearity;
  }

  /** The next state h' from the input and the state hx. */
  forward(input: Tensor, hx?: Tensor): Tensor {
    const { x, batched } = this.batchOf(input), h = this.stateOf('hx', hx, x, batched);
    const a = this.gates(x, h), next = this.nonlinearity === 'relu' ? a.relu() : a.tanh();
    return batched ? next : next.squeeze(0);
  }

  /** The sizes, and the settings that differ from their defaults (PyTorch's extra_repr). */
  override extraRepr(): string {
    return reprOf(this.inputSize, this.hiddenSize, { bias: this.bias_ih !== null, nonlinearity: this.nonlinearity }, { bias: true, nonlinearity: 'tanh' });
  }
}

/**
 * One step of an LSTM, PyTorch's LSTMCell: gates [i, f, g, o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh (in that order
 * along weight_ih's rows), c' = σ(f)·c + σ(i)·tanh(g) and h' = σ(o)·tanh(c'). The input is [N, inputSize] (or
 * [inputSize], unbatched), the state [hx, cx], each [N, hiddenSize] (zeros when not given); it returns [h', c'].
 *
 * @example
 * ```ts
 * const cell = new nn.LSTMCell(3, 4, { rng: new RandomState(0) });
 * const [h, c] = cell.call(ones([2, 3]));
 * cell.call(ones([2, 3]), [h, c])[1].shape // [2, 4]
 * cell.weight_hh.shape // [16, 4]
 * ```
 */
export class LSTMCell extends Cell<[input: Tensor, state?: [hx: Tensor, cx: Tensor]], [Tensor, Tensor]> {
  /**
   * A cell from `inputSize` features to states h and c of `hiddenSize`.
   *
   * @param inputSize The size of each input sample (a positive integer).
   * @param hiddenSize The size of each state (a positive integer).
   */
  constructor(inputSize: number, hiddenSize: number, opts?: CellOptions) {
    super(4, inputSize, hiddenSize, opts);
  }

  /** The next state [h', c'] from the input and the state [hx, cx]. */
  forward(input: Tensor, state?: [hx: Tensor, cx: Tensor]): [Tensor, Tensor] {
    const { x, batched } = this.batchOf(input);
    if (state !== undefined && state !== null && (!Array.isArray(state) || state.length !== 2)) {
      throw new Error(`LSTMCell: the state must be [hx, cx], got ${what(state)}`);
    }
    const h = this.stateOf('hx', state?.[0], x, batched), c = this.stateOf('cx', state?.[1], x, batched);
    const [i, f, g, o] = this.gates(x, h).chunk(4, 1);
    const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    const h2 = o.sigmoid().mul(c2.tanh());
    return batched ? [h2, c2] : [h2.squeeze(0), c2.squeeze(0)];
  }
}

/**
 * One step of a GRU, PyTorch's GRUCell: with x·W_ihᵀ + b_ih and h·W_hhᵀ + b_hh each in parts [r, z, n] (in that
 * order along the weights' rows), r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n) and
 * h' = (1 − z)·n + z·h. The input is [N, inputSize] (or [inputSize], unbatched), the state hx [N, hiddenSize]
 * (zeros when not given); it returns h'.
 *
 * @example
 * ```ts
 * const cell = new nn.GRUCell(3, 4, { rng: new RandomState(0) });
 * cell.call(ones([3])).shape // [4]
 * cell.bias_hh.shape // [12]
 * ```
 */
export class GRUCell extends Cell<[input: Tensor, hx?: Tensor], Tensor> {
  /**
   * A cell from `inputSize` features to a state of `hiddenSize`.
   *
   * @param inputSize The size of each input sample (a positive integer).
   * @param hiddenSize The size of the state (a positive integer).
   */
  constructor(inputSize: number, hiddenSize: number, opts?: CellOptions) {
    super(3, inputSize, hiddenSize, opts);
  }

  /** The next state h' from the input and the state hx. */
  forward(input: Tensor, hx?: Tensor): Tensor {
    const { x, batched } = this.batchOf(input), h = this.stateOf('hx', hx, x, batched);
    const [xr, xz, xn] = projection(x, this.weight_ih, this.bias_ih).chunk(3, 1);
    const [hr, hz, hn] = projection(h, this.weight_hh, this.bias_hh).chunk(3, 1);
    const r = hr.add(xr).sigmoid(), z = hz.add(xz).sigmoid();
    const n = xn.add(hn.mul(r)).tanh();
    const next = h.sub(n).mul(z).add(n); // (1 − z)·n + z·h, in PyTorch's order
    return batched ? next : next.squeeze(0);
  }
}

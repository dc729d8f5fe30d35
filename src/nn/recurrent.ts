// Multi-layer recurrent modules over whole sequences, PyTorch's RNN, LSTM and GRU: layers stacked (each one's
// output the next one's input, with dropout between them in training), optionally in both directions. Each layer
// and direction is one call of recurrentLayer (src/autograd/ops/recurrent.ts): the input's part of every step in
// one product, then the recurrence as one op.
import { cat, dropout, stack, Tensor, zeros, type RandomState } from '../autograd/index.ts';
import { flagOf, optionsOf, rngOf, what } from '../autograd/options.ts';
import { recurrentLayer, type LayerWeights } from '../autograd/ops/recurrent.ts';
import { show } from '../tensor/shape.ts';
import { Module } from './module.ts';
import { checkSizes, nonlinearityOf, reprOf, uniformParameter, type Nonlinearity } from './recurrent-cells.ts';

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Options of {@link RNN}, {@link LSTM} and {@link GRU} (PyTorch's, in camelCase). */
export interface RecurrentOptions {
  /** The number of layers stacked, each one's output the next one's input (default 1). */
  numLayers?: number;
  /** Whether each layer adds the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Whether the input and output are [N, L, features] rather than [L, N, features] (default false); states are
   *  [layers·directions, N, hidden] either way. */
  batchFirst?: boolean;
  /** The probability of zeroing each output of a layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Whether each layer also runs from the last step to the first, its two outputs joined along the features
   *  (default false). */
  bidirectional?: boolean;
  /** Generator for the initial weights and the dropout masks; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

/** Options of {@link RNN}. */
export interface RNNOptions extends RecurrentOptions {
  /** The nonlinearity: 'tanh' (the default) or 'relu'. */
  nonlinearity?: Nonlinearity;
}

type Kind = 'rnnTanh' | 'rnnRelu' | 'lstm' | 'gru';
/** A layer's parameters' names, PyTorch's: `weight_ih_l0`, …, `bias_hh_l1_reverse`. */
type Named<P extends string> = `${P}_${'ih' | 'hh'}_l${number}` | `${P}_${'ih' | 'hh'}_l${number}_reverse`;

/**
 * What RNN, LSTM and GRU share: the settings, the parameters in PyTorch's names, layouts, order and initialisation,
 * and the run over the layers and directions.
 */
abstract class Recurrent<In extends unknown[], Out> extends Module<In, Out> {
  /**
   * The weights of layer k, PyTorch's: `weight_ih_l{k}` [gates·hidden, input] (input: inputSize for layer 0, then
   * hidden·directions) and `weight_hh_l{k}` [gates·hidden, hidden], the gates stacked in PyTorch's order; with
   * `_reverse` for the backward direction. Parameters.
   */
  readonly [weight: Named<'weight'>]: Tensor;
  /** The biases `bias_ih_l{k}` and `bias_hh_l{k}` [gates·hidden] (and `_reverse`): parameters, absent without bias. */
  readonly [bias: Named<'bias'>]: Tensor | undefined;
  /** The number of layers stacked. */
  readonly numLayers: number;
  /** Whether the layers add biases. */
  readonly bias: boolean;
  /** Whether the input and output are [N, L, features]. */
  readonly batchFirst: boolean;
  /** The dropout probability between layers (training mode only). */
  readonly dropout: number;
  /** Whether the layers run in both directions. */
  readonly bidirectional: boolean;
  /** The generator of the dropout masks (undefined: the global one). */
  readonly rng: RandomState | undefined;
  /** The number of features of each step of the input. */
  readonly inputSize: number;
  /** The size of each layer's state. */
  readonly hiddenSize: number;

  /** @internal */
  constructor(gates: number, inputSize: number, hiddenSize: number, opts: RecurrentOptions | undefined) {
    super();
    const name = new.target.name, o = optionsOf(name, opts);
    checkSizes(name, inputSize, hiddenSize);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const numLayers = o.numLayers ?? 1, p = o.dropout ?? 0;
    if (!Number.isInteger(numLayers) || numLayers < 1) throw new Error(`${name}: numLayers must be a positive integer, got ${show(numLayers)}`);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${name}: dropout must be a probability in [0, 1], got ${what(p)}`);
    this.numLayers = numLayers;
    this.bias = flagOf(name, 'bias', o.bias, true);
    this.batchFirst = flagOf(name, 'batchFirst', o.batchFirst, false);
    this.dropout = p;
    this.bidirectional = flagOf(name, 'bidirectional', o.bidirectional, false);
    if (o.rng !== undefined) rngOf(name, o.rng);
    this.rng = o.rng;
    // PyTorch's order, which is also its state dict's: layer by layer, direction by direction, W_ih, W_hh, b_ih, b_hh.
    const rng = rngOf(name, o.rng), params = this as unknown as Record<string, Tensor>, G = gates * hiddenSize;
    for (let l = 0; l < numLayers; l++) {
      for (const suffix of this.bidirectional ? ['', '_reverse'] : ['']) {
        const inputs = l === 0 ? inputSize : hiddenSize * (this.bidirectional ? 2 : 1);
        params[`weight_ih_l${l}${suffix}`] = uniformParameter(rng, hiddenSize, [G, inputs]);
        params[`weight_hh_l${l}${suffix}`] = uniformParameter(rng, hiddenSize, [G, hiddenSize]);
        if (this.bias) {
          params[`bias_ih_l${l}${suffix}`] = uniformParameter(rng, hiddenSize, [G]);
          params[`bias_hh_l${l}${suffix}`] = uniformParameter(rng, hiddenSize, [G]);
        }
      }
    }
  }

  /** @internal The weights of layer l in one direction. */
  private weightsOf(l: number, reverse: boolean): LayerWeights {
    const p = this as unknown as Record<string, Tensor | undefined>, suffix = `_l${l}${reverse ? '_reverse' : ''}`;
    return { wIh: p[`weight_ih${suffix}`]!, wHh: p[`weight_hh${suffix}`]!, bIh: p[`bias_ih${suffix}`] ?? null, bHh: p[`bias_hh${suffix}`] ?? null };
  }

  /** @internal A state (`which`: h0 or c0) as [layers·directions, N, hidden]: zeros when not given. */
  private stateOf(which: string, s: unknown, N: number, batched: boolean): Tensor {
    const name = this.constructor.name, states = this.numLayers * (this.bidirectional ? 2 : 1), H = this.hiddenSize;
    if (s === undefined || s === null) return zeros([states, N, H]);
    const expected = batched ? [states, N, H] : [states, H];
    if (!(s instanceof Tensor)) throw new Error(`${name}: ${which} must be a tensor, got ${what(s)}`);
    if (s.ndim !== expected.length || s.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`${name}: ${which} has shape ${fmt(s.shape)}, expected ${fmt(expected)} ` +
        `(${batched ? '[numLayers·directions, N, hiddenSize]' : '[numLayers·directions, hiddenSize] for an unbatched input'})`);
    }
    return batched ? s : s.unsqueeze(1);
  }

  /** @internal Every layer and direction over the input from the states h0 (and c0): the output and the last states. */
  protected run(kind: Kind, input: Tensor, h0: unknown, c0: unknown): { output: Tensor; h: Tensor; c: Tensor | null } {
    const name = this.constructor.name, features = input.shape[input.ndim - 1];
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new Error(`${name}: expected an input of 3 dims (${this.batchFirst ? '[N, L, inputSize] with batchFirst' : '[L, N, inputSize]'}) ` +
        `or 2 (unbatched [L, inputSize]), got shape ${fmt(input.shape)}`);
    }
    if (features !== this.inputSize) throw new Error(`${name}: the input has ${features} features (shape ${fmt(input.shape)}), expected inputSize ${this.inputSize}`);
    const batched = input.ndim === 3;
    let x = !batched ? input.unsqueeze(1) : this.batchFirst ? input.permute(1, 0, 2) : input; // [L, N, features]
    const [L, N] = x.shape;
    if (L < 1 || N < 1) throw new Error(`${name}: the input of shape ${fmt(input.shape)} has no steps or no samples`);
    const h = this.stateOf('h0', h0, N, batched), c = kind === 'lstm' ? this.stateOf('c0', c0, N, batched) : null;
    const hs: Tensor[] = [], cs: Tensor[] = [], D = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0 && this.training && this.dropout > 0) x = dropout(x, this.dropout, { rng: this.rng });
      const outputs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d, r = recurrentLayer(kind, x, this.weightsOf(l, d === 1), h.select(0, k), c?.select(0, k) ?? null, d === 1);
        outputs.push(r.output);
        hs.push(r.h);
        if (r.c !== null) cs.push(r.c);
      }
      x = D === 1 ? outputs[0] : cat(outputs, 2);
    }
    const output = !batched ? x.squeeze(1) : this.batchFirst ? x.permute(1, 0, 2) : x;
    const states = (ts: Tensor[]): Tensor => (batched ? stack(ts) : stack(ts).squeeze(1));
    return { output, h: states(hs), c: c === null ? null : states(cs) };
  }

  /** The sizes, and the settings that differ from their defaults (PyTorch's extra_repr). */
  override extraRepr(): string {
    const { numLayers, bias, batchFirst, dropout: p, bidirectional } = this;
    return reprOf(this.inputSize, this.hiddenSize, { numLayers, bias, batchFirst, dropout: p, bidirectional },
      { numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false });
  }
}

/**
 * A multi-layer Elman RNN, PyTorch's RNN: each layer h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (or ReLU),
 * over an input [L, N, inputSize] ([N, L, inputSize] with batchFirst, or [L, inputSize] unbatched) from h0
 * [numLayers·directions, N, hiddenSize] (zeros when not given). Returns [output, hN]: every step's h of the last
 * layer [L, N, directions·hiddenSize] (batchFirst: [N, L, …]), and each layer's and direction's last h, shaped as h0.
 *
 * @example
 * ```ts
 * const rnn = new nn.RNN(3, 5, { numLayers: 2, rng: new RandomState(0) });
 * const [output, hN] = rnn.call(ones([7, 2, 3]));
 * output.shape // [7, 2, 5]
 * hN.shape // [2, 2, 5]
 * rnn.namedParameters().map(([name]) => name).slice(0, 4) // ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
 * ```
 */
export class RNN extends Recurrent<[input: Tensor, h0?: Tensor], [Tensor, Tensor]> {
  /** 'tanh' or 'relu'. */
  readonly nonlinearity: Nonlinearity;

  /**
   * A stack of `opts.numLayers` RNN layers (default 1) from `inputSize` features to states of `hiddenSize`.
   *
   * @param inputSize The number of features of each step of the input (a positive integer).
   * @param hiddenSize The size of each layer's state (a positive integer).
   */
  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions) {
    const nonlinearity = nonlinearityOf('RNN', optionsOf('RNN', opts).nonlinearity);
    super(1, inputSize, hiddenSize, opts);
    this.nonlinearity = nonlinearity;
  }

  /** [output, hN] for the input from the states h0. */
  forward(input: Tensor, h0?: Tensor): [Tensor, Tensor] {
    const r = this.run(this.nonlinearity === 'relu' ? 'rnnRelu' : 'rnnTanh', input, h0, null);
    return [r.output, r.h];
  }
}

/**
 * A multi-layer LSTM, PyTorch's LSTM: each layer computes the gates [i, f, g, o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ
 * + b_hh (in that order along the weights' rows), c_t = σ(f)·c_{t−1} + σ(i)·tanh(g) and h_t = σ(o)·tanh(c_t), over
 * an input [L, N, inputSize] ([N, L, inputSize] with batchFirst, or [L, inputSize] unbatched) from the state
 * [h0, c0], each [numLayers·directions, N, hiddenSize] (zeros when not given). Returns [output, [hN, cN]]: every
 * step's h of the last layer [L, N, directions·hiddenSize] (batchFirst: [N, L, …]), and each layer's and
 * direction's last h and c, shaped as h0.
 *
 * @example
 * ```ts
 * const lstm = new nn.LSTM(3, 4, { bidirectional: true, rng: new RandomState(0) });
 * const [output, [hN, cN]] = lstm.call(ones([5, 2, 3]));
 * output.shape // [5, 2, 8]
 * hN.shape // [2, 2, 4]
 * lstm.weight_hh_l0_reverse.shape // [16, 4]
 * lstm.toString() // 'LSTM(3, 4, bidirectional=true)'
 * ```
 */
export class LSTM extends Recurrent<[input: Tensor, state?: [h0: Tensor, c0: Tensor]], [Tensor, [Tensor, Tensor]]> {
  /**
   * A stack of `opts.numLayers` LSTM layers (default 1) from `inputSize` features to states of `hiddenSize`.
   *
   * @param inputSize The number of features of each step of the input (a positive integer).
   * @param hiddenSize The size of each layer's states h and c (a positive integer).
   */
  constructor(inputSize: number, hiddenSize: number, opts?: RecurrentOptions) {
    super(4, inputSize, hiddenSize, opts);
  }

  /** [output, [hN, cN]] for the input from the state [h0, c0]. */
  forward(input: Tensor, state?: [h0: Tensor, c0: Tensor]): [Tensor, [Tensor, Tensor]] {
    if (state !== undefined && state !== null && (!Array.isArray(state) || state.length !== 2)) {
      throw new Error(`LSTM: the state must be [h0, c0], got ${what(state)}`);
    }
    const r = this.run('lstm', input, state?.[0], state?.[1]);
    return [r.output, [r.h, r.c!]];
  }
}

/**
 * A multi-layer GRU, PyTorch's GRU: each layer, with x_t·W_ihᵀ + b_ih and h_{t−1}·W_hhᵀ + b_hh each in parts
 * [r, z, n] (in that order along the weights' rows), computes r = σ(x_r + h_r), z = σ(x_z + h_z),
 * n = tanh(x_n + r·h_n) and h_t = (1 − z)·n + z·h_{t−1}, over an input [L, N, inputSize] ([N, L, inputSize] with
 * batchFirst, or [L, inputSize] unbatched) from h0 [numLayers·directions, N, hiddenSize] (zeros when not given).
 * Returns [output, hN]: every step's h of the last layer [L, N, directions·hiddenSize] (batchFirst: [N, L, …]), and
 * each layer's and direction's last h, shaped as h0.
 *
 * @example
 * ```ts
 * const gru = new nn.GRU(3, 4, { batchFirst: true, rng: new RandomState(0) });
 * const [output, hN] = gru.call(ones([2, 5, 3]));
 * output.shape // [2, 5, 4]
 * hN.shape // [1, 2, 4]
 * ```
 */
export class GRU extends Recurrent<[input: Tensor, h0?: Tensor], [Tensor, Tensor]> {
  /**
   * A stack of `opts.numLayers` GRU layers (default 1) from `inputSize` features to states of `hiddenSize`.
   *
   * @param inputSize The number of features of each step of the input (a positive integer).
   * @param hiddenSize The size of each layer's state (a positive integer).
   */
  constructor(inputSize: number, hiddenSize: number, opts?: RecurrentOptions) {
    super(3, inputSize, hiddenSize, opts);
  }

  /** [output, hN] for the input from the states h0. */
  forward(input: Tensor, h0?: Tensor): [Tensor, Tensor] {
    const r = this.run('gru', input, h0, null);
    return [r.output, r.h];
  }
}

// The recurrent modules (issue 19): nn.RNN (tanh and ReLU), nn.GRU, nn.LSTM and their cells, against PyTorch.
// test/fixtures/recurrent-reference.json was written by scripts/recurrent_reference.py (PyTorch 1.13, float64): for
// each case the parameters by name (the engine loads them with loadStateDict, so the names, shapes and order must be
// PyTorch's), the input and initial state, what the module returned, and the gradients of Σ_k returned_k·w_k with
// respect to every parameter, the input and the state. Then gradcheck and gradgradcheck on small modules (parameters
// and inputs), the options, and the bad input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cat, compile, grad, gradcheck, gradgradcheck, manualSeed, nn, ones, optim, RandomState, randn, Tensor, tensor, zeros } from '../src/index.ts';
import { expectClose, maxAbs } from './expect-close.ts';
import { lanes, reserveLanes, sigmoidLanes } from '../src/tensor/activations-simd.ts';
import { expectForwardOverReverse, expectJvp } from './jvp-check.ts';

type Nested = number | Nested[];
interface Case {
  name: string;
  module: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  inputSize: number;
  hiddenSize: number;
  options: Record<string, unknown>;
  params: Record<string, { shape: number[]; data: number[] }>;
  x: Nested;
  state: Nested[] | null;
  weights: Nested[];
  outputs: Nested[];
  loss: number;
  grads: Record<string, Nested>;
  gradX: Nested;
  gradState: Nested[] | null;
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'recurrent-reference.json'), 'utf8')) as { torch: string; cases: Case[] };

type AnyRecurrent = nn.RNN | nn.LSTM | nn.GRU | nn.RNNCell | nn.LSTMCell | nn.GRUCell;
const make = (c: Case): AnyRecurrent => new nn[c.module](c.inputSize, c.hiddenSize, { ...c.options, rng: new RandomState(0) });

/** The module's results flattened as the fixture writes them: [output, hN(, cN)] for a layer, [h(, c)] for a cell. */
function run(m: AnyRecurrent, x: Tensor, state: Tensor[] | null): Tensor[] {
  const lstm = m instanceof nn.LSTM || m instanceof nn.LSTMCell;
  const s = state === null ? undefined : lstm ? [state[0], state[1]] as [Tensor, Tensor] : state[0];
  const r = (m.call as (x: Tensor, s?: unknown) => unknown)(x, s);
  if (m instanceof nn.LSTM) { const [out, [h, c]] = r as [Tensor, [Tensor, Tensor]]; return [out, h, c]; }
  if (m instanceof nn.RNN || m instanceof nn.GRU) return r as Tensor[];
  return lstm ? r as Tensor[] : [r as Tensor];
}

// Both engines sum the same products in different orders (PyTorch's BLAS against gemm.wat), so values and
// gradients agree to a few ulp of their largest entry (at most 7e-16 of it, measured), not bit for bit.
const TOL = 1e-14;
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const close = (got: Tensor, want: Nested, what: string): void => expectClose(got, flat(want), { atol: TOL * Math.max(1, maxAbs(flat(want))) }, what);

describe(`recurrent modules against PyTorch ${fixture.torch} (float64)`, () => {
  it('has the reference cases: every module, RNN with both nonlinearities', () => {
    expect(new Set(fixture.cases.map((c) => c.module))).toEqual(new Set(['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell']));
    expect(fixture.cases.filter((c) => c.options.nonlinearity === 'relu').length).toBeGreaterThanOrEqual(2);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const m = make(c);
      // PyTorch's names, shapes and order: the state dict loads by name, in the same order.
      expect(m.namedParameters().map(([name, p]) => [name, p.shape])).toEqual(Object.entries(c.params).map(([name, p]) => [name, p.shape]));
      m.loadStateDict(c.params);
      const x = tensor(c.x as number[], { requiresGrad: true });
      const state = c.state?.map((s) => tensor(s as number[], { requiresGrad: true })) ?? null;
      const outs = run(m, x, state);
      expect(outs).toHaveLength(c.outputs.length);
      outs.forEach((o, k) => close(o, c.outputs[k]!, `${c.name}: returned value ${k}`));
      outs.reduce((loss: Tensor, o, k) => loss.add(o.mul(tensor(c.weights[k] as number[])).sum()), zeros([])).backward();
      for (const [name, p] of m.namedParameters()) close(p.grad!, c.grads[name]!, `${c.name}: ∂/∂${name}`);
      close(x.grad!, c.gradX, `${c.name}: ∂/∂input`);
      state?.forEach((s, k) => close(s.grad!, c.gradState![k]!, `${c.name}: ∂/∂state ${k}`));
    });
  }
});

describe('gradcheck and gradgradcheck (parameters and input)', () => {
  const rng = new RandomState(5);
  const leaf = (shape: number[]): Tensor => { const t = randn(shape, { rng }); t.requiresGrad = true; return t; };

  it.each(['RNNCell', 'LSTMCell', 'GRUCell'] as const)('%s', (name) => {
    const cell = new nn[name](2, 3, { rng: new RandomState(1) }), x = leaf([2, 2]), h = leaf([2, 3]), c = leaf([2, 3]);
    const f = (xs: Tensor, hs: Tensor, cs: Tensor): Tensor => (cell instanceof nn.LSTMCell ? cell.call(xs, [hs, cs])[1] : cell.call(xs, hs));
    const inputs = [x, h, ...(cell instanceof nn.LSTMCell ? [c] : []), ...cell.parameters()];
    const fn = (...t: Tensor[]) => f(t[0]!, t[1]!, t[2]!);
    expect(gradcheck(fn, inputs).message).toMatch(/passed/);
    expect(gradgradcheck(fn, inputs).message).toMatch(/passed/);
  });

  it.each([
    ['LSTM', { numLayers: 2, bidirectional: true }],
    ['GRU', { numLayers: 2 }],
    ['RNN', { bidirectional: true }],
    ['RNN', { nonlinearity: 'relu' as const, numLayers: 2 }],
  ] as const)('%s %j', (name, opts) => {
    const m = new nn[name](2, 2, { ...opts, rng: new RandomState(2) });
    const states = (opts as { numLayers?: number }).numLayers === 2 ? 2 : 1, dirs = (opts as { bidirectional?: boolean }).bidirectional ? 2 : 1;
    const x = leaf([3, 2, 2]), h = leaf([states * dirs, 2, 2]), c = leaf([states * dirs, 2, 2]);
    const fn = (...t: Tensor[]): Tensor => {
      if (m instanceof nn.LSTM) {
        const [out, [hN, cN]] = m.call(t[0]!, [t[1]!, t[2]!]);
        return out.sum().add(hN.mul(cN).sum());
      }
      const [out, hN] = m.call(t[0]!, t[1]!);
      return out.square().sum().add(hN.sum());
    };
    const inputs = [x, h, ...(m instanceof nn.LSTM ? [c] : []), ...m.parameters()];
    expect(gradcheck(fn, inputs).message).toMatch(/passed/);
    expect(gradgradcheck(fn, inputs).message).toMatch(/passed/);
  });
});

describe('the LSTM step kernel', () => {
  // 1,400 sequences of hidden size 5: more rows than one block of the activations module's lanes holds; and a
  // hidden size of 1, where every pair of lanes spans two rows
  it.each([[1400, 5], [3, 1]])('over %s sequences of hidden size %s, gives what LSTMCell gives step by step, and back', (N, H) => {
    const rng = new RandomState(21), L = 3;
    const lstm = new nn.LSTM(2, H, { rng }), cell = new nn.LSTMCell(2, H);
    const sd = lstm.stateDict();
    cell.loadStateDict({ weight_ih: sd.weight_ih_l0!, weight_hh: sd.weight_hh_l0!, bias_ih: sd.bias_ih_l0!, bias_hh: sd.bias_hh_l0! });
    const x = randn([L, N, 2], { rng }), h0 = randn([1, N, H], { rng }), c0 = randn([1, N, H], { rng });
    const [out, [hN, cN]] = lstm.call(x, [h0, c0]);
    let h = h0.select(0, 0), c = c0.select(0, 0);
    for (let t = 0; t < L; t++) {
      [h, c] = cell.call(x.select(0, t), [h, c]);
      expectClose(out.select(0, t), h, { atol: 1e-14 }, `h at step ${t}`);
    }
    expectClose(hN.select(0, 0), h, { atol: 1e-14 });
    expectClose(cN.select(0, 0), c, { atol: 1e-14 });
    // backward: the kernel (a walk that records nothing) against the tensor ops (one that records), bit for bit
    for (const v of [x, h0, c0]) v.requiresGrad = true;
    const w = randn([L, N, H], { rng }), wrt = [x, h0, c0, ...lstm.parameters()];
    const loss = (): Tensor => {
      const [o, [hL, cL]] = lstm.call(x, [h0, c0]);
      return o.mul(w).sum().add(hL.mul(cL).sum());
    };
    const plain = grad(loss(), wrt), recorded = grad(loss(), wrt, { createGraph: true });
    plain.forEach((d, k) => expectClose(d!, recorded[k]!, { atol: 0 }, `gradient ${k}`));
  });
  it('grows its lanes when a step needs more, and the kernels run on the new ones', () => {
    const before = lanes.length;
    reserveLanes(before + 1);
    expect(lanes.length).toBeGreaterThan(before);
    lanes.set([0, 1, -1], lanes.length - 4);
    sigmoidLanes(lanes.length - 4, 3);
    expect(Array.from(lanes.subarray(lanes.length - 4, lanes.length - 1))).toEqual([0.5, 1 / (1 + Math.exp(-1)), Math.exp(-1) / (1 + Math.exp(-1))]);
  });
});

describe('backpropagation through time, two ways', () => {
  it('a walk that records nothing (a kernel) and one that records (tensor ops) give the same gradients, bit for bit', () => {
    const rng = new RandomState(12);
    for (const m of [new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, rng }), new nn.GRU(3, 4, { bidirectional: true, rng }),
      new nn.RNN(3, 4, { numLayers: 2, rng }), new nn.RNN(3, 4, { nonlinearity: 'relu', bidirectional: true, rng })]) {
      const x = randn([5, 2, 3], { rng }), dirs = m.bidirectional ? 2 : 1;
      const h0 = randn([m.numLayers * dirs, 2, 4], { rng }), c0 = randn([m.numLayers * dirs, 2, 4], { rng });
      for (const t of [x, h0, c0]) t.requiresGrad = true;
      const w = randn([5, 2, 4 * dirs], { rng }), wh = randn([m.numLayers * dirs, 2, 4], { rng });
      const loss = (): Tensor => {
        if (m instanceof nn.LSTM) {
          const [out, [hN, cN]] = m.call(x, [h0, c0]);
          return out.mul(w).sum().add(hN.mul(wh).sum()).add(cN.mul(wh).sum());
        }
        const [out, hN] = m.call(x, h0);
        return out.mul(w).sum().add(hN.mul(wh).sum());
      };
      const wrt = [x, h0, ...(m instanceof nn.LSTM ? [c0] : []), ...m.parameters()];
      const plain = grad(loss(), wrt), recorded = grad(loss(), wrt, { createGraph: true });
      plain.forEach((g, k) => expectClose(g!, recorded[k]!, { atol: 0 }, `${m.constructor.name} gradient ${k}`));
      expect(recorded.every((g) => g!.requiresGrad)).toBe(true); // recorded: a graph to differentiate again
    }
  });
});

describe('forward mode (jvp)', () => {
  /** fn of the module run with `params` in place of its own (so jvp and the differences can move them). */
  const withParams = (m: nn.AnyModule, params: Tensor[], fn: () => Tensor): Tensor => {
    const names = m.namedParameters().map(([n]) => n), own = names.map((n) => (m as unknown as Record<string, Tensor>)[n]!);
    names.forEach((n, k) => ((m as unknown as Record<string, Tensor>)[n] = params[k]!));
    try { return fn(); } finally { names.forEach((n, k) => ((m as unknown as Record<string, Tensor>)[n] = own[k]!)); }
  };
  const outputs = (m: nn.RNN | nn.LSTM | nn.GRU, x: Tensor, h: Tensor, c: Tensor): Tensor => {
    if (m instanceof nn.LSTM) { const [out, [hN, cN]] = m.call(x, [h, c]); return cat([out.flatten(), hN.flatten(), cN.flatten()]); }
    const [out, hN] = m.call(x, h);
    return cat([out.flatten(), hN.flatten()]);
  };

  it.each([
    ['LSTM', { numLayers: 2, bidirectional: true }], ['GRU', { bidirectional: true }], ['GRU', { numLayers: 2, bias: false }],
    ['RNN', { numLayers: 2 }], ['RNN', { nonlinearity: 'relu' as const, bidirectional: true }],
  ] as const)('%s %j: the tangent of the output and final states along every input, state and parameter', (name, opts) => {
    const m = new nn[name](3, 2, { ...opts, rng: new RandomState(3) }), rng = new RandomState(4);
    const states = ((opts as { numLayers?: number }).numLayers ?? 1) * ((opts as { bidirectional?: boolean }).bidirectional ? 2 : 1);
    const x = randn([4, 2, 3], { rng }), h = randn([states, 2, 2], { rng }), c = randn([states, 2, 2], { rng });
    const f = (xs: Tensor, hs: Tensor, cs: Tensor, ...ps: Tensor[]): Tensor => withParams(m, ps, () => outputs(m, xs, hs, cs));
    expectJvp(f, [x, h, c, ...m.parameters().map((p) => p.detach())], 30);
  });

  it.each(['LSTM', 'GRU', 'RNN'] as const)('%s: forward over reverse (jvp of a gradient) equals hvp', (name) => {
    const m = new nn[name](2, 3, { rng: new RandomState(5) }), x = randn([3, 2, 2], { rng: new RandomState(6) });
    const w = randn([3, 2, 3], { rng: new RandomState(7) });
    x.requiresGrad = true;
    expectForwardOverReverse((xs) => (m.call(xs) as [Tensor, unknown])[0].tanh().mul(w).sum(), x, 40);
  });
});

describe('compile()', () => {
  it('replays an LSTM training step: the same losses and weights as the eager steps', () => {
    const make = () => new nn.LSTM(3, 4, { numLayers: 2, rng: new RandomState(6) });
    const eager = make(), traced = make(), x = randn([5, 2, 3], { rng: new RandomState(1) }), y = randn([5, 2, 4], { rng: new RandomState(2) });
    const stepOf = (m: nn.LSTM) => {
      const opt = new optim.SGD(m.parameters(), { lr: 0.5 });
      return (xs: Tensor, ys: Tensor): Tensor => {
        opt.zeroGrad();
        const loss = nn.mseLoss(m.call(xs)[0], ys);
        loss.backward();
        opt.step();
        return loss;
      };
    };
    const plain = stepOf(eager), compiled = compile(stepOf(traced));
    for (let i = 0; i < 6; i++) expect(compiled(x, y).item()).toBe(plain(x, y).item()); // the first three trace, the rest replay
    expect(compiled.toSource()).toContain('lstmRecurrence');
    traced.parameters().forEach((p, k) => expect(p.toArray()).toEqual(eager.parameters()[k]!.toArray()));
  });
});

describe('layers and cells agree', () => {
  // σ and tanh run in blocks of the WebAssembly module's lanes (131,072 of them, shared by a block's gates)
  it.each([['LSTM', 200, 150], ['GRU', 300, 150], ['RNN', 400, 400]] as const)('%s: a step of %i × %i values, more than one block, is its cell\'s', (kind, N, H) => {
    const rng = new RandomState(9), x = randn([2, N, 3], { rng }), layer = new nn[kind](3, H, { rng }), cell = new nn[`${kind}Cell`](3, H, { rng });
    cell.loadStateDict(Object.fromEntries(Object.entries(layer.stateDict()).map(([k, v]) => [k.replace('_l0', ''), v])));
    const [out] = layer.call(x);
    let s: Tensor | [Tensor, Tensor] | undefined;
    for (let t = 0; t < 2; t++) {
      s = (cell.call as (x: Tensor, s?: unknown) => Tensor | [Tensor, Tensor])(x.select(0, t), s);
      expectClose(out.select(0, t), Array.isArray(s) ? s[0] : s, { atol: 1e-15 }, `step ${t}`);
    }
  });
  it('a one-layer LSTM, GRU or RNN over L steps is its cell applied L times, values and gradients', () => {
    const rng = new RandomState(8), x = randn([6, 2, 3], { rng });
    for (const [Layer, Cell] of [[nn.LSTM, nn.LSTMCell], [nn.GRU, nn.GRUCell], [nn.RNN, nn.RNNCell]] as const) {
      const layer = new Layer(3, 4, { rng }), cell = new Cell(3, 4, { rng });
      cell.loadStateDict(Object.fromEntries(Object.entries(layer.stateDict()).map(([k, v]) => [k.replace('_l0', ''), v])));
      const w = randn([6, 2, 4], { rng });
      const [out] = layer.call(x) as [Tensor, unknown];
      out.mul(w).sum().backward();
      let s: Tensor | [Tensor, Tensor] | undefined;
      const hs: Tensor[] = [];
      for (let t = 0; t < 6; t++) {
        s = (cell.call as (x: Tensor, s?: unknown) => Tensor | [Tensor, Tensor])(x.select(0, t), s);
        hs.push(Array.isArray(s) ? s[0] : s);
      }
      const steps = hs.map((h, t) => h.mul(w.select(0, t)).sum());
      steps.reduce((a, b) => a.add(b)).backward();
      hs.forEach((h, t) => expectClose(out.select(0, t), h, { atol: 1e-15 }, `${Layer.name} step ${t}`));
      layer.parameters().forEach((p, k) => expectClose(p.grad!, cell.parameters()[k]!.grad!, { atol: 1e-14 }, `${Layer.name} gradient ${k}`));
    }
  });
});

describe('options', () => {
  it('init: every parameter from U(−1/√hidden, 1/√hidden), drawn in order from the rng; the global generator by default', () => {
    const a = new nn.LSTM(3, 16, { numLayers: 2, rng: new RandomState(4) });
    const expected = new RandomState(4);
    for (const [, p] of a.namedParameters()) {
      expect(Array.from(p.data)).toEqual(Array.from(expected.uniform(-0.25, 0.25, [...p.shape])));
      expect(p.requiresGrad).toBe(true);
    }
    manualSeed(3);
    const b = new nn.GRUCell(2, 4);
    manualSeed(3);
    expect(new nn.GRUCell(2, 4).weight_ih.toArray()).toEqual(b.weight_ih.toArray());
  });

  it('state-dict names and order as PyTorch: layer by layer, direction by direction, W_ih, W_hh, b_ih, b_hh', () => {
    const names = (m: nn.AnyModule) => m.namedParameters().map(([name, p]) => `${name} ${p.shape.join('x')}`);
    expect(names(new nn.GRU(5, 2, { numLayers: 2, bidirectional: true }))).toEqual([
      'weight_ih_l0 6x5', 'weight_hh_l0 6x2', 'bias_ih_l0 6', 'bias_hh_l0 6',
      'weight_ih_l0_reverse 6x5', 'weight_hh_l0_reverse 6x2', 'bias_ih_l0_reverse 6', 'bias_hh_l0_reverse 6',
      'weight_ih_l1 6x4', 'weight_hh_l1 6x2', 'bias_ih_l1 6', 'bias_hh_l1 6',
      'weight_ih_l1_reverse 6x4', 'weight_hh_l1_reverse 6x2', 'bias_ih_l1_reverse 6', 'bias_hh_l1_reverse 6',
    ]);
    expect(names(new nn.RNN(3, 2, { bias: false }))).toEqual(['weight_ih_l0 2x3', 'weight_hh_l0 2x2']);
    expect(names(new nn.LSTMCell(3, 2))).toEqual(['weight_ih 8x3', 'weight_hh 8x2', 'bias_ih 8', 'bias_hh 8']);
    const cell = new nn.RNNCell(3, 2, { bias: false });
    expect([cell.bias_ih, cell.bias_hh]).toEqual([null, null]);
  });

  it('batchFirst takes and returns [N, L, …]; states stay [layers·directions, N, hidden]', () => {
    const x = randn([4, 3, 2], { rng: new RandomState(1) }); // [L, N, in]
    const a = new nn.GRU(2, 5, { numLayers: 2, rng: new RandomState(9) }), b = new nn.GRU(2, 5, { numLayers: 2, batchFirst: true });
    b.loadStateDict(a.stateDict());
    const [outA, hA] = a.call(x), [outB, hB] = b.call(x.permute(1, 0, 2));
    expect(outB.shape).toEqual([3, 4, 5]);
    expect(outB.permute(1, 0, 2).toArray()).toEqual(outA.toArray());
    expect(hB.toArray()).toEqual(hA.toArray());
  });

  it('unbatched input [L, in] is a batch of one without its axis, states too', () => {
    const x = randn([4, 2], { rng: new RandomState(1) }), h0 = randn([2, 3], { rng: new RandomState(2) });
    const m = new nn.RNN(2, 3, { bidirectional: true, rng: new RandomState(3) });
    const [out, hN] = m.call(x, h0), [outB, hB] = m.call(x.unsqueeze(1), h0.unsqueeze(1));
    expect(out.shape).toEqual([4, 6]);
    expect(hN.shape).toEqual([2, 3]);
    expect(out.toArray()).toEqual(outB.squeeze(1).toArray());
    expect(hN.toArray()).toEqual(hB.squeeze(1).toArray());
  });

  it('the last output of each direction is its final state: the forward one at the last step, the reverse one at the first', () => {
    const m = new nn.LSTM(2, 3, { bidirectional: true, rng: new RandomState(3) });
    const [out, [hN]] = m.call(randn([5, 2, 2], { rng: new RandomState(4) }));
    expect(out.select(0, 4).narrow(1, 0, 3).toArray()).toEqual(hN.select(0, 0).toArray());
    expect(out.select(0, 0).narrow(1, 3, 3).toArray()).toEqual(hN.select(0, 1).toArray());
  });

  it('dropout between layers acts in training mode only, drawing from the rng; none after the last layer', () => {
    const x = randn([3, 2, 2], { rng: new RandomState(1) });
    const opts = { numLayers: 2, dropout: 0.5 } as const;
    const a = new nn.LSTM(2, 4, { ...opts, rng: new RandomState(7) }), b = new nn.LSTM(2, 4, { ...opts, rng: new RandomState(7) });
    const plain = new nn.LSTM(2, 4, { numLayers: 2, rng: new RandomState(7) });
    const [outA] = a.call(x), [outB] = b.call(x), [outPlain] = plain.call(x);
    expect(outA.toArray()).toEqual(outB.toArray()); // the same generator, in the same state: the same masks
    expect(outA.toArray()).not.toEqual(outPlain.toArray());
    expect(outA.data.every((v) => v !== 0)).toBe(true); // the last layer's output is not dropped
    a.eval();
    expect(a.call(x)[0].toArray()).toEqual(outPlain.toArray());
    const one = new nn.GRU(2, 4, { dropout: 0.5, rng: new RandomState(7) }), oneEval = new nn.GRU(2, 4, { rng: new RandomState(7) });
    expect(one.call(x)[0].toArray()).toEqual(oneEval.call(x)[0].toArray()); // one layer: nothing between layers
  });

  it('prints as PyTorch does, its settings in camelCase', () => {
    expect(new nn.LSTM(10, 20).toString()).toBe('LSTM(10, 20)');
    expect(new nn.GRU(10, 20, { numLayers: 2, batchFirst: true, dropout: 0.5, bidirectional: true, bias: false }).toString())
      .toBe('GRU(10, 20, numLayers=2, bias=false, batchFirst=true, dropout=0.5, bidirectional=true)');
    expect(new nn.RNNCell(3, 4, { nonlinearity: 'relu' }).toString()).toBe('RNNCell(3, 4, nonlinearity=relu)');
    expect(new nn.LSTMCell(3, 4, { bias: false }).toString()).toBe('LSTMCell(3, 4, bias=false)');
  });

  it('a layer in a model: its parameters are found and trained, and the state dict round-trips', () => {
    class Tagger extends nn.Module {
      rnn = new nn.GRU(2, 4, { rng: new RandomState(1) });
      head = new nn.Linear(4, 1, { rng: new RandomState(2) });
      forward(x: Tensor): Tensor { return this.head.call(this.rnn.call(x)[0]); }
    }
    const m = new Tagger(), copy = new Tagger();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'head.weight', 'head.bias']);
    const x = randn([3, 2, 2], { rng: new RandomState(3) });
    m.call(x).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null && p.grad.data.some((v) => v !== 0))).toBe(true);
    copy.loadStateDict(JSON.parse(JSON.stringify(m.stateDict())));
    expect(copy.call(x).toArray()).toEqual(m.call(x).toArray());
  });
});

describe('bad input: an Error naming the module and the shapes', () => {
  const lstm = new nn.LSTM(3, 4, { numLayers: 2 }), gru = new nn.GRU(3, 4, { batchFirst: true }), cell = new nn.LSTMCell(3, 4);
  it.each([
    ['wrong input size', () => lstm.call(zeros([5, 2, 2])), 'LSTM: the input has 2 features (shape [5, 2, 2]), expected inputSize 3'],
    ['wrong rank', () => lstm.call(zeros([5, 2, 3, 1])), 'LSTM: expected an input of 3 dims ([L, N, inputSize]) or 2 (unbatched [L, inputSize]), got shape [5, 2, 3, 1]'],
    ['wrong rank, batchFirst', () => gru.call(zeros([3])), 'GRU: expected an input of 3 dims ([N, L, inputSize] with batchFirst) or 2 (unbatched [L, inputSize]), got shape [3]'],
    ['wrong h0 shape', () => lstm.call(zeros([5, 2, 3]), [zeros([1, 2, 4]), zeros([2, 2, 4])]), 'LSTM: h0 has shape [1, 2, 4], expected [2, 2, 4] ([numLayers·directions, N, hiddenSize])'],
    ['wrong c0 shape', () => lstm.call(zeros([5, 2, 3]), [zeros([2, 2, 4]), zeros([2, 3, 4])]), 'LSTM: c0 has shape [2, 3, 4], expected [2, 2, 4]'],
    ['batched state for unbatched input', () => gru.call(zeros([5, 3]), zeros([1, 1, 4])), 'GRU: h0 has shape [1, 1, 4], expected [1, 4] ([numLayers·directions, hiddenSize] for an unbatched input)'],
    ['state not a pair', () => lstm.call(zeros([5, 2, 3]), zeros([2, 2, 4]) as never), 'LSTM: the state must be [h0, c0], got a tensor of shape [2, 2, 4]'],
    ['state not a tensor', () => gru.call(zeros([2, 5, 3]), [1, 2] as never), 'GRU: h0 must be a tensor, got an array ([1,2])'],
    ['no steps', () => lstm.call(zeros([0, 2, 3])), 'LSTM: the input of shape [0, 2, 3] has no steps or no samples'],
    ['input not a tensor', () => lstm.call([1, 2, 3] as never), 'LSTM.call: expected a tensor'],
    ['cell: wrong input size', () => cell.call(zeros([2, 5])), 'LSTMCell: the input has 5 features (shape [2, 5]), expected inputSize 3'],
    ['cell: wrong rank', () => cell.call(zeros([2, 2, 3])), 'LSTMCell: expected an input of 2 dims ([N, inputSize]) or 1 (unbatched), got shape [2, 2, 3]'],
    ['cell: wrong state shape', () => cell.call(zeros([2, 3]), [zeros([2, 4]), zeros([3, 4])]), 'LSTMCell: cx has shape [3, 4], expected [2, 4] ([N, hiddenSize])'],
    ['cell: unbatched state for a batch', () => new nn.GRUCell(3, 4).call(zeros([2, 3]), zeros([4])), 'GRUCell: hx has shape [4], expected [2, 4] ([N, hiddenSize])'],
  ])('%s', (_what, fn, message) => {
    expect(fn).toThrow(message);
  });

  it.each([
    [() => new nn.LSTM(0, 4), 'LSTM: inputSize and hiddenSize must be positive integers, got 0 and 4'],
    [() => new nn.GRUCell(3, 2.5), 'GRUCell: inputSize and hiddenSize must be positive integers, got 3 and 2.5'],
    [() => new nn.RNN(3, 4, { numLayers: 0 }), 'RNN: numLayers must be a positive integer, got 0'],
    [() => new nn.RNN(3, 4, { dropout: 1.5 }), 'RNN: dropout must be a probability in [0, 1], got number 1.5'],
    [() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as never }), "RNN: nonlinearity must be 'tanh' or 'relu', got the string 'sigmoid'"],
    [() => new nn.RNNCell(3, 4, { nonlinearity: 'gelu' as never }), "RNNCell: nonlinearity must be 'tanh' or 'relu', got the string 'gelu'"],
    [() => new nn.LSTM(3, 4, { bidirectional: 1 as never }), 'LSTM: bidirectional must be true or false, got number 1'],
    [() => new nn.GRU(3, 4, { rng: 7 as never }), 'GRU: rng must be a RandomState, got number 7'],
    [() => new nn.LSTMCell(3, 4, [] as never), 'LSTMCell: options must be an object'],
  ])('constructor %#', (fn, message) => {
    expect(fn).toThrow(message);
  });

  it('a cell takes no state of the wrong kind', () => {
    expect(() => new nn.LSTMCell(3, 4).call(ones([3]), ones([4]) as never)).toThrow('LSTMCell: the state must be [hx, cx], got a tensor of shape [4]');
  });
});

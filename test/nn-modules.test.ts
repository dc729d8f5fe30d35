// nn modules: parameter discovery, modes, Linear (shape, NumPy-compatible init, gradients), the activation
// modules, saving and loading, and the documents' 3-4-1 sigmoid network against the hand-written delta rule.
// Every expected value is plain arithmetic or a NumPy literal, never the engine.
import { describe, expect, it } from 'vitest';
import { gradcheck, manualSeed, nn, RandomState, Tensor, tensor } from '../src/index.ts';
import { expectClose, maxAbs } from './expect-close.ts';
import { sigma } from './nn-helpers.ts';


/** Every element identical, -0 and NaN included. */
function expectBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

const leaf = (rng: RandomState, shape: number[], lo = -1, hi = 1, requiresGrad = true): Tensor =>
  Tensor.from(rng.uniform(lo, hi, shape), shape, { requiresGrad });

// NumPy 2.4.6, legacy generator:
//   np.random.seed(1); W = 2*np.random.random((3,4)) - 1; B = 2*np.random.random((4,)) - 1
// printed with repr(...tolist()); B is also syn1 = 2*np.random.random((4,1)) - 1 of the documents' program,
// drawn right after syn0 = W. SEED1_13TH is np.random.seed(1); np.random.random(13)[12].
const NP_W = [
  [-0.165955990594852, 0.4406489868843162, -0.9997712503653102, -0.39533485473632046],
  [-0.7064882183657739, -0.8153228104624044, -0.6274795772446582, -0.3088785459139045],
  [-0.20646505153866013, 0.07763346800671389, -0.1616109711934104, 0.370439000793519],
].flat();
const NP_B = [-0.5910955005369651, 0.7562348727818908, -0.9452248136041477, 0.34093502035680445];
const SEED1_13TH = 0.20445224973151743;

describe('Module: parameters, names, modes', () => {
  it('parameters() walks nested modules depth first and namedParameters() gives dotted names', () => {
    const rng = new RandomState(3);
    const a = new nn.Linear(2, 3, { rng }), b = new nn.Linear(3, 1, { rng, bias: false }), c = new nn.Linear(1, 2, { rng });
    const model = new nn.Sequential(new nn.Sequential(a, new nn.Tanh()), new nn.ReLU(), b, new nn.Sigmoid(), c);
    const named = model.namedParameters();
    expect(named.map(([n]) => n)).toEqual(['0.0.weight', '0.0.bias', '2.weight', '4.weight', '4.bias']);
    const want = [a.weight, a.bias, b.weight, c.weight, c.bias];
    named.forEach(([n, p], i) => expect(p, n).toBe(want[i]));
    const params = model.parameters();
    expect(params.length).toBe(5);
    params.forEach((p, i) => expect(p).toBe(want[i]));
  });

  it('the names of the documents-style Sequential(Linear, Sigmoid, Linear, Sigmoid) are 0.weight, 0.bias, 2.weight, 2.bias', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Sigmoid(), new nn.Linear(4, 1), new nn.Sigmoid());
    expect(model.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['0.weight', [3, 4]], ['0.bias', [4]], ['2.weight', [4, 1]], ['2.bias', [1]],
    ]);
  });

  it('a Linear used twice is listed once, under its first name, and gets the gradient of both uses', () => {
    const rng = new RandomState(4);
    const shared = new nn.Linear(3, 3, { rng });
    const model = new nn.Sequential(shared, new nn.Tanh(), shared);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
    expect(model.parameters()).toEqual([shared.weight, shared.bias]);
    expect(new Set(model.parameters()).size).toBe(2);

    // y = tanh(xW + b)W + b: the gradient of sum(y) wrt b is 1 (second use) + Σ_rows tanh'(·)·(1ᵀWᵀ) (first use).
    const x = leaf(rng, [2, 3], -1, 1, false);
    model.forward(x).sum().backward();
    const W = Array.from(shared.weight.data), b = Array.from(shared.bias!.data), X = Array.from(x.data);
    const gb = [0, 0, 0];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        let z = b[j];
        for (let k = 0; k < 3; k++) z += X[i * 3 + k] * W[k * 3 + j];
        const rowSumW = W[j * 3] + W[j * 3 + 1] + W[j * 3 + 2]; // ∂(Σ hW)/∂h_j
        gb[j] += 1 + (1 - Math.tanh(z) ** 2) * rowSumW;
      }
    }
    expectClose(shared.bias!.grad!.data, gb, { rtol: 1e-12 }, 'shared bias grad');
  });

  it('custom modules: tensor fields that require grad are parameters, others are not; child modules are walked', () => {
    class Affine extends nn.Module {
      scale = tensor([2, 3], { requiresGrad: true });
      constant = tensor([5, 5]); // no grad: a buffer, not a parameter
      inner = new nn.Linear(2, 2, { rng: new RandomState(0) });
      forward(x: Tensor): Tensor { return this.inner.forward(x.mul(this.scale)).add(this.constant); }
    }
    const m = new Affine();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale', 'inner.weight', 'inner.bias']);
    expect(m.parameters()[0]).toBe(m.scale);
  });

  it('zeroGrad() zeroes every parameter gradient in place and leaves never-used ones null', () => {
    const rng = new RandomState(5);
    const used = new nn.Linear(2, 2, { rng }), unused = new nn.Linear(2, 2, { rng });
    const model = new nn.Sequential(used, new nn.Sigmoid());
    const holder = new nn.Sequential(model, unused);
    model.forward(leaf(rng, [3, 2], -1, 1, false)).sum().backward();
    const g = used.weight.grad!;
    expect(Array.from(g.data).some((v) => v !== 0)).toBe(true);
    holder.zeroGrad();
    expect(used.weight.grad).toBe(g); // the same buffer, zeroed
    expect(Array.from(used.weight.grad!.data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(used.bias!.grad!.data)).toEqual([0, 0]);
    expect(unused.weight.grad).toBeNull();
  });

  it('forward(x) and call(x) compute the same thing', () => {
    const rng = new RandomState(6);
    const model = new nn.Sequential(new nn.Linear(3, 2, { rng }), new nn.Tanh());
    const x = leaf(rng, [4, 3], -1, 1, false);
    expectBits(model.call(x).data, model.forward(x).data, 'call vs forward');
    expect(model.call(x).shape).toEqual([4, 2]);
  });

  it('train() and eval() set the flag on every module below, recursively, and return the module', () => {
    const inner = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
    const model = new nn.Sequential(inner, new nn.Linear(2, 1), new nn.Sigmoid());
    const all = [model, inner, inner[0], inner[1], model[1], model[2]];
    all.forEach((m) => expect(m.training).toBe(true));
    expect(model.eval()).toBe(model);
    all.forEach((m, i) => expect(m.training, `module ${i} after eval()`).toBe(false));
    expect(model.train()).toBe(model);
    all.forEach((m, i) => expect(m.training, `module ${i} after train()`).toBe(true));
    model.train(false);
    all.forEach((m, i) => expect(m.training, `module ${i} after train(false)`).toBe(false));
    inner.train();
    expect([model.training, inner.training, inner[0].training, model[1].training]).toEqual([false, true, true, false]);
  });
});

describe('nn.Linear', () => {
  it('stores the weight [in, out] so that x.matmul(W) + b maps a batch [m, in] to [m, out]', () => {
    const rng = new RandomState(7);
    const lin = new nn.Linear(3, 2, { rng });
    expect(lin.weight.shape).toEqual([3, 2]);
    expect(lin.bias!.shape).toEqual([2]);
    expect([lin.inFeatures, lin.outFeatures]).toEqual([3, 2]);
    expect(lin.weight.requiresGrad && lin.bias!.requiresGrad).toBe(true);
    const x = leaf(rng, [4, 3], -2, 2, false);
    const y = lin.forward(x);
    expect(y.shape).toEqual([4, 2]);
    const X = x.data, W = lin.weight.data, b = lin.bias!.data;
    const want: number[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) want.push(X[i * 3] * W[j] + X[i * 3 + 1] * W[2 + j] + X[i * 3 + 2] * W[4 + j] + b[j]);
    expectClose(y.data, want, { rtol: 5e-15, atol: 5e-15 }, 'xW + b');
    const noBias = new nn.Linear(3, 2, { rng, bias: false });
    expect(noBias.bias).toBeNull();
    const y2 = noBias.forward(x).data, W2 = noBias.weight.data;
    const want2: number[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) want2.push(X[i * 3] * W2[j] + X[i * 3 + 1] * W2[2 + j] + X[i * 3 + 2] * W2[4 + j]);
    expectClose(y2, want2, { rtol: 5e-15, atol: 5e-15 }, 'xW');
  });

  it("init 'uniform' (the default) is NumPy's 2*np.random.random((in, out)) - 1 for seed 1, then the bias", () => {
    const lin = new nn.Linear(3, 4, { rng: new RandomState(1) });
    expectBits(lin.weight.data, NP_W, 'weight vs NumPy');
    expectBits(lin.bias!.data, NP_B, 'bias vs NumPy');
    // the same, spelled as the documents: 2·r − 1 of the generator's draws, weights first
    const r = new RandomState(1).random([16]);
    expectBits(lin.weight.data, Array.from(r.subarray(0, 12), (v) => 2 * v - 1), 'weight vs 2r − 1');
    expectBits(lin.bias!.data, Array.from(r.subarray(12), (v) => 2 * v - 1), 'bias vs 2r − 1');
  });

  it('uses the global generator (manualSeed) when no rng is given', () => {
    manualSeed(1);
    const lin = new nn.Linear(3, 4);
    expectBits(lin.weight.data, NP_W, 'weight after manualSeed(1)');
    expectBits(lin.bias!.data, NP_B, 'bias after manualSeed(1)');
    manualSeed(0);
  });

  it('bias: false draws nothing for the bias: the next layer continues the NumPy stream', () => {
    const rng = new RandomState(1);
    const lin = new nn.Linear(3, 4, { rng, bias: false });
    expectBits(lin.weight.data, NP_W, 'weight');
    expect(rng.random()).toBe(SEED1_13TH); // exactly 12 draws were taken
    const rng2 = new RandomState(1);
    new nn.Linear(3, 4, { rng: rng2, bias: false });
    const next = new nn.Linear(4, 1, { rng: rng2, bias: false });
    expectBits(next.weight.data, NP_B, 'second layer = the documents\' syn1');
  });

  for (const [init, bound] of [['xavier', (i: number, o: number) => Math.sqrt(6 / (i + o))], ['he', (i: number) => Math.sqrt(6 / i)]] as const) {
    it(`init '${init}': U[−a, a) with a = ${init === 'xavier' ? '√(6/(in+out))' : '√(6/in)'}, bias 0, reproducible per seed`, () => {
      for (const [fin, fout] of [[50, 30], [3, 4], [200, 1]]) {
        const a = bound(fin, fout);
        const lin = new nn.Linear(fin, fout, { init, rng: new RandomState(11) });
        const w = Array.from(lin.weight.data);
        const maxAbs = Math.max(...w.map(Math.abs));
        expect(maxAbs, `in=${fin} out=${fout}: all |w| < a = ${a}`).toBeLessThan(a);
        expect(maxAbs, `in=${fin} out=${fout}: not all tiny`).toBeGreaterThan(0.5 * a);
        // the draws are −a + 2a·r of the generator, in row-major order
        const r = new RandomState(11).random([fin * fout]);
        expectClose(w, Array.from(r, (v) => -a + 2 * a * v), { atol: 1e-15 * a }, `in=${fin} out=${fout}: −a + 2a·r`);
        expect(Array.from(lin.bias!.data)).toEqual(new Array(fout).fill(0));
        const again = new nn.Linear(fin, fout, { init, rng: new RandomState(11) });
        expectBits(again.weight.data, w, 'same seed, same weights');
        const other = new nn.Linear(fin, fout, { init, rng: new RandomState(12) });
        expect(Array.from(other.weight.data)).not.toEqual(w);
      }
    });
  }

  it('xavier and he differ where their bounds differ (in=50, out=30)', () => {
    const xa = Math.sqrt(6 / 80);
    const he = new nn.Linear(50, 30, { init: 'he', rng: new RandomState(2) });
    expect(Math.max(...Array.from(he.weight.data, Math.abs))).toBeGreaterThan(xa);
  });

  it('bad init and bad sizes throw', () => {
    expect(() => new nn.Linear(3, 4, { init: 'normal' as nn.Init })).toThrow(/unknown init 'normal'/);
    for (const [i, o] of [[0, 4], [3, 0], [-1, 2], [2.5, 2], [2, Number.NaN], [Infinity, 1]]) {
      expect(() => new nn.Linear(i, o), `in=${i}, out=${o}`).toThrow(/Linear: features must be positive integers/);
    }
  });

  it('gradcheck: weight, bias and input, with and without bias, 2-D and batched 3-D input', () => {
    const rng = new RandomState(21);
    for (const bias of [true, false]) {
      for (const xShape of [[5, 3], [2, 4, 3], [1, 3]]) {
        const lin = new nn.Linear(3, 4, { rng, bias });
        const x = leaf(rng, xShape, -2, 2);
        const inputs = bias ? [x, lin.weight, lin.bias!] : [x, lin.weight];
        const r = gradcheck((xx) => lin.forward(xx), inputs);
        expect(r.ok, `bias=${bias} x=${xShape}: ${r.message}`).toBe(true);
        // and through an activation, so the check does not only see a linear map
        const r2 = gradcheck((xx) => lin.forward(xx).sigmoid(), inputs);
        expect(r2.ok, `sigmoid∘Linear bias=${bias} x=${xShape}: ${r2.message}`).toBe(true);
      }
    }
  });
});

describe('activation modules', () => {
  const xs = [-3, -0.5, -1e-300, 0, 1e-300, 0.25, 2, 40, -40];
  const x = tensor(xs);
  it('Sigmoid, Tanh and ReLU compute σ, tanh and max(x, 0) and have no parameters', () => {
    expectClose(new nn.Sigmoid().forward(x).data, xs.map(sigma), { rtol: 1e-15 }, 'sigmoid');
    expectClose(new nn.Tanh().forward(x).data, xs.map(Math.tanh), { rtol: 1e-15 }, 'tanh');
    expectBits(new nn.ReLU().forward(x).data, xs.map((v) => (v > 0 ? v : 0)), 'relu');
    for (const m of [new nn.Sigmoid(), new nn.Tanh(), new nn.ReLU()]) expect(m.parameters()).toEqual([]);
  });
  it('their gradients are σ(1 − σ), 1 − tanh² and the step function', () => {
    for (const [m, d] of [
      [new nn.Sigmoid(), (v: number) => sigma(v) * (1 - sigma(v))],
      [new nn.Tanh(), (v: number) => 1 - Math.tanh(v) ** 2],
      [new nn.ReLU(), (v: number) => (v > 0 ? 1 : 0)],
    ] as const) {
      const t = tensor(xs, { requiresGrad: true });
      m.forward(t).sum().backward();
      expectClose(t.grad!.data, xs.map(d), { rtol: 1e-14 }, m.constructor.name);
    }
  });
  it('Sequential applies its layers in order', () => {
    const rng = new RandomState(8);
    const lin = new nn.Linear(2, 2, { rng });
    const xx = leaf(rng, [3, 2], -1, 1, false);
    const h = Array.from(lin.forward(xx).data);
    expectBits(new nn.Sequential(lin, new nn.ReLU(), new nn.Tanh()).forward(xx).data, h.map((v) => Math.tanh(v > 0 ? v : 0)), 'tanh(relu(lin x))');
    expectBits(new nn.Sequential(lin, new nn.Tanh(), new nn.ReLU()).forward(xx).data, h.map((v) => Math.max(Math.tanh(v), 0)), 'relu(tanh(lin x))');
    expect(new nn.Sequential().forward(xx)).toBe(xx);
  });
});

describe('stateDict / loadStateDict', () => {
  const build = (seed: number): nn.Sequential => {
    const rng = new RandomState(seed);
    return new nn.Sequential(new nn.Linear(3, 5, { rng, init: 'xavier' }), new nn.Tanh(), new nn.Linear(5, 2, { rng }), new nn.Sigmoid());
  };
  const perturb = (m: nn.Module, seed: number): void => {
    // xavier leaves the first bias at 0: give every parameter random, non-round values
    const rng = new RandomState(seed);
    for (const p of m.parameters()) p.data.set(rng.uniform(-1.3, 1.3, p.shape).map((v) => v * Math.PI));
  };

  it('is plain JSON-serialisable data: names, shapes and values (a snapshot)', () => {
    const model = build(1);
    perturb(model, 2);
    const sd = model.stateDict();
    expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(sd['0.weight'].shape).toEqual([3, 5]);
    expect(sd['2.bias'].shape).toEqual([2]);
    for (const [name, p] of model.namedParameters()) {
      expect(Array.isArray(sd[name].data), name).toBe(true);
      expect(Array.isArray(sd[name].shape), name).toBe(true);
      expectBits(sd[name].data, p.data, name);
    }
    const round = JSON.parse(JSON.stringify(sd));
    expect(round).toEqual(sd);
    expect(Object.getPrototypeOf(sd)).toBe(Object.prototype);
    // changing the model afterwards does not change the saved values
    const before = [...sd['0.weight'].data];
    model.parameters()[0].data[0] += 1;
    expect(sd['0.weight'].data).toEqual(before);
  });

  it('a JSON round trip then loadStateDict reproduces the predictions bit for bit', () => {
    const model = build(1);
    perturb(model, 3);
    const text = JSON.stringify(model.stateDict());
    const copy = build(99); // different initial weights
    const x = leaf(new RandomState(4), [7, 3], -3, 3, false);
    expect(Array.from(copy.forward(x).data)).not.toEqual(Array.from(model.forward(x).data));
    const keep = copy.parameters().map((p) => p.data);
    copy.loadStateDict(JSON.parse(text));
    copy.parameters().forEach((p, i) => expect(p.data, 'loaded in place').toBe(keep[i]));
    model.parameters().forEach((p, i) => expectBits(copy.parameters()[i].data, p.data, `parameter ${i}`));
    expectBits(copy.forward(x).data, model.forward(x).data, 'predictions');
  });

  it('missing key, wrong shape and unexpected key throw naming the parameter, and load nothing', () => {
    const model = build(1);
    const snapshot = () => model.parameters().map((p) => Array.from(p.data));
    const before = snapshot();
    const good = () => JSON.parse(JSON.stringify(build(5).stateDict())) as nn.StateDict;

    const missing = good();
    delete missing['2.bias'];
    expect(() => model.loadStateDict(missing)).toThrow(/missing key '2\.bias'/);

    const wrongShape = good();
    wrongShape['0.weight'] = { shape: [5, 3], data: wrongShape['0.weight'].data };
    expect(() => model.loadStateDict(wrongShape)).toThrow(/'0\.weight' has shape \[5, 3\].*expected \[3, 5\]/);

    const wrongLength = good();
    wrongLength['2.bias'].data.push(1);
    expect(() => model.loadStateDict(wrongLength)).toThrow(/'2\.bias'.*3 values, expected \[2\]/);

    const extra = good();
    extra['4.weight'] = { shape: [1], data: [1] };
    expect(() => model.loadStateDict(extra)).toThrow(/unexpected key '4\.weight'/);

    expect(snapshot()).toEqual(before);
  });
});

describe("the documents' 3-4-1 sigmoid XOR network", () => {
  const X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]];
  const Y = [0, 1, 1, 0];

  /** The documents' forward and backward in plain loops; `logLoss` swaps the marked line for l2_delta = l2 − y. */
  function deltaRule(W0: number[][], W1: number[], logLoss: boolean): { dW0: number[][]; dW1: number[]; l2: number[] } {
    const l1 = X.map((x) => [0, 1, 2, 3].map((j) => sigma(x[0] * W0[0][j] + x[1] * W0[1][j] + x[2] * W0[2][j])));
    const l2 = l1.map((h) => sigma(h[0] * W1[0] + h[1] * W1[1] + h[2] * W1[2] + h[3] * W1[3]));
    const l2d = l2.map((a, i) => (logLoss ? a - Y[i] : (a - Y[i]) * a * (1 - a)));
    const l1d = l1.map((h, i) => h.map((a, j) => l2d[i] * W1[j] * a * (1 - a)));
    const dW1 = [0, 1, 2, 3].map((j) => l1.reduce((s, h, i) => s + h[j] * l2d[i], 0));
    const dW0 = [0, 1, 2].map((k) => [0, 1, 2, 3].map((j) => X.reduce((s, x, i) => s + x[k] * l1d[i][j], 0)));
    return { dW0, dW1, l2 };
  }

  const network = (rng: RandomState): nn.Sequential =>
    new nn.Sequential(new nn.Linear(3, 4, { bias: false, rng }), new nn.Sigmoid(), new nn.Linear(4, 1, { bias: false, rng }), new nn.Sigmoid());

  it('seed 1 gives the weights of the NumPy program (syn0, then syn1)', () => {
    const model = network(new RandomState(1));
    const [w0, w1] = model.parameters();
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '2.weight']);
    expectBits(w0.data, NP_W, 'syn0');
    expectBits(w1.data, NP_B, 'syn1');
  });

  for (const seed of [1, 2, 42]) {
    for (const logLoss of [false, true]) {
      it(`seed ${seed}: autograd weight gradients equal the delta rule for ${logLoss ? 'the summed log loss' : '½Σ(y − l2)²'}`, () => {
        const model = network(new RandomState(seed));
        const [w0, w1] = model.parameters();
        const W0 = [0, 1, 2].map((k) => Array.from(w0.data.subarray(k * 4, k * 4 + 4)));
        const W1 = Array.from(w1.data);
        const x = tensor(X), y = tensor(Y.map((v) => [v]));
        const out = model.forward(x);
        const loss = logLoss ? nn.bceLoss(out, y, { reduction: 'sum' }) : nn.mseLoss(out, y, { reduction: 'sum' }).mul(0.5);
        loss.backward();

        const want = deltaRule(W0, W1, logLoss);
        expectClose(out.data, want.l2, { rtol: 1e-14 }, 'l2');
        const wantLoss = logLoss
          ? -Y.reduce((s, t, i) => s + t * Math.log(want.l2[i]) + (1 - t) * Math.log(1 - want.l2[i]), 0)
          : 0.5 * Y.reduce((s, t, i) => s + (t - want.l2[i]) ** 2, 0);
        expectClose([loss.item()], [wantLoss], { rtol: 1e-13 }, 'loss');
        // relative to the largest entry: single entries may cancel towards 0 across the four examples
        expectClose(w1.grad!.data, want.dW1, { atol: 1e-12 * maxAbs(want.dW1) }, 'dW1');
        expectClose(w0.grad!.data, want.dW0.flat(), { atol: 1e-12 * maxAbs(want.dW0.flat()) }, 'dW0');
      });
    }
  }
});

describe('loadStateDict malformed entries', () => {
  it('names the parameter when an entry is not { shape, data } of numbers', () => {
    const m = new nn.Linear(2, 1, { rng: new RandomState(3) });
    const good = m.stateDict();
    expect(() => m.loadStateDict({ ...good, weight: { data: [1, 2] } as never })).toThrow(/loadStateDict: 'weight' must be/);
    expect(() => m.loadStateDict({ ...good, bias: { shape: [1], data: [null as unknown as number] } })).toThrow(/'bias'/);
  });
});

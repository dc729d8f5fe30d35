// Forward mode: jvp against reverse mode (the forward and reverse Jacobians agree, and vᵀ·(J·t) = (Jᵀ·v)ᵀ·t) and
// against central differences along the tangent, for every op that has a tangent rule, over broadcasting shapes
// and random programs; forward-over-reverse against today's hvp; and the refusals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropyWithLogits, cat, compile, defineOp, squaredError, dropout, grad, hvp, jacobian, jvp, linear, maximum, minimum, nn, noGrad, RandomState, stack, Tensor, vmap, where, type Shape,
} from '../src/index.ts';
import { expectClose } from './expect-close.ts';
import { input, signed, distinct } from './op-inputs.ts';
import { programs } from './random-programs.ts';

const idx = (v: number[], shape: Shape): Tensor => Tensor.from(Float64Array.from(v), shape);
const tangentsFor = (xs: Tensor[], seed: number): Tensor[] => xs.map((x, i) => input([...x.shape], -1, 1, seed + i).detach());

/** (f(x + εt) − f(x − εt)) / 2ε, in float64. */
function centralDifference(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], ts: Tensor[], eps = 1e-6): Tensor {
  const at = (s: number): Tensor => noGrad(() => f(...xs.map((x, i) => x.detach().add(ts[i].mul(s * eps)))));
  return noGrad(() => at(1).sub(at(-1)).div(2 * eps));
}

/** jvp's value and tangent: the value is f's, the tangent agrees with differences and with reverse mode. */
function checkJvp(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], seed = 1000, atol = 1e-7): void {
  const ts = tangentsFor(xs, seed);
  const [y, dy] = jvp(f, xs, ts);
  expectClose(y, noGrad(() => f(...xs.map((x) => x.detach()))), { rtol: 0, atol: 0 });
  expect(dy.shape).toEqual(y.shape);
  expectClose(dy, centralDifference(f, xs, ts), { rtol: 1e-6, atol });
  // Reverse mode: for a weighting v of the output, vᵀ·(J·t) = Σᵢ (Jᵢᵀ·v)·tᵢ.
  const leaves = xs.map((x) => Tensor.from(Float64Array.from(x.data), [...x.shape], { requiresGrad: true }));
  const out = f(...leaves);
  const v = input([...out.shape], 0.5, 1.5, seed + 99).detach();
  if (!out.requiresGrad) return expectClose(dy, noGrad(() => dy.mul(0)), { rtol: 0, atol: 0 });
  const gs = grad(out, leaves, { gradOutputs: v, allowUnused: true });
  const reverse = gs.reduce((s, g, i) => s + (g === null ? 0 : g.mul(ts[i]).sum().item()), 0);
  expect(dy.mul(v).sum().item()).toBeCloseTo(reverse, 10);
}

describe('jvp of each op against differences and reverse mode', () => {
  const PAIRS: [Shape, Shape][] = [[[3, 4], [3, 4]], [[3, 4], []], [[], [3, 4]], [[4], [3, 4]], [[3, 1], [1, 4]], [[2, 1, 3], [4, 1]]];
  const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, [number, number], [number, number]][] = [
    ['add', (a, b) => a.add(b), [-2, 2], [-2, 2]],
    ['sub', (a, b) => a.sub(b), [-2, 2], [-2, 2]],
    ['mul', (a, b) => a.mul(b), [-2, 2], [-2, 2]],
    ['div', (a, b) => a.div(b), [-2, 2], [0.5, 2]],
    ['pow', (a, b) => a.pow(b), [0.5, 2], [-1.5, 1.5]],
    ['maximum', (a, b) => maximum(a, b), [-2, 2], [-2, 2]],
    ['minimum', (a, b) => minimum(a, b), [-2, 2], [-2, 2]],
    ['where', (a, b) => where(a.gt(0), a, b), [-2, 2], [-2, 2]],
    ['squaredError', (a, b) => squaredError(a, b), [-2, 2], [-2, 2]],
    ['binaryCrossEntropyWithLogits', (a, b) => binaryCrossEntropyWithLogits(a, b), [-2, 2], [0, 1]],
  ];
  it.each(BINARY.flatMap(([name, f, da, db]) => PAIRS.map((p, k) => [name, p, f, da, db, k] as const)))('%s on %j', (_n, [sa, sb], f, da, db, k) => {
    checkJvp(f, [input(sa, da[0], da[1], 10 + k), input(sb, db[0], db[1], 20 + k)]);
  });

  const UNARY: [string, (x: Tensor) => Tensor, (s: Shape, k: number) => Tensor][] = [
    ['neg', (x) => x.neg(), (s, k) => input(s, -2, 2, k)],
    ['exp', (x) => x.exp(), (s, k) => input(s, -2, 2, k)],
    ['log', (x) => x.log(), (s, k) => input(s, 0.2, 3, k)],
    ['sigmoid', (x) => x.sigmoid(), (s, k) => input(s, -6, 6, k)],
    ['tanh', (x) => x.tanh(), (s, k) => input(s, -3, 3, k)],
    ['relu', (x) => x.relu(), (s, k) => signed(s, 0.05, 2, k)],
    ['abs', (x) => x.abs(), (s, k) => signed(s, 0.05, 2, k)],
    ['sign', (x) => x.sign().add(x), (s, k) => signed(s, 0.05, 2, k)],
    ['sqrt', (x) => x.sqrt(), (s, k) => input(s, 0.2, 3, k)],
    ['square', (x) => x.square(), (s, k) => input(s, -2, 2, k)],
    ['sin', (x) => x.sin(), (s, k) => input(s, -3, 3, k)],
    ['cos', (x) => x.cos(), (s, k) => input(s, -3, 3, k)],
    ['log1p', (x) => x.log1p(), (s, k) => input(s, -0.5, 2, k)],
    ['expm1', (x) => x.expm1(), (s, k) => input(s, -2, 2, k)],
    ['softplus', (x) => x.softplus(), (s, k) => input(s, -4, 4, k)],
    ['clamp', (x) => x.clamp(-0.5, 0.5), (s, k) => signed(s, 0.05, 0.45, k)],
    ['softmax', (x) => x.softmax(-1), (s, k) => input(s, -2, 2, k)],
    ['logSoftmax', (x) => x.logSoftmax(0), (s, k) => input(s, -2, 2, k)],
    ['sum', (x) => x.sum(), (s, k) => input(s, -2, 2, k)],
    ['mean(keepdim)', (x) => x.mean(undefined, true), (s, k) => input(s, -2, 2, k)],
    ['max', (x) => x.max(), (s, k) => distinct(s, k)],
    ['min', (x) => x.min(), (s, k) => distinct(s, k)],
    ['clone', (x) => x.clone().mul(x), (s, k) => input(s, -2, 2, k)],
    ['dropout', (x) => dropout(x, 0.4, { rng: new RandomState(7) }), (s, k) => input(s, -2, 2, k)],
  ];
  const SHAPES: Shape[] = [[], [5], [3, 4], [2, 1, 3]];
  it.each(UNARY.flatMap(([name, f, gen]) => SHAPES.map((s, k) => [name, s, f, gen, 30 + k] as const)))('%s on %j', (_n, s, f, gen, k) => {
    checkJvp(f, [gen(s, k)]);
  });

  it('reductions along an axis: sum, mean, max, min', () => {
    checkJvp((x) => x.sum(1), [input([3, 4], -1, 1, 43)]);
    checkJvp((x) => x.mean(0, true), [input([3, 4], -1, 1, 44)]);
    checkJvp((x) => x.max(-1), [distinct([2, 3, 4], 45)]);
    checkJvp((x) => x.min(0, true), [distinct([3, 4], 46)]);
  });
  it('max and min over several axes, and over none', () => {
    checkJvp((x) => x.max([0, 2]), [distinct([2, 3, 4], 40)]);
    checkJvp((x) => x.min([0, 1], true), [distinct([2, 3, 4], 41)]);
    checkJvp((x) => x.max([]), [distinct([2, 3], 42)]);
  });
  it('matmul: 2-D, batched with broadcasting, transposed operands, the same tensor twice', () => {
    checkJvp((a, b) => a.matmul(b), [input([3, 4], -1, 1, 50), input([4, 2], -1, 1, 51)]);
    checkJvp((a, b) => a.matmul(b), [input([2, 3, 4], -1, 1, 52), input([4, 5], -1, 1, 53)]);
    checkJvp((a, b) => a.matmul(b), [input([3, 4], -1, 1, 54), input([2, 1, 4, 5], -1, 1, 55)]);
    checkJvp((a, b) => a.T.matmul(b.T), [input([4, 3], -1, 1, 56), input([2, 4], -1, 1, 57)]);
    checkJvp((a) => a.matmul(a.T), [input([3, 4], -1, 1, 58)]);
  });
  it('linear: each input alone, all together, x of 1 and 3 dims', () => {
    const x = input([5, 3], -1, 1, 60), w = input([3, 4], -1, 1, 61), b = input([4], -1, 1, 62);
    checkJvp((x, w, b) => linear(x, w, b), [x, w, b]);
    checkJvp((w, b) => linear(x.detach(), w, b), [w, b]); // the single-op form
    checkJvp((w) => linear(x.detach(), w, b.detach()), [w]);
    checkJvp((b) => linear(x.detach(), w.detach(), b), [b]);
    checkJvp((x) => linear(x, w.detach(), b.detach()), [input([2, 5, 3], -1, 1, 63)]);
    checkJvp((x, w) => linear(x, w, b.detach()), [input([3], -1, 1, 64), w]);
  });
  it('movement: reshape, permute, transpose, expand, unsqueeze, squeeze, flatten', () => {
    const x = input([2, 3, 4], -1, 1, 70);
    checkJvp((t) => t.reshape([4, -1]).square(), [x]);
    checkJvp((t) => t.permute([2, 0, 1]).mul(t.permute([2, 0, 1])), [x]);
    checkJvp((t) => t.reshape([6, 4]).transpose().sin(), [x]);
    checkJvp((t) => t.sum(0).expand([5, 3, 4]).square(), [x]);
    checkJvp((t) => t.unsqueeze(1).squeeze().flatten(), [x]);
  });
  it('slicing and joining: narrow, select, slice, cat, stack, split', () => {
    const x = input([4, 5], -1, 1, 80), y = input([2, 5], -1, 1, 81);
    checkJvp((t) => t.narrow(1, 1, 3).square(), [x]);
    checkJvp((t) => t.select(0, 2).mul(t.select(0, -1)), [x]);
    checkJvp((t) => t.slice([1, 4, 2], [0, 5, 3]).exp(), [x]);
    checkJvp((a, b) => cat([a, b, a], 0).square(), [x, y]);
    checkJvp((a) => cat([a, y.detach()], 0).square(), [x]); // an input without a tangent: zeros in its place
    checkJvp((a, b) => stack([a, b], 1).square(), [y, input([2, 5], -1, 1, 82)]);
    checkJvp((t) => { const [a, b] = t.split([1, 3], 0); return a.mul(b.sum(0)); }, [x]);
  });
  it('gathering: gather, indexSelect, scatterAdd', () => {
    const x = input([3, 4], -1, 1, 90), src = input([2, 5], -1, 1, 91);
    checkJvp((t) => t.gather(1, idx([0, 0, 3, 2, 1, 1, 1, 0, 3], [3, 3])).square(), [x]);
    checkJvp((t) => t.indexSelect(0, [2, 2, 1]).sin(), [x]);
    checkJvp((t, s) => t.scatterAdd(1, idx([0, 0, 3, 1, 2, 2], [2, 3]), s).square(), [x, src]);
  });
  it('losses, summed and per element, with a tangent on the prediction, the target, or both', () => {
    const p = input([4, 3], 0.1, 0.9, 100), y = input([4, 3], 0, 1, 101), z = input([4, 3], -3, 3, 102);
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      checkJvp((a, b) => nn.mseLoss(a, b, { reduction }), [z, y]);
      checkJvp((a) => nn.bceLoss(a, y.detach(), { reduction }), [p]);
      checkJvp((a, b) => nn.bceLoss(a, b, { reduction }), [p, y]);
      checkJvp((a, b) => nn.bceWithLogitsLoss(a, b, { reduction }), [z, y]);
      checkJvp((a) => nn.crossEntropyLoss(a, idx([2, 0, 1, 2], [4]), { reduction, labelSmoothing: 0.1 }), [z]);
      checkJvp((a) => nn.nllLoss(a.logSoftmax(1), idx([2, 0, 1, 1], [4]), { reduction }), [z]);
    }
  });
  it('an MLP with respect to its parameters and its input', () => {
    const model = new nn.Sequential(new nn.Linear(3, 5, { rng: new RandomState(1) }), new nn.Tanh(), new nn.Linear(5, 2, { rng: new RandomState(2) }));
    const [w1, b1, w2, b2] = model.parameters();
    const x = input([4, 3], -1, 1, 110);
    checkJvp((a, b, c, d, t) => linear(linear(t, a, b).tanh(), c, d).softmax(-1), [w1, b1, w2, b2, x]);
  });
});

describe('a custom op (defineOp) with a tangent rule', () => {
  // x·y², its rules and its tangent y²·dx + 2xy·dy written by hand
  const spec = {
    name: 'xyy',
    forward: (out: Float64Array, a: Float64Array, b: Float64Array) => { for (let i = 0; i < out.length; i++) out[i] = a[i]! * b[i]! ** 2; },
    grads: [(g: Tensor, [, b]: Tensor[]) => g.mul(b!.square()), (g: Tensor, [a, b]: Tensor[]) => g.mul(a!.mul(b!).mul(2))],
  };
  it('jvp through it agrees with differences and reverse mode, alone and inside a larger function', () => {
    const xyy = defineOp({ ...spec, tangent: ([ta, tb], [a, b]) => {
      const parts = [ta && ta.mul(b!.square()), tb && tb.mul(a!.mul(b!).mul(2))].filter((t): t is Tensor => t !== null);
      return parts.reduce((p, q) => p.add(q));
    } });
    const [a, b] = [input([2, 3], -1, 1, 300), input([2, 3], -1, 1, 301)];
    checkJvp((u, v) => xyy(u, v), [a, b]);
    checkJvp((u, v) => xyy(u.tanh(), v.mul(u)).softmax(-1), [a, b]);
    checkJvp((u) => xyy(u, b), [a]); // b carries no tangent: the rule sees null for it
  });
  it('a tangent rule that returns the wrong shape, or no tensor, is named', () => {
    const bad = defineOp({ ...spec, tangent: ([ta]) => ta!.sum() });
    const [a, b] = [input([2, 3], -1, 1, 302), input([2, 3], -1, 1, 303)];
    expect(() => jvp((u) => bad(u, b), [a], [a])).toThrow('xyy: the tangent rule returned shape [], not a tensor of shape [2, 3]');
    expect(() => defineOp({ ...spec, tangent: 3 as unknown as () => Tensor })).toThrow('defineOp: tangent must be a rule (tangents, inputs, out) => tensor, got number 3');
  });
});

describe('forward mode through the public transforms', () => {
  it('jacobian by forward and by reverse mode agree, for one input and for several', () => {
    const f = (x: Tensor): Tensor => x.matmul(x.T).softmax(-1).logSoftmax(0).max(1).add(x.sigmoid().mean(1));
    const x = input([3, 4], -1, 1, 200);
    expectClose(jacobian(f, x, { mode: 'forward' }), jacobian(f, x), { rtol: 1e-12, atol: 1e-14 });
    const g = (a: Tensor, b: Tensor): Tensor => a.matmul(b).tanh();
    const ab = [input([2, 3], -1, 1, 201), input([3, 2], -1, 1, 202)];
    jacobian(g, ab, { mode: 'forward' }).forEach((J, i) => expectClose(J, jacobian(g, ab)[i], { rtol: 1e-12, atol: 1e-14 }));
    expect(jacobian((t) => t.sum(), input([2, 3], -1, 1, 203), { mode: 'forward' }).shape).toEqual([2, 3]);
  });
  it('forward-over-reverse: a jvp of a gradient is the hvp of reverse-over-reverse', () => {
    const fs: ((x: Tensor) => Tensor)[] = [
      (x) => x.matmul(x.T).tanh().pow(3).sum(),
      (x) => nn.bceWithLogitsLoss(x.sum(1), idx([1, 0, 1], [3])).add(x.sigmoid().square().mean()),
      (x) => nn.mseLoss(x.softmax(-1).log1p(), x.mul(0.5).exp()).add(x.max(1).sqrt().sum()),
      (x) => nn.crossEntropyLoss(x, idx([3, 0, 2], [3])).add(x.narrow(1, 1, 2).abs().pow(1.5).sum()),
    ];
    const x = signed([3, 4], 0.2, 1.5, 210), v = input([3, 4], -1, 1, 211).detach();
    for (const f of fs) {
      const [, reverse] = hvp(f, x, v);
      const [, forward] = jvp((z: Tensor) => grad(f(z), z)[0]!, [x], [v]);
      expectClose(forward, reverse, { rtol: 1e-12, atol: 1e-13 });
    }
  });
  it('reverse-over-forward: the jvp output is in the graph, and its gradient is H·t', () => {
    const x = input([4], -1, 1, 220), t = input([4], -1, 1, 221).detach();
    const f = (z: Tensor): Tensor => z.exp().mul(z).sum();
    const [, d] = jvp(f, [x], [t]);
    const [g] = grad(d, x);
    expectClose(g!, hvp(f, x, t)[1], { rtol: 1e-12, atol: 1e-14 });
  });
  it('a function returning several outputs; an output without a tangent gets zeros; a tensor captured from outside is a constant', () => {
    const x = input([3], -1, 1, 230), c = input([3], -1, 1, 231);
    const [outs, ds] = jvp((z: Tensor) => [z.square(), c.exp(), z.mul(c)], [x], [Tensor.from(Float64Array.of(1, 1, 1), [3])]);
    expect(outs.length).toBe(3);
    expectClose(ds[0], x.mul(2).detach(), { rtol: 0, atol: 0 });
    expectClose(ds[1], c.mul(0).detach(), { rtol: 0, atol: 0 });
    expectClose(ds[2], c.detach(), { rtol: 0, atol: 0 });
    const [, dx] = jvp((z: Tensor) => z.add(x), [x], [Tensor.from(Float64Array.of(1, 2, 3), [3])]);
    expect(dx.toArray()).toEqual([1, 2, 3]); // the x added from outside is not the primal
  });
});

describe('jvp of random programs against differences and reverse mode', () => {
  it('every program of the property tests', () => {
    fc.assert(fc.property(programs, (p) => {
      const xs = p.leaves();
      checkJvp((...ys) => p.run(ys), xs, 300, 1e-7 + 1e-9 * p.magnitude());
    }), { seed: 20261204, numRuns: Number(process.env.PROPERTY_RUNS ?? 150) });
  });
});

describe('jvp refuses bad input, naming what is wrong', () => {
  const x = input([2, 3], -1, 1, 400);
  it('tangents whose shapes or number differ from the primals', () => {
    expect(() => jvp((t) => t.sum(), [x], [input([3, 2], -1, 1, 401)])).toThrow('jvp: tangent 0 has shape [3, 2], but its primal has shape [2, 3]');
    expect(() => jvp((t) => t.sum(), [x], [])).toThrow('jvp: got 0 tangents for 1 primals');
    expect(() => jvp((t) => t.sum(), [x], [[1, 2] as unknown as Tensor])).toThrow('jvp: tangent 0 must be a tensor');
    expect(() => jvp('f' as unknown as (t: Tensor) => Tensor, [x], [x])).toThrow("jvp: fn must be a function, got the string 'f'");
  });
  it('an op without a tangent rule, by name; the next jvp still works', () => {
    const cube = defineOp({ name: 'cube', forward: (out, a) => { for (let i = 0; i < a.length; i++) out[i] = a[i]! ** 3; }, grads: [(g, [a]) => g.mul(a!.square().mul(3))] });
    expect(() => jvp((t) => cube(t).sum(), [x], [x])).toThrow('jvp: cube has no tangent rule');
    expect(jvp((t) => t.sum(), [x], [x.detach().mul(0).add(1)])[1].item()).toBe(6);
  });
  it('an in-place change of a tensor that carries a tangent; nested jvp', () => {
    expect(() => jvp((t) => noGrad(() => t.mul(1).add_(1)), [x], [x])).toThrow('jvp: add_ would change a tensor in place (shape [2, 3]) where a tangent is carried');
    expect(() => jvp((t) => jvp((u) => u.sum(), [t], [t])[1], [x], [x])).toThrow('jvp: jvp inside jvp');
  });
  it('a function whose output is not a tensor', () => {
    expect(() => jvp(() => 3 as unknown as Tensor, [x], [x])).toThrow('jvp: output 0 must be a tensor, got number 3');
  });
});

describe('jvp and compile', () => {
  it('a compiled step refuses to run inside jvp (its replay would drop the tangents)', () => {
    const w = input([3], -1, 1, 500).detach();
    const step = compile((x: Tensor) => x.mul(w).sum());
    const x = input([3], -1, 1, 501).detach();
    step(x); step(x);
    expect(() => jvp((t) => step(t), [x], [x])).toThrow('compile: a compiled step replays its ops without the op door, so jvp cannot carry tangents');
  });
});

describe('jvp and vmap do not nest yet, and say so', () => {
  it('jvp inside vmap, and vmap inside jvp, are refused by name', () => {
    const x = input([3, 2], -1, 1, 600).detach();
    expect(() => vmap((r: Tensor) => jvp((t) => t.square().sum(), [r], [r])[1])(x)).toThrow('jvp: cannot run inside vmap');
    expect(() => jvp((t) => vmap((r: Tensor) => r.sum())(t), [x], [x])).toThrow('vmap: cannot run inside jvp');
  });
});

// compile(fn): the replayed training step computes what the eager step computes, and refuses what it could not
// replay faithfully.
import { describe, expect, it } from 'vitest';
import { compile, grad, nn, noGrad, optim, rand, RandomState, Tensor, tensor } from '../src/index.ts';
import { expectClose } from './expect-close.ts';

const X = tensor([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]), Y = tensor([[0], [1], [1], [0]]);

/** The documents' 3-4-1 XOR net (np.random.seed(1) weights) with SGD; a fresh copy each call. */
function xorNet(loss: 'mse' | 'bce'): { model: nn.Sequential; step: (x: Tensor, y: Tensor) => Tensor } {
  const rng = new RandomState(1);
  const l0 = new nn.Linear(3, 4, { bias: false, rng }), l1 = new nn.Linear(4, 1, { bias: false, rng });
  const model = new nn.Sequential(l0, new nn.Sigmoid(), l1, new nn.Sigmoid());
  const body = new nn.Sequential(l0, new nn.Sigmoid(), l1);
  const opt = new optim.SGD(model.parameters(), { lr: 1 });
  const step = (x: Tensor, y: Tensor): Tensor => {
    opt.zeroGrad();
    const l = loss === 'mse' ? nn.mseLoss(model.call(x), y, { reduction: 'sum' }).mul(0.5) : nn.bceWithLogitsLoss(body.call(x), y, { reduction: 'sum' });
    l.backward();
    opt.step();
    return l;
  };
  return { model, step };
}

/** The replay's parameters within 5e-13·(1 + |eager|) of the eager ones (this check had 1e-12·max(1, |eager|)). */
const expectSameParameters = (eager: Tensor[], replayed: Tensor[], what: string): void =>
  eager.forEach((p, k) => expectClose(replayed[k], p, { rtol: 5e-13, atol: 5e-13 }, `${what}: parameter ${k}`));

describe('compile: replayed steps equal eager steps', () => {
  it.each(['mse', 'bce'] as const)('the XOR net, %s, 1000 steps: every loss and weight agrees to 1e-12', (loss) => {
    const eager = xorNet(loss), traced = xorNet(loss);
    const step = compile(traced.step);
    for (let i = 0; i < 1000; i++) {
      const a = eager.step(X, Y).item(), b = step(X, Y).item();
      expectClose(b, a, { atol: 1e-12 }, `step ${i}: loss`);
      expectSameParameters(eager.model.parameters(), traced.model.parameters(), `step ${i}`);
    }
    expect(step.toSource()).toMatch(/function step\(\)/);
  });

  it('an MLP with biases, Adam-free SGD with momentum and weight decay, batches of new data each call', () => {
    const make = (): { model: nn.Sequential; opt: optim.SGD } => {
      const rng = new RandomState(5);
      const model = new nn.Sequential(new nn.Linear(6, 16, { init: 'xavier', rng }), new nn.Tanh(), new nn.Linear(16, 3, { init: 'xavier', rng }), new nn.Sigmoid());
      return { model, opt: new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }) };
    };
    const e = make(), c = make();
    const body = (m: typeof e) => (x: Tensor, y: Tensor): Tensor => {
      m.opt.zeroGrad();
      const l = nn.mseLoss(m.model.call(x), y);
      l.backward();
      m.opt.step();
      return l;
    };
    const eager = body(e), step = compile(body(c));
    const data = new RandomState(6);
    for (let i = 0; i < 60; i++) {
      const x = Tensor.from(data.uniform(-1, 1, [32, 6]), [32, 6]), y = Tensor.from(data.random([32, 3]), [32, 3]);
      const a = eager(x, y).item(), b = step(x, y).item();
      expectClose(b, a, { atol: 1e-12 }, `step ${i}: loss`);
    }
    expectSameParameters(e.model.parameters(), c.model.parameters(), 'after 60 steps');
  });

  it('new argument shapes trace again; results are copies the next call does not overwrite', () => {
    const w = tensor([[0.5], [-0.25]], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    const step = compile((x: Tensor, y: Tensor) => {
      opt.zeroGrad();
      const l = nn.mseLoss(x.matmul(w), y);
      l.backward();
      opt.step();
      return { loss: l, prediction: x.matmul(w).detach() };
    });
    const kept: { loss: Tensor; value: number; prediction: Tensor; values: number[] }[] = [];
    for (let i = 0; i < 40; i++) {
      const n = i % 2 === 0 ? 3 : 5; // two shapes, each traced once, interleaved
      const x = Tensor.from(Float64Array.from({ length: 2 * n }, (_, j) => Math.sin(j + i)), [n, 2]);
      const { loss, prediction } = step(x, x.matmul(tensor([[2], [1]])));
      expect(prediction.shape).toEqual([n, 1]);
      kept.push({ loss, value: loss.item(), prediction, values: Array.from(prediction.data) });
    }
    for (const k of kept) { // earlier results unchanged by later calls (copies)
      expect(k.loss.item()).toBe(k.value);
      expect(Array.from(k.prediction.data)).toEqual(k.values);
    }
    expect(kept[39].value).toBeLessThan(kept[1].value / 10);
  });

  it('elementwise chains, one-element operands made in the step, and a gradient with createGraph compute the eager values bit for bit', () => {
    const w = tensor([0.7], { requiresGrad: true }), v = tensor([[0.5, -1.5, 2]], { requiresGrad: true });
    const fn = (x: Tensor, y: Tensor): Tensor[] => {
      const c = x.sub(x.mean()).mul(w).add(v).tanh();     // a one-element mean read by every element
      const s = c.mul(c).sigmoid().mul(2).sub(y).square(); // a chain of one size
      const k = s.sum().mul(0.5).add(w.square().sum());    // one-element steps
      const loss = k.mul(s.mean()).add(c.sub(y).abs().mean());
      const [dw, dv] = grad([loss], [w, v], { createGraph: true });
      return [loss, dw!, dv!]; // the backward's rules, recorded
    };
    const step = compile(fn);
    for (let i = 0; i < 6; i++) {
      const x = Tensor.from(Float64Array.from({ length: 12 }, (_, j) => Math.sin(3 * j + i)), [4, 3]);
      const y = Tensor.from(Float64Array.from({ length: 12 }, (_, j) => Math.cos(j * i)), [4, 3]);
      const want = fn(x, y).map((t) => Array.from(t.data)), got = step(x, y).map((t) => Array.from(t.data));
      expect(got).toEqual(want);
    }
  });

  it('a replay reads the caller\'s argument as it is at each call, and writes it where fn writes it (as eager)', () => {
    const run = (f: (x: Tensor) => Tensor): number[] => {
      const x = tensor([1, 2, 3]), out: number[] = [];
      for (let i = 0; i < 6; i++) {
        x.data[0] = i; // the caller changes its tensor between calls
        out.push(f(x).item(), ...x.data);
      }
      return out;
    };
    const fn = (x: Tensor): Tensor => x.mul_(2).sum();
    expect(run(compile(fn))).toEqual(run(fn));
  });
});

describe('compile: optimizers, schedules, labels and random masks', () => {
  it('a softmax classifier with Adam, a StepLR schedule, dropout, and new labels at every call', () => {
    const make = (): { model: nn.Sequential; opt: optim.Adam; sched: optim.StepLR } => {
      const rng = new RandomState(11);
      const model = new nn.Sequential(new nn.Linear(2, 16, { init: 'he', rng }), new nn.ReLU(), new nn.Dropout(0.25, { rng: new RandomState(3) }),
        new nn.Linear(16, 3, { init: 'xavier', rng }));
      const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
      return { model, opt, sched: new optim.StepLR(opt, { stepSize: 7, gamma: 0.5 }) };
    };
    const e = make(), c = make();
    const body = (m: typeof e) => (x: Tensor, labels: Tensor): Tensor => {
      m.opt.zeroGrad();
      const l = nn.crossEntropyLoss(m.model.call(x), labels);
      l.backward();
      m.opt.step();
      return l;
    };
    const eager = body(e), step = compile(body(c));
    const data = new RandomState(12);
    for (let i = 0; i < 40; i++) {
      const x = Tensor.from(data.uniform(-1, 1, [24, 2]), [24, 2]);
      const labels = Tensor.from(Float64Array.from(data.random([24]), (u) => Math.floor(3 * u)), [24]);
      const a = eager(x, labels).item(), b = step(x, labels).item();
      expectClose(b, a, { atol: 1e-12 }, `step ${i}: loss`);
      e.sched.step();
      c.sched.step(); // a new lr each epoch: the replayed update reads it
    }
    expectSameParameters(e.model.parameters(), c.model.parameters(), 'after 40 steps');
    expect(c.opt.lr).toBe(0.05 * 0.5 ** 5);
  });

  it.each([0, 0.9])('the XOR net with SGD (momentum %s) and a cosine schedule: each replay reads the new lr', (momentum) => {
    const make = () => {
      const rng = new RandomState(1);
      const model = new nn.Sequential(new nn.Linear(3, 4, { bias: false, rng }), new nn.Sigmoid(), new nn.Linear(4, 1, { bias: false, rng }), new nn.Sigmoid());
      const opt = new optim.SGD(model.parameters(), { lr: 2, momentum });
      return { model, opt, sched: new optim.CosineAnnealingLR(opt, { tMax: 50 }) };
    };
    const e = make(), c = make();
    const body = (m: typeof e) => (x: Tensor, y: Tensor): Tensor => {
      m.opt.zeroGrad();
      const l = nn.bceLoss(m.model.call(x), y);
      l.backward();
      m.opt.step();
      return l;
    };
    const eager = body(e), step = compile(body(c));
    for (let i = 0; i < 60; i++) {
      const a = eager(X, Y).item(), b = step(X, Y).item();
      expectClose(b, a, { atol: 1e-12 }, `step ${i}: loss`);
      e.sched.step();
      c.sched.step();
    }
    expectSameParameters(e.model.parameters(), c.model.parameters(), 'after 60 steps');
    expect(c.opt.lr).toBe(e.opt.lr);
  });

  it.each([0, 0.9])('parameters of 128 values and more (momentum %s): the replay calls the run kernels, reads the new lr, and matches eager bit for bit', (momentum) => {
    // From 128 values the update (y += a·x), the zeroing of a gradient and a value expanded over a tensor are the
    // kernels' (runtime fill, unrolled loop), called by the replay instead of written out as loops.
    const make = () => {
      const rng = new RandomState(8);
      const model = new nn.Sequential(new nn.Linear(12, 16, { init: 'xavier', rng }), new nn.Sigmoid(), new nn.Linear(16, 8, { init: 'xavier', rng }));
      const opt = new optim.SGD(model.parameters(), { lr: 0.5, momentum });
      return { model, opt, sched: new optim.CosineAnnealingLR(opt, { tMax: 20 }) };
    };
    const e = make(), c = make();
    const body = (m: typeof e) => (x: Tensor, y: Tensor): Tensor => {
      m.opt.zeroGrad();
      const l = m.model.call(x).sub(y).pow(2).mean(); // its gradient: one value expanded over [16, 8]
      l.backward();
      m.opt.step();
      return l;
    };
    const eager = body(e), step = compile(body(c));
    const data = new RandomState(9);
    for (let i = 0; i < 30; i++) {
      const x = Tensor.from(data.uniform(-1, 1, [16, 12]), [16, 12]), y = Tensor.from(data.random([16, 8]), [16, 8]);
      expect(step(x, y).item()).toBe(eager(x, y).item());
      e.sched.step();
      c.sched.step();
    }
    c.model.parameters().forEach((p, k) => expect(p.data).toEqual(e.model.parameters()[k].data));
    // No fill, update or expanded value written out as a loop over 192 or 128 values (elementwise maps still are).
    const source = step.toSource();
    expect(source).not.toMatch(/i < (192|128); i\+\+\) s\d+\[o\d+ \+ i\] (= c\d+;|\+= a \*|= s\d+\[o\d+\];)/);
    for (const op of ['fill_', 'add_', 'expand']) expect(source).toMatch(new RegExp(`// \\d+: ${op}\\n\\s+r\\d+\\(\\);`));
  });

  it('an index out of range in a later call is still refused (the replay checks each call\'s labels)', () => {
    const w = tensor([[0.5, -0.5, 0.1]], { requiresGrad: true });
    const step = compile((x: Tensor, labels: Tensor) => nn.crossEntropyLoss(x.matmul(w), labels));
    const x = tensor([[1], [2]]);
    for (let i = 0; i < 4; i++) step(x, tensor([i % 3, 0]));
    expect(() => step(x, tensor([3, 0]))).toThrow(/^crossEntropyLoss: target 3 at position 0 is not a class index in \[0, 3\)/);
  });
});

describe('compile refuses what it cannot replay', () => {
  it('reading a value (item, .data, toArray) while tracing', () => {
    const w = tensor([1], { requiresGrad: true });
    const step = compile((x: Tensor) => {
      const l = x.mul(w).sum();
      if (l.item() > 0) l.backward(); // data-dependent control flow
      return l;
    });
    step(tensor([1])); // the first call runs as it is
    expect(() => step(tensor([1]))).toThrow(/^compile: the traced function reads tensor values \(item\(\)\)/);
    const viaData = compile((x: Tensor) => x.mul(x.data[0]));
    viaData(tensor([1]));
    expect(() => viaData(tensor([1]))).toThrow(/reads tensor values \(\.data\)/);
  });

  it('random draws while tracing', () => {
    const step = compile((x: Tensor) => x.add(rand([2])));
    step(tensor([1, 2]));
    expect(() => step(tensor([1, 2]))).toThrow(/^compile: the traced function draws random numbers \(rand\)/);
  });

  it('ops that change from call to call', () => {
    let calls = 0;
    const step = compile((x: Tensor) => (++calls % 2 === 0 ? x.exp() : x.neg()));
    step(tensor([1]));
    step(tensor([1]));
    expect(() => step(tensor([1]))).toThrow(/^compile: the function does not run the same tensor ops at each call.*op 1 \('exp'.*became 'neg'/);
  });

  it('a number that changes between calls', () => {
    let k = 1;
    const step = compile((x: Tensor) => x.mul(k++));
    step(tensor([1]));
    step(tensor([1]));
    expect(() => step(tensor([1]))).toThrow(/op 1 \('mul', shape \[1\]\) read other tensors/);
  });

  it('arguments that are not tensors, or require grad, and results that are not tensors', () => {
    const step = compile((x: Tensor) => x.mul(2));
    expect(() => step(3 as unknown as Tensor)).toThrow(/^compile: argument 0 must be a tensor, got number 3/);
    expect(() => step(tensor([1], { requiresGrad: true }))).toThrow(/^compile: argument 0 \(shape \[1\]\) requires grad/);
    const bad = compile(() => 5 as unknown as Tensor);
    bad();
    expect(() => bad()).toThrow(/^compile: the function must return nothing, a tensor, or an array or object of tensors, got number 5/);
  });

  it('leaves no tape behind after a refusal: eager code still works', () => {
    const step = compile((x: Tensor) => x.mul(x.sum().item()));
    step(tensor([1]));
    expect(() => step(tensor([1]))).toThrow(/item\(\)/);
    expect(tensor([2]).item()).toBe(2);
    expect(noGrad(() => rand([1])).size).toBe(1);
  });
});

// Autograd semantics: accumulation, broadcasting, graph walks, retained and detached tensors, grad mode, printing.
// Expected gradients are derived by hand in the comments and written out with plain arithmetic.
import { describe, expect, it } from 'vitest';
import { defineOp, grad, noGrad, ones, RandomState, Tensor, tensor, toDot, zeros } from '../src/index.ts';
import { expectClose } from './expect-close.ts';

const from = (v: number[] | Float64Array, shape: number[], requiresGrad = true): Tensor =>
  Tensor.from(Float64Array.from(v), shape, { requiresGrad });

/** |got − want| ≤ 1e-12·(1 + |want|) elementwise. */
const TOL = { rtol: 1e-12, atol: 1e-12 };

const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

/** An identity op that counts how often its backward runs. */
function counted(x: Tensor): { y: Tensor; calls: () => number } {
  let n = 0;
  const op = defineOp({ name: 'counted', forward: (out, v) => out.set(v), grads: [(g) => { n++; return g; }] });
  return { y: op(x), calls: () => n };
}

describe('requiresGrad and the recorded graph', () => {
  it('ops on tensors that do not require grad record nothing', () => {
    const y = tensor([1, 2]).mul(3).exp().sum();
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(y.isLeaf).toBe(true);
  });

  it('one input that requires grad makes the output require grad, with the op and inputs recorded', () => {
    const x = tensor([1, 2], { requiresGrad: true }), c = tensor([3, 4]);
    const y = c.mul(x);
    expect(y.requiresGrad).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn!.name).toBe('mul');
    expect(y.inputs[0]).toBe(c);
    expect(y.inputs[1]).toBe(x);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 4]);
    expect(c.grad).toBeNull(); // a constant gets no gradient
  });

  it('a scalar leaf can be the root: its grad is 1', () => {
    const x = tensor(5, { requiresGrad: true });
    x.backward();
    expect(x.grad!.item()).toBe(1);
    expect(x.grad!.shape).toEqual([]);
  });

  it('the gradient has the shape of its tensor', () => {
    const x = zeros([2, 1, 3], { requiresGrad: true });
    x.exp().sum().backward();
    expect(x.grad!.shape).toEqual([2, 1, 3]);
    expect(x.grad!.requiresGrad).toBe(false);
  });
});

describe('accumulation', () => {
  it('a tensor used twice gets both contributions: x·x gives 2x, x + x gives 2', () => {
    const x = tensor([-1.5, 0, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([-3, 0, 4, 6]);
    const y = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    y.add(y).sum().backward();
    expect(y.grad!.toArray()).toEqual([[2, 2], [2, 2]]);
  });

  it('a diamond: u = 3x feeds both branches of u + u², so d/dx = 3 + 18x', () => {
    const xs = [-1, 0.5, 2];
    const x = tensor(xs, { requiresGrad: true });
    const u = x.mul(3);
    u.add(u.mul(u)).sum().backward();
    expectClose(x.grad!.data, xs.map((v) => 3 + 18 * v), TOL);
  });

  it('a diamond with different ops: d/dx (2x · eˣ) = 2eˣ + 2x eˣ', () => {
    const xs = [-0.5, 0.25, 1];
    const x = tensor(xs, { requiresGrad: true });
    x.mul(2).mul(x.exp()).sum().backward();
    expectClose(x.grad!.data, xs.map((v) => 2 * Math.exp(v) + 2 * v * Math.exp(v)), TOL);
  });

  it('leaves accumulate across backward() calls until zeroGrad()', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([6, 6]);
    const g = x.grad;
    x.zeroGrad();
    expect(x.grad).toBe(g); // zeroed in place
    expect(Array.from(x.grad!.data)).toEqual([0, 0]);
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 4]);
  });

  it('a weight used twice adds the sum of both contributions to its .grad, as PyTorch: grad + (g1 + g2), bit for bit', () => {
    const rng = new RandomState(5);
    const w = Tensor.from(rng.uniform(-1, 1, [3, 2]), [3, 2], { requiresGrad: true });
    const x1 = Tensor.from(rng.uniform(-1, 1, [4, 3]), [4, 3]), x2 = Tensor.from(rng.uniform(-1, 1, [4, 3]), [4, 3]);
    const loss = (): Tensor => x1.matmul(w).square().sum().add(x2.matmul(w).exp().sum());
    loss().backward();
    const before = Array.from(w.grad!.data);
    const [both] = grad(loss(), [w]); // g1 + g2, summed in the walk
    loss().backward(); // w.grad already exists: a product may be added into it directly only for a weight used once
    const want = before.map((v, i) => v + both!.data[i]);
    expect(Array.from(w.grad!.data)).toEqual(want);
  });

  it('zeroGrad on a tensor without a gradient is harmless', () => {
    const x = tensor([1], { requiresGrad: true });
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });
});

describe('broadcast gradients are summed back to the operand shape', () => {
  const W = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]];

  it('a bias [3] added to [4, 3] gets the column sums of the upstream gradient', () => {
    const X = zeros([4, 3], { requiresGrad: true }), b = tensor([0.1, 0.2, 0.3], { requiresGrad: true });
    // loss = Σ (X + b) ⊙ W, so ∂loss/∂b_j = Σ_i W_ij and ∂loss/∂X = W
    X.add(b).mul(tensor(W)).sum().backward();
    expect(b.grad!.shape).toEqual([3]);
    expect(Array.from(b.grad!.data)).toEqual([22, 26, 30]);
    expect(X.grad!.toArray()).toEqual(W);
  });

  it('a column [4, 1] gets the row sums; a 0-d tensor gets the total', () => {
    const c = zeros([4, 1], { requiresGrad: true }), s = tensor(0, { requiresGrad: true });
    tensor(W).mul(c).sub(s).mul(2).sum().backward(); // ∂/∂c_i = 2 Σ_j W_ij; ∂/∂s = −2·12
    expect(c.grad!.toArray()).toEqual([[12], [30], [48], [66]]);
    expect(s.grad!.shape).toEqual([]);
    expect(s.grad!.item()).toBe(-24);
  });

  it('[2, 1, 3] with [4, 1]: each operand sums over the dims it was broadcast along', () => {
    const a = zeros([2, 1, 3], { requiresGrad: true }), b = zeros([4, 1], { requiresGrad: true });
    const w = new RandomState(5).uniform(-1, 1, [2, 4, 3]);
    a.add(b).mul(Tensor.from(w, [2, 4, 3])).sum().backward();
    const ga = new Array(6).fill(0), gb = new Array(4).fill(0);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) {
      ga[i * 3 + k] += w[(i * 4 + j) * 3 + k];
      gb[j] += w[(i * 4 + j) * 3 + k];
    }
    expect(a.grad!.shape).toEqual([2, 1, 3]);
    expect(b.grad!.shape).toEqual([4, 1]);
    expectClose(a.grad!.data, ga, TOL);
    expectClose(b.grad!.data, gb, TOL);
  });

  it('matmul with a batch-broadcast operand sums its gradient over the batch', () => {
    const av = new RandomState(6).uniform(-1, 1, [12]), bv = new RandomState(7).uniform(-1, 1, [12]);
    const a = from(av, [2, 2, 3]), b = from(bv, [3, 4]);
    a.matmul(b).sum().backward();
    // loss = Σ_n Σ_i Σ_j Σ_k a[n,i,k] b[k,j]: ∂/∂b[k,j] = Σ_n Σ_i a[n,i,k]; ∂/∂a[n,i,k] = Σ_j b[k,j]
    const gb: number[] = [], ga: number[] = [];
    for (let k = 0; k < 3; k++) for (let j = 0; j < 4; j++) gb.push(av[k] + av[3 + k] + av[6 + k] + av[9 + k]);
    for (let n = 0; n < 2; n++) for (let i = 0; i < 2; i++) for (let k = 0; k < 3; k++) ga.push(bv[4 * k] + bv[4 * k + 1] + bv[4 * k + 2] + bv[4 * k + 3]);
    expectClose(b.grad!.data, gb, TOL);
    expectClose(a.grad!.data, ga, TOL);
  });
});

describe('the backward walk', () => {
  it('a chain of 100000 ops does not overflow the stack and gives the right gradient', () => {
    const x = tensor([[2]], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 50000; i++) y = y.add(0).mul(1);
    y.mul(y).sum().backward(); // d/dx x² = 2x
    expect(x.grad!.item()).toBe(4);
    expect(x.grad!.shape).toEqual([1, 1]);
  });

  it('a rule that calls grad() itself (a walk inside a walk) leaves the outer walk intact', () => {
    // cube(u) = u³, whose rule finds 3u² by differentiating u·u·u with grad(): a second walk while the first runs
    const cube = defineOp({
      name: 'cube',
      forward: (out, u) => { for (let i = 0; i < u.length; i++) out[i] = u[i] ** 3; },
      grads: [(g, [u]) => {
        const t = u.detach();
        t.requiresGrad = true;
        const [d] = grad(t.mul(t).mul(t).sum(), [t]);
        return g.mul(d!);
      }],
    });
    const xs = [0.5, -2, 3], x = tensor(xs, { requiresGrad: true });
    const y = cube(x.mul(2)).add(x.exp()).sum(); // d/dx [(2x)³ + eˣ] = 24x² + eˣ
    const [gx] = grad(y, [x], { createGraph: true }); // rules recorded, so the inner walk has a graph to walk
    expectClose(gx!.data, xs.map((v) => 24 * v * v + Math.exp(v)), TOL);
    x.mul(x).sum().backward(); // and a walk after it starts clean
    expectClose(x.grad!.data, xs.map((v) => 2 * v), TOL);
  });

  it('a gradient returned by grad() or retained is not written over by the rules that run after it', () => {
    // In a first-order walk a rule may write its result over g when nothing else reads g (sigmoid's and mul's do):
    // not when g is also an answer. d loss/du = 1; d loss/dh = 3; d loss/dx = 3σ(1 − σ).
    const xs = [0.5, -1], x = tensor(xs, { requiresGrad: true });
    const h = x.sigmoid(), u = h.mul(3);
    const [gu, gh, gx] = grad(u.sum(), [u, h, x]);
    expect(Array.from(gu!.data)).toEqual([1, 1]);
    expect(Array.from(gh!.data)).toEqual([3, 3]);
    expectClose(gx!.data, xs.map((v) => 3 * sigma(v) * (1 - sigma(v))), TOL);
    const h2 = x.sigmoid(), u2 = h2.mul(3);
    u2.retainGrad();
    h2.retainGrad();
    u2.sum().backward();
    expect(Array.from(u2.grad!.data)).toEqual([1, 1]);
    expect(Array.from(h2.grad!.data)).toEqual([3, 3]);
  });

  it('each node runs its backward once, however many consumers it has', () => {
    const xs = [0.5, -1];
    const x = tensor(xs, { requiresGrad: true });
    const { y, calls } = counted(x);
    y.mul(y).add(y.exp()).add(y).sum().backward(); // 2y + eʸ + 1
    expect(calls()).toBe(1);
    expectClose(x.grad!.data, xs.map((v) => 2 * v + Math.exp(v) + 1), TOL);
  });

  it('a ladder of 1000 diamonds (2^1000 paths) gives gradient exactly 1', () => {
    // y ← (y + y)·½ keeps y, so d/dx is 1; a walk that followed paths instead of nodes would never finish,
    // and one that visited a node twice would double the gradient at each rung.
    const x = tensor([3], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 1000; i++) y = y.add(y).mul(0.5);
    y.sum().backward();
    expect(x.grad!.item()).toBe(1);
  });

  it('backward(seed) on a non-scalar output multiplies by the seed', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    x.mul(x).backward(tensor([[1, 0, -1], [0.5, 2, 0]])); // 2x·seed
    expect(x.grad!.toArray()).toEqual([[2, 0, -6], [4, 20, 0]]);
  });

  it('backward(seed) on a scalar output scales the gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(x).sum().backward(tensor(0.5));
    expect(Array.from(x.grad!.data)).toEqual([1, 2]);
  });

  it('backward() frees the graph: a second walk throws a clear error', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.mul(x).sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(/backward.*already freed.*retainGraph/);
    expect(Array.from(x.grad!.data)).toEqual([2, 4]); // the failed walk added nothing
  });

  it('a subgraph freed by one loss cannot be walked by another', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.exp();
    h.sum().backward();
    expect(() => h.mul(2).sum().backward()).toThrow(/'exp'.*already freed/);
  });

  it('{ retainGraph: true } allows a second walk, and the gradients accumulate', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.mul(x).sum();
    loss.backward(undefined, { retainGraph: true });
    expect(Array.from(x.grad!.data)).toEqual([2, 4]);
    loss.backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 8]);
    expect(() => loss.backward()).toThrow(/already freed/); // the second walk did not retain
  });
});

describe('retainGrad and detach', () => {
  it('retainGrad() keeps an intermediate gradient; other intermediates keep none', () => {
    const x = tensor([0.5, 1], { requiresGrad: true });
    const h = x.mul(2);
    expect(h.retainGrad()).toBe(h);
    const e = h.exp();
    const loss = e.sum();
    loss.backward();
    expectClose(h.grad!.data, [Math.exp(1), Math.exp(2)], TOL); // ∂/∂h Σ eʰ = eʰ
    expect(h.grad!.shape).toEqual([2]);
    expect(e.grad).toBeNull();
    expect(loss.grad).toBeNull();
    expectClose(x.grad!.data, [2 * Math.exp(1), 2 * Math.exp(2)], TOL);
  });

  it('a retained gradient accumulates across retained walks, like a leaf', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    const loss = h.mul(h).sum(); // ∂/∂h = 2h = 6x
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expect(Array.from(h.grad!.data)).toEqual([12, 24]);
  });

  it('retainGrad() on the root keeps the seed', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2).retainGrad();
    y.backward(tensor([5, 7]));
    expect(Array.from(y.grad!.data)).toEqual([5, 7]);
  });

  it('detach() shares the values and cuts the graph', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(Array.from(d.data)).toEqual([2, 4, 6]);
    x.mul(d).sum().backward(); // d is a constant here: ∂/∂x = d, not 4x
    expect(Array.from(x.grad!.data)).toEqual([2, 4, 6]);
    expect(x.detach().data).toBe(x.data);
  });
});

describe('noGrad', () => {
  it('records nothing and returns the value of fn', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2).exp());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(noGrad(() => 42)).toBe(42);
    expect(x.mul(2).requiresGrad).toBe(true); // restored afterwards
  });

  it('nests: leaving an inner noGrad keeps the outer one in force', () => {
    const x = tensor([1], { requiresGrad: true });
    const seen = noGrad(() => {
      const inner = noGrad(() => x.mul(2));
      const after = x.mul(2);
      return [inner.requiresGrad, after.requiresGrad];
    });
    expect(seen).toEqual([false, false]);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('restores grad mode after fn throws', () => {
    const x = tensor([1], { requiresGrad: true });
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(x.mul(2).requiresGrad).toBe(true);
    expect(() => noGrad(() => noGrad(() => { throw new Error('deep'); }))).toThrow('deep');
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('the values computed under noGrad are the same', () => {
    const x = tensor([0.5, -2], { requiresGrad: true });
    expect(Array.from(noGrad(() => x.sigmoid()).data)).toEqual(Array.from(x.sigmoid().data));
  });
});

describe('numerically delicate gradients', () => {
  it('sigmoid at ±1000 and ±1e308: value 0 or 1, gradient exactly 0, never NaN', () => {
    const x = tensor([-1e308, -1000, 1000, 1e308], { requiresGrad: true });
    const s = x.sigmoid();
    expect(Array.from(s.data)).toEqual([0, 0, 1, 1]);
    s.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 0]);
  });

  it('sigmoid gradient σ(1 − σ) at moderate inputs', () => {
    const xs = [-30, -2, 0, 3, 30];
    const x = tensor(xs, { requiresGrad: true });
    x.sigmoid().sum().backward();
    expectClose(x.grad!.data, xs.map((v) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2), { rtol: 1e-10, atol: 1e-10 });
    expect(x.grad!.data[2]).toBe(0.25);
  });

  it('tanh and exp saturate without NaN', () => {
    const x = tensor([-1000, 1000], { requiresGrad: true });
    x.tanh().sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0]);
    const e = tensor([-1000], { requiresGrad: true });
    e.exp().sum().backward();
    expect(e.grad!.item()).toBe(0);
  });
});

describe('conventions at kinks and edges (as PyTorch)', () => {
  it('relu′(0) = 0, abs′(0) = 0', () => {
    const x = tensor([-1, 0, 2], { requiresGrad: true });
    x.relu().sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 1]);
    const y = tensor([-1, 0, 2], { requiresGrad: true });
    y.abs().sum().backward();
    expect(Array.from(y.grad!.data)).toEqual([-1, 0, 1]);
  });

  it('relu keeps NaN, and its gradient passes g where x > 0 or x is NaN and is 0 elsewhere, NaN g included (PyTorch 1.13)', () => {
    const x = tensor([NaN, -1, 0, 2], { requiresGrad: true });
    const y = x.relu();
    expect(Array.from(y.data)).toEqual([NaN, 0, 0, 2]);
    y.backward(tensor([3, NaN, NaN, 5]));
    expect(Array.from(x.grad!.data)).toEqual([3, 0, 0, 5]); // torch.relu(x).backward(g) gives the same
  });

  it('clamp passes the gradient inside [min, max], boundaries included, and blocks it outside', () => {
    const x = tensor([-2, -1, 0, 1, 2], { requiresGrad: true });
    x.clamp(-1, 1).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 1, 1, 0]);
  });

  it('pow: ∂(aᵇ)/∂a is 0 where b = 0, and ∂(aᵇ)/∂b is 0 where a = 0 and b ≥ 0', () => {
    const a = tensor([0, 0, 2], { requiresGrad: true }), b = tensor([0, 2, 3], { requiresGrad: true });
    a.pow(b).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([0, 0, 12]); // b·a^(b−1)
    expectClose(b.grad!.data, [0, 0, 8 * Math.log(2)], TOL); // aᵇ ln a
  });

  it('max sends the gradient to the arg-max element', () => {
    const x = tensor([[3, -1, 7], [9, 2, -5]], { requiresGrad: true });
    x.max().backward();
    expect(x.grad!.toArray()).toEqual([[0, 0, 0], [1, 0, 0]]);
    const y = tensor([[3, -1, 7], [9, 2, -5]], { requiresGrad: true });
    y.max(0).backward(tensor([10, 20, 30]));
    expect(y.grad!.toArray()).toEqual([[0, 0, 30], [10, 20, 0]]);
    const z = tensor([[3, -1, 7], [9, 2, -5]], { requiresGrad: true });
    z.max(-1, true).backward(tensor([[10], [20]]));
    expect(z.grad!.toArray()).toEqual([[0, 0, 10], [20, 0, 0]]);
  });

  it('mean spreads the gradient evenly over the reduced elements', () => {
    const x = zeros([2, 4], { requiresGrad: true });
    x.mean(1).backward(tensor([1, 2]));
    expect(x.grad!.toArray()).toEqual([[0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0.5, 0.5]]);
  });

  it('reshape and permute move the gradient back into the input layout', () => {
    const x = zeros([2, 3], { requiresGrad: true });
    x.reshape(3, 2).backward(tensor([[1, 2], [3, 4], [5, 6]]));
    expect(x.grad!.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const y = zeros([2, 3], { requiresGrad: true });
    y.T.backward(tensor([[1, 2], [3, 4], [5, 6]]));
    expect(y.grad!.toArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
  });
});

describe('toDot', () => {
  it('is a digraph naming every op and shape, with one edge per input', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const w = ones([3, 4], { requiresGrad: true });
    const loss = x.matmul(w).sigmoid().sum();
    const dot = toDot(loss);
    expect(dot).toMatch(/^digraph /);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    for (const label of ['matmul\\n[2, 4]', 'sigmoid\\n[2, 4]', 'sum\\n[]', '[2, 3]', '[3, 4]', 'leaf']) {
      expect(dot).toContain(label);
    }
    expect(dot.match(/->/g)).toHaveLength(4); // x→matmul, w→matmul, matmul→sigmoid, sigmoid→sum
    expect(dot.match(/\[label=/g)).toHaveLength(5);
  });

  it('shows a tensor used twice as one node with two edges', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const dot = toDot(x.mul(x));
    expect(dot.match(/\[label=/g)).toHaveLength(2);
    expect(dot.match(/t1 -> t0/g)).toHaveLength(2);
  });
});

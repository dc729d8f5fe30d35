// embedding and nn.Embedding: values and weight gradients against PyTorch 1.13 (test/fixtures/activations-reference.json,
// from scripts/activations_reference.py), paddingIdx, gradcheck and gradgradcheck, compile, the init, the errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, embedding, gradcheck, gradgradcheck, nn, RandomState, Tensor, tensor } from '../src/index.ts';
import { expectClose } from './expect-close.ts';
import { input } from './op-inputs.ts';
import { expectForwardOverReverse, expectJvp } from './jvp-check.ts';

interface EmbeddingCase {
  indices: number[]; indices_shape: number[]; weight_shape: number[]; padding_idx: number | null;
  weight: number[]; w: number[]; y_shape: number[]; y: number[]; grad_weight: number[];
}
const cases = (JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'activations-reference.json'), 'utf8')) as { embedding: EmbeddingCase[] }).embedding;

describe('embedding against PyTorch', () => {
  it.each(cases.map((c) => [`indices ${JSON.stringify(c.indices_shape)} into ${JSON.stringify(c.weight_shape)}, paddingIdx ${c.padding_idx}`, c] as const))('%s', (_name, c) => {
    const weight = Tensor.from(Float64Array.from(c.weight), c.weight_shape, { requiresGrad: true });
    const y = embedding(Tensor.from(Float64Array.from(c.indices), c.indices_shape), weight, { paddingIdx: c.padding_idx });
    expect(y.shape).toEqual(c.y_shape);
    expect(Array.from(y.data)).toEqual(c.y); // copies: exact
    y.mul(Tensor.from(Float64Array.from(c.w), c.y_shape)).sum().backward();
    expectClose(weight.grad!.data, c.grad_weight, { rtol: 1e-15 }, 'weight gradient'); // sums of a few weights
  });
});

describe('embedding: gradients to the weight only, none to paddingIdx\'s row', () => {
  const weight = (): Tensor => input([5, 3], -1, 1, 800);
  const idx = tensor([[0, 2, 2], [4, 1, 0]]);
  it('each row gets the sum of the gradients of its lookups; paddingIdx (or −1 from the end) gets none', () => {
    const w = weight();
    embedding(idx, w).sum().backward();
    expect(w.grad!.toArray()).toEqual([[2, 2, 2], [1, 1, 1], [2, 2, 2], [0, 0, 0], [1, 1, 1]]);
    const p = weight();
    embedding(idx, p, { paddingIdx: -3 }).sum().backward();
    expect(p.grad!.toArray()).toEqual([[2, 2, 2], [1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
  });
  it('the padding row is still read as it is (nn.Embedding starts it at zeros, the op does not)', () => {
    const w = weight();
    expect(embedding(tensor([2]), w, { paddingIdx: 2 }).toArray()).toEqual([(w.toArray() as number[][])[2]]);
  });
  it('indices of any shape, a 0-d one too; the indices get no gradient', () => {
    const w = weight();
    expect(embedding(tensor(3), w).shape).toEqual([3]);
    expect(embedding(tensor({ shape: [2, 0, 4], data: [] }), w).shape).toEqual([2, 0, 4, 3]);
    const i = tensor([1, 2], { requiresGrad: true });
    embedding(i, w).sum().backward();
    expect(i.grad).toBeNull();
  });
  // With paddingIdx the lookup of its row is a constant to every order (PyTorch's meaning, not the true derivative),
  // so only functions in which that row enters through the lookup alone are checked with it.
  it('gradcheck (no padding) and gradgradcheck (with and without), over index shapes', () => {
    for (const [shape, data] of [[[6], [0, 4, 4, 1, 3, 0]], [[2, 3], [1, 1, 2, 0, 4, 2]], [[], [3]]] as const) {
      const indices = Tensor.from(Float64Array.from(data), [...shape]), w = weight();
      const f = (t: Tensor): Tensor => embedding(indices, t).square().mul(t.sum());
      const first = gradcheck(f, [w]), second = gradgradcheck(f, [w]);
      expect(first.ok, first.message).toBe(true);
      expect(second.ok, second.message).toBe(true);
      const padded = gradgradcheck((t: Tensor) => embedding(indices, t, { paddingIdx: 2 }).pow(3), [w]);
      expect(padded.ok, padded.message).toBe(true);
    }
  });
  it('the gradient\'s own rule is the lookup with paddingIdx\'s row as zeros (its exact adjoint)', () => {
    // ∂/∂w of Σ v·g(w), g the weight gradient of Σ (e(w)·u)², checked against finite differences.
    const indices = tensor([[0, 2], [2, 3]]), u = input([2, 2, 3], -1, 1, 801).detach();
    const r = gradgradcheck((t: Tensor) => embedding(indices, t, { paddingIdx: 2 }).mul(u).square().sum(), [weight()]);
    expect(r.ok, r.message).toBe(true);
  });
});

describe('embedding: forward mode', () => {
  it('jvp: the lookup of the tangent, and of the scatter\'s tangent in forward over reverse', () => {
    const indices = tensor([[0, 2, 2], [4, 1, 0]]), w = input([5, 3], -1, 1, 820);
    expectJvp((t) => embedding(indices, t).square(), [w], 821);
    expectForwardOverReverse((t) => embedding(indices, t).pow(3).sum(), w, 822);
    // With paddingIdx the forward reads its row like any other (PyTorch's auto_linear): the differences agree, the
    // reverse mode (no gradient to that row) does not.
    expectJvp((t) => embedding(indices, t, { paddingIdx: 2 }).square(), [w], 823, false);
  });
});

describe('embedding under compile: each call\'s indices are read (and checked)', () => {
  it('a replayed lookup with new indices equals the eager one, and a bad index still throws', () => {
    const w = input([4, 2], -1, 1, 810).detach();
    const step = compile((i: Tensor) => embedding(i, w).sum(0));
    for (const data of [[0, 1, 2], [3, 3, 0], [2, 1, 1], [0, 0, 3]]) {
      const i = tensor(data);
      expect(step(i).toArray()).toEqual(embedding(i, w).sum(0).toArray());
    }
    expect(() => step(tensor([0, 4, 1]))).toThrow('embedding: index 4 at [1] of the indices of shape [3] is out of range for a weight of 4 rows');
  });
});

describe('nn.Embedding', () => {
  it('its weight is NumPy\'s randn from the generator, with the paddingIdx row zeroed', () => {
    const emb = new nn.Embedding(4, 3, { paddingIdx: -1, rng: new RandomState(5) });
    const want = new RandomState(5).randn([4, 3]);
    want.fill(0, 9, 12);
    expect(Array.from(emb.weight.data)).toEqual(Array.from(want));
    expect(emb.paddingIdx).toBe(3);
    expect(emb.toString()).toBe('Embedding(4, 3, paddingIdx=3)');
    expect(new nn.Embedding(10, 2).toString()).toBe('Embedding(10, 2)');
    expect(emb.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [4, 3]]]);
  });
  it('the forward is embedding(indices, weight, paddingIdx): the padding row gets no gradient', () => {
    const emb = new nn.Embedding(4, 2, { paddingIdx: 1, rng: new RandomState(6) });
    const i = tensor([[1, 0], [3, 1]]);
    expect(emb.call(i).toArray()).toEqual(embedding(i, emb.weight).toArray());
    emb.call(i).sum().backward();
    expect(emb.weight.grad!.toArray()).toEqual([[1, 1], [0, 0], [0, 0], [1, 1]]);
  });
  it('errors name the module and the value', () => {
    expect(() => new nn.Embedding(0, 3)).toThrow('Embedding: numEmbeddings and embeddingDim must be positive integers, got 0 and 3');
    expect(() => new nn.Embedding(4, 2.5)).toThrow('Embedding: numEmbeddings and embeddingDim must be positive integers, got 4 and 2.5');
    expect(() => new nn.Embedding(4, 2, { paddingIdx: 4 })).toThrow('Embedding: paddingIdx 4 is out of range for 4 embeddings');
    expect(() => new nn.Embedding(4, 2, { rng: 3 as never })).toThrow('Embedding: rng must be a RandomState, got number 3');
  });
});

describe('embedding: errors name the bad index and its position', () => {
  const w = tensor([[0, 0], [1, 2], [3, 4]]);
  it.each([
    [() => embedding(tensor([[0, 1.5]]), w), 'embedding: index 1.5 at [0, 1] of the indices of shape [1, 2] is not an integer'],
    [() => embedding(tensor([[0, 1], [3, 0]]), w), 'embedding: index 3 at [1, 0] of the indices of shape [2, 2] is out of range for a weight of 3 rows'],
    [() => embedding(tensor([-1]), w), 'embedding: index -1 at [0] of the indices of shape [1] is out of range for a weight of 3 rows'],
    [() => embedding(tensor(NaN), w), 'embedding: index NaN at [] of the indices of shape [] is not an integer'],
    [() => embedding(tensor([0]), tensor([1, 2])), 'embedding: the weight must be 2-D, [numEmbeddings, embeddingDim], got shape [2]'],
    [() => embedding([0, 1] as never, w), 'embedding: the indices must be a tensor'],
    [() => embedding(tensor([0]), w, { paddingIdx: 3 }), 'embedding: paddingIdx 3 is out of range for a weight of 3 rows'],
    [() => embedding(tensor([0]), w, { paddingIdx: 0.5 }), 'embedding: paddingIdx 0.5 is out of range for a weight of 3 rows'],
    [() => embedding(tensor([0]), w, 2 as never), 'embedding: options must be an object ({ … }), got number 2'],
  ])('%s', (f, message) => {
    expect(f).toThrow(message);
  });
});

// Issue #9: nothing corrupted, nothing silently wrong. One block per reported defect, each failing without its fix,
// and the unclear errors of the report, each now naming the op and what was wrong.
import { describe, expect, it } from 'vitest';
import { defineOp, full, gradcheck, nn, noGrad, optim, RandomState, Tensor, tensor, toDot, zeros } from '../src/index.ts';

const leafOf = (v: number[], shape = [v.length]): Tensor => Tensor.from(Float64Array.from(v), shape, { requiresGrad: true });

describe('3. frozen parameters are still parameters', () => {
  it('stateDict holds a layer whose weights do not require grad, and loadStateDict restores it', () => {
    const rng = new RandomState(3);
    const model = new nn.Sequential(new nn.Linear(2, 3, { rng }), new nn.Sigmoid(), new nn.Linear(3, 1, { rng }));
    const first = model[0] as nn.Linear;
    first.weight.requiresGrad = false;
    first.bias!.requiresGrad = false;
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(model.parameters()).toContain(first.weight);
    const saved = JSON.parse(JSON.stringify(model.stateDict()));
    const copy = new nn.Sequential(new nn.Linear(2, 3, { rng }), new nn.Sigmoid(), new nn.Linear(3, 1, { rng }));
    copy.loadStateDict(saved);
    expect(Array.from((copy[0] as nn.Linear).weight.data)).toEqual(Array.from(first.weight.data));
  });

  it('an optimizer over all parameters leaves the frozen ones alone', () => {
    const rng = new RandomState(4);
    const model = new nn.Sequential(new nn.Linear(2, 2, { rng }), new nn.Linear(2, 1, { rng }));
    const frozen = (model[0] as nn.Linear).weight;
    frozen.requiresGrad = false;
    const before = Array.from(frozen.data);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    nn.mseLoss(model.call(tensor([[1, 2]])), tensor([[3]])).backward();
    opt.step();
    expect(Array.from(frozen.data)).toEqual(before);
    expect(frozen.grad).toBeNull();
  });

  it('nn.parameter registers a tensor a custom module holds, frozen or not', () => {
    class Scale extends nn.Module {
      s = nn.parameter(tensor([2, 3]), { requiresGrad: false });
      forward(x: Tensor): Tensor { return x.mul(this.s); }
    }
    expect(new Scale().namedParameters().map(([n]) => n)).toEqual(['s']);
    expect(() => nn.parameter(tensor([1], { requiresGrad: true }).mul(2))).toThrow(/parameter: .*made by 'mul'.*must be a leaf/);
  });
});

describe('4. optimizers refuse parameter lists they could not honour', () => {
  it.each([
    ['SGD', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1 })],
    ['Adam', (ps: Tensor[]) => new optim.Adam(ps)],
  ])('%s: non-leaf, duplicated, empty', (name, make) => {
    const p = tensor([1, 2], { requiresGrad: true });
    expect(() => make([p.mul(2)])).toThrow(new RegExp(`${name}: parameter 0 \\(shape \\[2\\]\\) was made by 'mul'`));
    expect(() => make([p, p])).toThrow(new RegExp(`${name}: parameter 1 \\(shape \\[2\\]\\) appears twice`));
    expect(() => make([])).toThrow(new RegExp(`${name}: got an empty parameter list`));
    expect(() => make(null as unknown as Tensor[])).toThrow(new RegExp(`${name}: params must be an array`));
  });

  it('Adam needs two betas', () => {
    const p = [tensor([1], { requiresGrad: true })];
    expect(() => new optim.Adam(p, { betas: [0.9] as unknown as [number, number] })).toThrow(/Adam: betas must be two numbers \[β₁, β₂\], got \[0\.9\]/);
  });
});

describe('5. arrays with holes', () => {
  it('are refused, naming where the hole is', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => tensor([1, , 3])).toThrow(/tensor: missing entry .*at \[1\]/);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => tensor([[1, 2], [3, , ]] as unknown as number[][])).toThrow(/tensor: .*expected 2 entries at \[1\]|missing entry .* at \[1,1\]/);
  });
});

describe('6. gradcheck restores its inputs', () => {
  it('even when the function throws on a nudged input', () => {
    const x = leafOf([0.5, 0.25]);
    let calls = 0;
    expect(() => gradcheck((t) => { if (++calls > 1) throw new Error('boom'); return t.square().sum(); }, [x])).toThrow('boom');
    expect(Array.from(x.data)).toEqual([0.5, 0.25]);
  });
});

describe('7. max and min over several axes', () => {
  it('reduce every listed axis (values and gradient to the chosen element)', () => {
    const x = leafOf([1, 9, 3, 4, 5, 6, 7, 8, 2, 10, 11, 0], [2, 2, 3]);
    const m = x.max([0, 2]);
    expect(m.shape).toEqual([2]);
    expect(Array.from(m.data)).toEqual([9, 11]);
    expect(x.max([0, 1, 2]).shape).toEqual([]);
    expect(x.min([1, 2], true).toArray()).toEqual([[[1]], [[0]]]);
    m.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
  });
});

describe('8. no stale state between backward passes', () => {
  it('a leaf switched off between forward and backward gets no gradient, and a later backward is right', () => {
    const a = leafOf([1, 2]), b = leafOf([3, 4]);
    const y = a.mul(b).sum();
    b.requiresGrad = false;
    y.backward();
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
    expect(b.grad).toBeNull();
    b.requiresGrad = true;
    a.zeroGrad();
    a.mul(b).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
    expect(Array.from(b.grad!.data)).toEqual([1, 2]);
  });

  it('an exception inside backward leaves nothing that corrupts the next one', () => {
    const x = leafOf([0.5, 2]);
    const bad = x.mul(x);
    noGrad(() => x.add_(tensor([1, 1]))); // makes bad's backward throw (version check)
    expect(() => bad.sum().backward()).toThrow(/changed in place/);
    x.zeroGrad();
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3]);
  });

  it('a rule that throws after other rules ran leaves no bookkeeping for the next walk (which must not write to a seed)', () => {
    const thrower = defineOp({ name: 'thrower', forward: (out, v) => out.set(v), grads: [() => { throw new Error('rule failed'); }] });
    const x = leafOf([1, 2]);
    // Walked as sum, add, mul (x's gradient now pending in the walk's own storage), then thrower's rule throws.
    expect(() => thrower(x).add(x.mul(3)).sum().backward()).toThrow(/rule failed/);
    const a = leafOf([1, 2]), seed = tensor([5, 7]);
    a.add(a).backward(seed); // a's two contributions are the seed itself, twice: they must be summed into new storage
    expect(Array.from(seed.data)).toEqual([5, 7]);
    expect(Array.from(a.grad!.data)).toEqual([10, 14]);
  });

  it('requiresGrad can only change on a leaf', () => {
    const y = leafOf([1]).mul(2);
    expect(() => { y.requiresGrad = false; }).toThrow(/requiresGrad: only a leaf's flag can change; .*made by 'mul'/);
  });
});

describe('9. in-place changes are versioned: backward refuses values that changed after use', () => {
  it('an optimizer step between forward and backward', () => {
    const w = leafOf([1, 2]);
    const opt = new optim.SGD([w], { lr: 0.1 });
    const loss = w.square().sum();
    loss.backward(undefined, { retainGraph: true });
    opt.step();
    expect(() => loss.backward()).toThrow(/backward: the gradient of 'square' \[2\] needs its input of shape \[2\] \(a leaf\), which was changed in place/);
  });

  it('loadStateDict and copy_ on a tensor a graph still needs', () => {
    const lin = new nn.Linear(2, 1, { rng: new RandomState(9) });
    const out = lin.call(tensor([[1, 2]])).sum();
    lin.loadStateDict(lin.stateDict());
    expect(() => out.backward()).toThrow(/'linear'.*changed in place/);
    const x = leafOf([1, 2]), y = x.exp();
    noGrad(() => y.copy_(tensor([0, 0])));
    expect(() => y.sum().backward()).toThrow(/'exp' \[2\] needs its output/);
  });

  it('in-place ops on a tensor that requires grad are refused while the graph is recorded', () => {
    expect(() => leafOf([1]).add_(tensor([1]))).toThrow(/add_: cannot change a tensor that requires grad .* in place while the graph is being recorded/);
  });

  it('writes through .data are not tracked (documented): they change the gradient silently', () => {
    const x = leafOf([3]);
    const y = x.mul(x);
    x.data[0] = 100; // not an op: backward sees the new value
    y.backward();
    expect(x.grad!.item()).toBe(200);
  });
});

describe('10. noGrad refuses async functions', () => {
  it('an async function, and one that returns a promise', () => {
    expect(() => noGrad(async () => 1)).toThrow(/noGrad: fn is an async function.*after its first await/);
    expect(() => noGrad(() => Promise.resolve(1))).toThrow(/noGrad: fn returned a promise/);
    expect(noGrad(() => 5)).toBe(5);
  });
});

describe('12. toDot after backward', () => {
  it('still draws the whole graph (backward frees what a second walk needs, not the structure)', () => {
    const x = leafOf([1, 2]);
    const loss = x.sigmoid().mul(3).sum();
    const before = toDot(loss);
    loss.backward();
    expect(toDot(loss)).toBe(before);
    expect(before).toMatch(/sigmoid/);
    expect(before.match(/->/g)!.length).toBe(4);
    expect(() => loss.backward()).toThrow(/already freed/);
  });
});

describe('11. clear errors instead of internal ones', () => {
  const x = tensor([1, 2]);
  it.each([
    ['add a string', () => x.add('1' as unknown as number), /^add: the second operand must be a tensor or a number, got the string '1'/],
    ['add null', () => x.add(null as unknown as number), /^add: the second operand must be a tensor or a number, got null/],
    ['add an array', () => x.add([1, 2] as unknown as number), /^add: the second operand must be a tensor or a number, got an array.*tensor\(\[/],
    ['matmul a number', () => zeros([2, 2]).matmul(2 as unknown as Tensor), /^matmul: the second operand must be a tensor, got number 2/],
    ['backward(1)', () => leafOf([1]).sum().backward(1 as unknown as Tensor), /^backward: the seed gradient must be a tensor, got number 1/],
    ['gradcheck fn returning a number', () => gradcheck(() => 3 as unknown as Tensor, [leafOf([1])]), /^gradcheck: fn must return a tensor, got number 3/],
    ['a loss target that is not a tensor', () => nn.mseLoss(x, [1, 2] as unknown as Tensor), /^mseLoss: the target must be a tensor, got an array/],
    ['loadStateDict(null)', () => new nn.Linear(1, 1).loadStateDict(null as unknown as nn.StateDict), /^loadStateDict: expected an object of \{ shape, data \} entries, got null/],
    ['a null state dict entry', () => new nn.Linear(1, 1).loadStateDict({ weight: null, bias: null } as unknown as nn.StateDict), /^loadStateDict: 'weight' must be \{ shape/],
    ['a huge shape', () => zeros([1e10]), /^zeros: shape \[10000000000\] has 10000000000 elements, more than the 4294967295/],
    ['sum over a string axis', () => x.sum('0' as unknown as number), /^sum: axis '0' is out of range for shape \[2\]/],
    ['reshape to strings', () => x.reshape('2' as unknown as number, '1' as unknown as number), /^reshape: cannot view shape \[2\] .* as \['2', '1'\]: dim 0 is '2'/],
    ['full with a string value', () => full([2], 'a' as unknown as number), /^full: fill value must be a number, got the string 'a'/],
    ['clamp with a string bound', () => x.clamp('a' as unknown as number), /^clamp: min a must be a number/],
    ['new Tensor with the wrong size', () => new Tensor(new Float64Array(3), [2, 2]), /^Tensor: data of length 3 does not fit shape \[2, 2\]/],
  ])('%s', (_what, f, message) => {
    expect(f).toThrow(message);
  });

  it('zeros and ones take dims as separate numbers too, as reshape does', () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(zeros([2, 3], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('a tensor nested thousands deep is refused without a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(() => tensor(deep as number[])).toThrow(/^tensor: nested more than 64 deep/);
  });
});

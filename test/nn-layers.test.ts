// The nn modules of issue #11: Softmax, LogSoftmax, Flatten, Dropout, ModuleList; parameters kept in arrays and
// ModuleLists; Sequential's child types, iteration and PyTorch-like printing.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arange, manualSeed, nn, RandomState, Tensor, tensor, zeros } from '../src/index.ts';

const parameterCount = (m: nn.Module): number => m.parameters().reduce((n, p) => n + p.size, 0);

describe('Softmax, LogSoftmax, Flatten', () => {
  it('apply the op along their axis', () => {
    const x = arange(6).reshape(2, 3);
    expect(new nn.Softmax().call(x).toArray()).toEqual(x.softmax(-1).toArray());
    expect(new nn.Softmax(0).call(x).toArray()).toEqual(x.softmax(0).toArray());
    expect(new nn.LogSoftmax(1).call(x).toArray()).toEqual(x.logSoftmax(1).toArray());
    expect(new nn.Flatten().call(zeros([2, 3, 4])).shape).toEqual([2, 12]); // PyTorch's default start_dim = 1
    expect(new nn.Flatten(0).call(zeros([2, 3, 4])).shape).toEqual([24]);
    expect(new nn.Flatten(1, 2).call(zeros([2, 3, 4, 5])).shape).toEqual([2, 12, 5]);
  });
});

describe('Dropout', () => {
  it('in training mode zeroes elements with a mask from its generator; in eval mode it is the identity', () => {
    const x = arange(1, 11);
    const d = new nn.Dropout(0.5, { rng: new RandomState(2) });
    const u = new RandomState(2).random([10]);
    expect(Array.from(d.call(x).data)).toEqual(Array.from(x.data, (v, i) => (u[i] < 0.5 ? v * 2 : 0)));
    d.eval();
    expect(d.call(x)).toBe(x);
    d.train();
    expect(d.call(x).data.some((v, i) => v !== x.data[i])).toBe(true);
  });

  it('each call draws a new mask; without an rng it draws from the global generator (reproducible with manualSeed)', () => {
    const d = new nn.Dropout(0.5);
    const x = zeros([40]).add(1);
    manualSeed(11);
    const a = Array.from(d.call(x).data), b = Array.from(d.call(x).data);
    expect(a).not.toEqual(b);
    manualSeed(11);
    expect(Array.from(d.call(x).data)).toEqual(a);
  });

  it('p = 0 passes x through; bad p is refused', () => {
    const x = arange(3);
    expect(new nn.Dropout(0).call(x)).toBe(x);
    expect(() => new nn.Dropout(-0.1)).toThrow(/^Dropout: p must be a probability in \[0, 1\], got -0.1/);
    expect(() => new nn.Dropout(NaN)).toThrow(/^Dropout: p must be a probability/);
  });

  it('model.eval() switches a Dropout inside a Sequential off', () => {
    const model = new nn.Sequential(new nn.Linear(3, 3, { rng: new RandomState(0) }), new nn.Dropout(0.9, { rng: new RandomState(1) }));
    const x = tensor([[1, 2, 3]]);
    model.eval();
    expect(model.call(x).toArray()).toEqual(model[0].call(x).toArray());
  });
});

describe('parameters inside arrays and ModuleLists', () => {
  class Tower extends nn.Module {
    readonly blocks: nn.ModuleList<nn.Linear>;
    readonly heads: nn.Linear[];
    readonly scales: Tensor[];
    constructor() {
      super();
      const rng = new RandomState(5);
      this.blocks = new nn.ModuleList([new nn.Linear(2, 2, { rng }), new nn.Linear(2, 2, { rng, bias: false })]);
      this.heads = [new nn.Linear(2, 1, { rng })];
      this.scales = [tensor([1, 1], { requiresGrad: true })];
    }
    forward(x: Tensor): Tensor {
      for (const b of this.blocks) x = b.call(x).tanh();
      return this.heads[0].call(x.mul(this.scales[0]));
    }
  }

  it('are found, under dotted names, in field order', () => {
    const m = new Tower();
    expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['blocks.0.weight', [2, 2]], ['blocks.0.bias', [2]], ['blocks.1.weight', [2, 2]],
      ['heads.0.weight', [2, 1]], ['heads.0.bias', [1]], ['scales.0', [2]],
    ]);
    expect(parameterCount(m)).toBe(4 + 2 + 4 + 2 + 1 + 2);
  });

  it('get gradients, are zeroed by zeroGrad, are saved and loaded, and switch modes', () => {
    const m = new Tower();
    m.call(tensor([[0.5, -1]])).sum().backward();
    for (const [name, p] of m.namedParameters()) expect(p.grad, name).not.toBeNull();
    m.zeroGrad();
    for (const p of m.parameters()) expect(Array.from(p.grad!.data).every((v) => v === 0)).toBe(true);
    const copy = new Tower();
    noGradFill(copy);
    copy.loadStateDict(m.stateDict());
    expect(copy.call(tensor([[0.5, -1]])).item()).toBe(m.call(tensor([[0.5, -1]])).item());
    m.eval();
    expect([...m.blocks].every((b) => !b.training) && !m.heads[0].training).toBe(true);
  });

  it('ModuleList: append, length, index, iteration; no forward', () => {
    const list = new nn.ModuleList<nn.Module>();
    expect(list.length).toBe(0);
    list.append(new nn.ReLU()).append(new nn.Tanh());
    expect(list.length).toBe(2);
    expect(list[1]).toBeInstanceOf(nn.Tanh);
    expect([...list].map((m) => m.constructor.name)).toEqual(['ReLU', 'Tanh']);
    expect(() => list.call(zeros([1]))).toThrow(/^ModuleList: has no forward/);
    expect(() => list.append({} as nn.Module)).toThrow(/^ModuleList: entry 2 is not a Module/);
  });
});

/** Overwrite every parameter with 0 (so that loading is what makes the copy agree). */
function noGradFill(m: nn.Module): void {
  for (const p of m.parameters()) p.data.fill(0);
}

describe('Sequential', () => {
  it('keeps the type of each child: model[0].weight is a Linear\'s weight (checked by the type-check)', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4, { bias: false }), new nn.Sigmoid(), new nn.Linear(4, 1));
    const w: Tensor = model[0].weight;
    const b: Tensor | null = model[2].bias;
    // @ts-expect-error a Sigmoid has no weight
    expect(model[1].weight).toBeUndefined();
    expect(w.shape).toEqual([3, 4]);
    expect(b!.shape).toEqual([1]);
    const plain: nn.Sequential = model; // and it is still a Sequential of Modules
    expect(plain.length).toBe(3);
    expect(model).toBeInstanceOf(nn.Sequential);
  });

  it('is iterable, in order', () => {
    const layers = [new nn.Linear(2, 2), new nn.ReLU(), new nn.Linear(2, 1)] as const;
    const model = new nn.Sequential(...layers);
    expect([...model]).toEqual([...layers]);
    let n = 0;
    for (const m of model) expect(m).toBe(layers[n++]);
  });

  it('can be extended, with or without type arguments', () => {
    class Net extends nn.Sequential<[nn.Linear, nn.Tanh]> {
      constructor() { super(new nn.Linear(2, 3), new nn.Tanh()); }
    }
    const net = new Net();
    expect(net[0].weight.shape).toEqual([2, 3]);
    expect(net).toBeInstanceOf(nn.Sequential);
    expect(net.toString().split('\n')[0]).toBe('Net(');
    expect(() => new nn.Sequential(new nn.ReLU(), 3 as unknown as nn.Module)).toThrow(/^Sequential: layer 1 is not a Module, got number/);
  });

  it('toString prints the structure as PyTorch does, nested modules indented; console.log shows the same', () => {
    const model = new nn.Sequential(
      new nn.Linear(3, 4, { bias: false }), new nn.Sigmoid(),
      new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.25)),
      new nn.Flatten(), new nn.LogSoftmax(),
    );
    const want = [
      'Sequential(',
      '  (0): Linear(in=3, out=4, bias=false)',
      '  (1): Sigmoid()',
      '  (2): Sequential(',
      '    (0): Linear(in=4, out=4, bias=true)',
      '    (1): Dropout(p=0.25)',
      '  )',
      '  (3): Flatten(startAxis=1, endAxis=-1)',
      '  (4): LogSoftmax(axis=-1)',
      ')',
    ].join('\n');
    expect(model.toString()).toBe(want);
    expect(inspect(model)).toBe(want);
    expect(String(new nn.ReLU())).toBe('ReLU()');
    expect(new nn.ModuleList([new nn.Tanh()]).toString()).toBe('ModuleList(\n  (0): Tanh()\n)');
  });
});

// data: TensorDataset, Subset, randomSplit and DataLoader (torch.utils.data). Orders are checked against NumPy's
// legacy permutations (test/fixtures/permutations.json, from scripts/permutation_reference.py); batches against
// the rows they should hold, built from arange so each value names its row.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arange, data, manualSeed, RandomState, stack, tensor, Tensor, zeros } from '../src/index.ts';
import { bin, root } from './consumer.ts';

interface Draw { all?: number[]; head?: number[]; tail?: number[] }
const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/permutations.json'), 'utf8')) as
  { numpy: string; cases: { seed: number; n: number; draws: Draw[] }[] };

/** The values of each batch's first tensor, as flat arrays. */
const firsts = (loader: Iterable<Tensor[]>): number[][] => Array.from(loader, (b) => Array.from(b[0]!.data));
/** A dataset of n rows: x[i] = [i, 10·i], y[i] = i (so every row says where it came from). */
const rows = (n: number): data.TensorDataset<[Tensor, Tensor]> =>
  new data.TensorDataset(stack([arange(n), arange(n).mul(10)], 1), arange(n));

describe('TensorDataset', () => {
  it('has the first dimension as its length, and gives row i of each tensor', () => {
    const ds = rows(5);
    expect(ds.length).toBe(5);
    const [x, y] = ds.get(3);
    expect(x.shape).toEqual([2]);
    expect(x.toArray()).toEqual([3, 30]);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(3);
    expect(ds.get(-1)[1].item()).toBe(4); // as Python's indexing
  });

  it('gathers a batch of rows, repeats allowed, keeping the rows aligned', () => {
    const [x, y] = rows(6).getBatch(new Int32Array([4, 0, 4]));
    expect(x.toArray()).toEqual([[4, 40], [0, 0], [4, 40]]);
    expect(y.toArray()).toEqual([4, 0, 4]);
  });
});

describe('DataLoader', () => {
  it('yields batches in order, the last one partial, and length counts them', () => {
    const loader = new data.DataLoader(rows(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x, y]) => [x.shape, y.shape])).toEqual([[[4, 2], [4]], [[4, 2], [4]], [[2, 2], [2]]]);
    expect(batches.map(([, y]) => y.toArray())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[2]![0].toArray()).toEqual([[8, 80], [9, 90]]);
  });

  it('dropLast leaves out a short last batch, and only a short one', () => {
    const drop = new data.DataLoader(rows(10), { batchSize: 4, dropLast: true });
    expect(drop.length).toBe(2);
    expect(firsts(drop).map((b) => b.length)).toEqual([8, 8]);
    const even = new data.DataLoader(rows(8), { batchSize: 4, dropLast: true });
    expect(even.length).toBe(2);
    expect([...even].length).toBe(2);
    const tooFew = new data.DataLoader(rows(3), { batchSize: 4, dropLast: true });
    expect([tooFew.length, [...tooFew].length]).toEqual([0, 0]);
  });

  it('batches one sample at a time by default, keeping the batch axis', () => {
    const batches = [...new data.DataLoader(rows(3))];
    expect(batches.length).toBe(3);
    expect(batches[1]![0].shape).toEqual([1, 2]);
    expect(batches[1]![1].toArray()).toEqual([1]);
  });

  it('an empty dataset gives no batches', () => {
    const loader = new data.DataLoader(new data.TensorDataset(zeros([0, 3])), { batchSize: 2, shuffle: true });
    expect([loader.length, [...loader].length]).toEqual([0, 0]);
  });

  it('shuffles as NumPy permutes: epoch k of a seed is the k-th permutation of np.random.RandomState(seed)', () => {
    expect(fixture.cases.length).toBeGreaterThan(10);
    for (const { seed, n, draws } of fixture.cases) {
      const loader = new data.DataLoader(new data.TensorDataset(arange(n)), { batchSize: Math.max(n, 1), shuffle: true, rng: new RandomState(seed) });
      for (const [epoch, want] of draws.entries()) {
        const got = firsts(loader).flat();
        const where = `seed ${seed}, n ${n}, epoch ${epoch} (NumPy ${fixture.numpy})`;
        if (want.all !== undefined) expect(got, where).toEqual(want.all);
        else {
          expect(got.slice(0, want.head!.length), where).toEqual(want.head);
          expect(got.slice(-want.tail!.length), where).toEqual(want.tail);
        }
      }
    }
  });

  it('takes every sample once per epoch, in a new order each epoch, rows aligned', () => {
    const loader = new data.DataLoader(rows(50), { batchSize: 7, shuffle: true, rng: new RandomState(3) });
    const epochs = [0, 1, 2].map(() => {
      const order: number[] = [];
      for (const [x, y] of loader) {
        expect(x.select(1, 0).toArray()).toEqual(y.toArray()); // x[i] = [i, 10 i] came with y[i] = i
        order.push(...y.data);
      }
      return order;
    });
    for (const order of epochs) expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochs[1]).not.toEqual(epochs[0]);
    expect(epochs[2]).not.toEqual(epochs[1]);
  });

  it('the same seed gives the same batches; without rng it draws from the global generator when iterated', () => {
    const run = (rng?: RandomState): number[][] => firsts(new data.DataLoader(rows(20), { batchSize: 6, shuffle: true, ...(rng && { rng }) }));
    expect(run(new RandomState(7))).toEqual(run(new RandomState(7)));
    expect(run(new RandomState(7))).not.toEqual(run(new RandomState(8)));
    const loader = new data.DataLoader(rows(20), { batchSize: 6, shuffle: true }); // made before seeding
    manualSeed(7);
    expect(firsts(loader)).toEqual(run(new RandomState(7)));
    manualSeed(7);
    expect(run()).toEqual(run(new RandomState(7)));
    manualSeed(0);
  });

  it('stacks the samples of any dataset (an object with length and get) as TensorDataset batches them', () => {
    const ds = rows(7);
    const plain: data.Dataset<[Tensor, Tensor]> = { length: 7, get: (i) => ds.get(i) };
    const opts = { batchSize: 3, shuffle: true };
    const a = [...new data.DataLoader(plain, { ...opts, rng: new RandomState(1) })];
    const b = [...new data.DataLoader(ds, { ...opts, rng: new RandomState(1) })];
    expect(a.map((t) => t.map((x) => x.toArray()))).toEqual(b.map((t) => t.map((x) => x.toArray())));
  });
});

describe('Subset and randomSplit', () => {
  it('a Subset is the dataset at its indices, for get, getBatch and a DataLoader', () => {
    const sub = new data.Subset(rows(10), [7, 2, 5]);
    expect(sub.length).toBe(3);
    expect(sub.get(0)[1].item()).toBe(7);
    expect(sub.getBatch(new Int32Array([2, 1]))[0].toArray()).toEqual([[5, 50], [2, 20]]);
    expect(firsts(new data.DataLoader(sub, { batchSize: 2 }))).toEqual([[7, 70, 2, 20], [5, 50]]);
  });

  it('splits one NumPy permutation into parts of the given counts', () => {
    const [a, b, c] = data.randomSplit(rows(10), [5, 3, 2], { rng: new RandomState(0) });
    const numpy = fixture.cases.find((k) => k.seed === 0 && k.n === 10)!.draws[0]!.all!;
    expect([...a.indices, ...b.indices, ...c.indices]).toEqual(numpy);
    expect([a.length, b.length, c.length]).toEqual([5, 3, 2]);
  });

  it('fractions: floor of each share, the remainder to the first parts (PyTorch 1.13: [4, 3, 3], [1438, 359], [4, 3])', () => {
    const lengths = (n: number, fs: number[]): number[] => data.randomSplit(new data.TensorDataset(zeros([n])), fs).map((s) => s.length);
    expect(lengths(10, [0.33, 0.33, 0.34])).toEqual([4, 3, 3]);
    expect(lengths(1797, [0.8, 0.2])).toEqual([1438, 359]);
    expect(lengths(7, [0.5, 0.5])).toEqual([4, 3]);
  });
});

describe('bad input', () => {
  it('TensorDataset names the tensors that do not fit', () => {
    expect(() => new data.TensorDataset(zeros([4, 2]), zeros([3]))).toThrow(
      'TensorDataset: size mismatch in the first dimension: tensor 0 has 4 rows (shape [4, 2]), tensor 1 has 3 (shape [3])');
    expect(() => new data.TensorDataset(zeros([4]), tensor(1))).toThrow('TensorDataset: tensor 1 is 0-d (shape [])');
    expect(() => new data.TensorDataset()).toThrow('TensorDataset: expected at least one tensor');
    expect(() => new data.TensorDataset(zeros([2]), [1, 2] as never)).toThrow('TensorDataset: argument 1 is not a tensor, got an array ([1,2])');
    expect(() => rows(3).get(3)).toThrow('TensorDataset.get: index 3 is out of range for a dataset of length 3');
    expect(() => rows(3).get(1.5)).toThrow('TensorDataset.get: index 1.5 is out of range');
  });

  it('DataLoader refuses a bad batchSize, flag, generator or dataset, naming the value', () => {
    const ds = rows(4);
    for (const [batchSize, shown] of [[0, '0'], [-2, '-2'], [1.5, '1.5'], ['2', "'2'"], [null, 'null']] as const) {
      expect(() => new data.DataLoader(ds, { batchSize: batchSize as never })).toThrow(`DataLoader: batchSize must be a positive integer, got ${shown}`);
    }
    expect(() => new data.DataLoader(ds, { shuffle: 1 as never })).toThrow('DataLoader: shuffle must be true or false, got number 1');
    expect(() => new data.DataLoader(ds, { dropLast: 'yes' as never })).toThrow("DataLoader: dropLast must be true or false, got the string 'yes'");
    expect(() => new data.DataLoader(ds, { rng: 3 as never })).toThrow('DataLoader: rng must be a RandomState, got number 3');
    expect(() => new data.DataLoader(ds, 4 as never)).toThrow('DataLoader: options must be an object');
    const notDatasets: [unknown, string][] = [[zeros([4, 2]), 'a tensor of shape [4, 2]'], [[1, 2], 'an array'], [{ length: 2 }, 'an object'],
      [{ length: -1, get: () => [] }, 'an object'], [undefined, 'undefined']];
    for (const [d, shown] of notDatasets) {
      expect(() => new data.DataLoader(d as never)).toThrow(`DataLoader: expected a dataset (an object with a length and get(i), such as a TensorDataset), got ${shown}`);
    }
  });

  it('DataLoader names a sample that is not a tuple of tensors', () => {
    const bad = { length: 3, get: (i: number) => (i === 2 ? tensor([2]) : [tensor([i])]) };
    expect(() => [...new data.DataLoader(bad as never, { batchSize: 3 })]).toThrow(
      'DataLoader: dataset.get(2) returned a tensor of shape [1]; every sample must be an array of 1 tensors');
  });

  it('Subset and randomSplit name the index or the lengths', () => {
    expect(() => new data.Subset(rows(3), [0, 3])).toThrow('Subset: index 3 at position 1 is out of range for a dataset of length 3');
    expect(() => new data.Subset(rows(3), [0, 3]).getBatch(new Int32Array([1]))).toThrow('Subset');
    expect(() => new data.Subset(rows(3), [0, 1]).getBatch(new Int32Array([2]))).toThrow('Subset.getBatch: index 2 is out of range for a dataset of length 2');
    expect(() => data.randomSplit(rows(10), [5, 4])).toThrow("randomSplit: lengths [5, 4] are neither counts that add up to the dataset's length 10 nor fractions that add up to 1");
    expect(() => data.randomSplit(rows(10), [0.5, 0.4])).toThrow('randomSplit: lengths [0.5, 0.4] are neither counts');
    expect(() => data.randomSplit(rows(10), [])).toThrow('randomSplit: lengths must be a non-empty array of counts or fractions');
    expect(() => data.randomSplit(rows(10), [-1, 11])).toThrow('randomSplit: lengths must be a non-empty array');
    expect(() => data.randomSplit(zeros([10]) as never, [5, 5])).toThrow('randomSplit: expected a dataset');
  });
});

describe('types', () => {
  // The usage below is type-checked by tsc under the strict flags the README recommends: a TensorDataset of two
  // tensors gives `[Tensor, Tensor]` batches, and a third element is an error (@ts-expect-error fails if it is not).
  const usage = `import { data, tensor, type Tensor } from '../../src/index.ts';
const ds = new data.TensorDataset(tensor([[1, 2], [3, 4]]), tensor([0, 1]));
const loader = new data.DataLoader(ds, { batchSize: 2, shuffle: true });
for (const batch of loader) {
  const pair: [Tensor, Tensor] = batch;
  const [x, y] = batch;
  x.matmul(tensor([[1], [1]])).add(y.reshape(-1, 1));
  // @ts-expect-error: a batch of a two-tensor dataset has no third tensor
  const [, , z] = batch;
  void pair; void z;
}
const sample: [Tensor, Tensor] = ds.get(0);
const [train, test] = data.randomSplit(ds, [0.5, 0.5]); // one Subset per length
const sub: data.Subset<[Tensor, Tensor]> = test;
void train.length;
const custom: data.Dataset<[Tensor]> = { length: 2, get: (i) => [tensor([i])] };
const single: data.DataLoader<[Tensor]> = new data.DataLoader(custom);
// @ts-expect-error: options are checked (batchSize is a number)
new data.DataLoader(ds, { batchSize: '2' });
void sample; void sub; void single;
`;

  it('batches are typed per tensor of the dataset', () => {
    const dir = join(root, 'test', '.data-types');
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'usage.ts'), usage);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        extends: '../../tsconfig.json',
        compilerOptions: { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noEmit: true },
        include: ['usage.ts'],
      }));
      const r = spawnSync(bin('tsc'), ['-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
      if (r.error) throw r.error;
      // Only diagnostics of the usage count (the library's files are checked under tsconfig.json's own flags).
      const diagnostics = (r.stdout + r.stderr).split(/\n(?! )/).filter((d) => d.trim() !== '' && !d.startsWith('../../src/'));
      expect(diagnostics.join('\n')).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

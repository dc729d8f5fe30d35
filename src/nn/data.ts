// Data loading as PyTorch's torch.utils.data: a dataset is numbered samples, each a tuple of tensors; a DataLoader
// cuts it into batches, in order or in a new seeded permutation each epoch, and stacks each batch's samples.
import { stack, Tensor, type RandomState } from '../autograd/index.ts';
import { flagOf, optionsOf, rngOf, what } from '../autograd/options.ts';
import { fmt, show } from '../tensor/shape.ts';

/**
 * What a {@link DataLoader} loads (PyTorch's map-style Dataset): `length` samples, sample i the tuple of tensors
 * `get(i)`. Any object of this shape is a dataset. `getBatch`, when present, gives several samples at once, each
 * tensor of the tuple stacked along a new first axis; without it the loader stacks `get(i)` of each index.
 *
 * @example
 * ```ts
 * const squares = { length: 3, get: (i) => [tensor([i]), tensor(i * i)] };
 * const [x, y] = [...new data.DataLoader(squares, { batchSize: 3 })][0];
 * x // [[0], [1], [2]]
 * y // [0, 1, 4]
 * ```
 */
export interface Dataset<T extends Tensor[] = Tensor[]> {
  /** The number of samples. */
  readonly length: number;
  /** Sample `index`, for 0 ≤ index < length: a tuple of tensors. */
  get(index: number): T;
  /** The samples at `indices` (each in [0, length)) as one tuple, each tensor the samples' tensors stacked. */
  getBatch?(indices: Int32Array): T;
}

/** Throw unless `d` has a length (a non-negative integer) and a get method, naming `fn`. */
function checkDataset(fn: string, d: unknown): asserts d is Dataset {
  const ds = d as Partial<Dataset> | null;
  const ok = typeof ds === 'object' && ds !== null && !(ds instanceof Tensor) && Number.isInteger(ds.length) && ds.length! >= 0 && typeof ds.get === 'function';
  if (!ok) throw new Error(`${fn}: expected a dataset (an object with a length and get(i), such as a TensorDataset), got ${what(d)}`);
}

/** An index into `length` items, checked; a negative one counts from the end, as Python's indexing. */
function indexIn(fn: string, index: unknown, length: number): number {
  if (!Number.isInteger(index) || (index as number) < -length || (index as number) >= length) {
    throw new Error(`${fn}: index ${show(index)} is out of range for a dataset of length ${length}`);
  }
  return (index as number) < 0 ? (index as number) + length : (index as number);
}

/**
 * Tensors of the same first dimension as a dataset (PyTorch's TensorDataset): sample i is the tuple of their i-th
 * rows. A DataLoader gathers a batch of it with one copy per tensor (indexSelect).
 *
 * @example
 * ```ts
 * const ds = new data.TensorDataset(tensor([[1, 2], [3, 4], [5, 6]]), tensor([0, 1, 0]));
 * ds.length // 3
 * ds.get(1) // [[3, 4], 1]
 * new data.TensorDataset(zeros([3, 2]), zeros([4])) // throws 'tensor 0 has 3 rows (shape [3, 2]), tensor 1 has 4 (shape [4])'
 * ```
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  /** The tensors, each with one row per sample. */
  readonly tensors: T;

  /** A dataset of the rows of `tensors`: at least one, none 0-d, all of the same first dimension. */
  constructor(...tensors: T) {
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new Error(`TensorDataset: argument ${k} is not a tensor, got ${what(t)}`);
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${k} is 0-d (shape []); each tensor needs a first dimension of samples`);
    });
    const [first] = tensors, k = tensors.findIndex((t) => t.shape[0] !== first.shape[0]);
    if (k >= 0) {
      throw new Error(`TensorDataset: size mismatch in the first dimension: tensor 0 has ${first.shape[0]} rows ` +
        `(shape ${fmt(first.shape)}), tensor ${k} has ${tensors[k].shape[0]} (shape ${fmt(tensors[k].shape)})`);
    }
    this.tensors = tensors;
  }

  /** The number of samples: the tensors' first dimension. */
  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** Row `index` of each tensor (negative: from the end). */
  get(index: number): T {
    const i = indexIn('TensorDataset.get', index, this.length);
    return this.tensors.map((t) => t.select(0, i)) as T;
  }

  /**
   * The rows at `indices` of each tensor, one copy per tensor.
   *
   * @example
   * ```ts
   * new data.TensorDataset(tensor([10, 11, 12])).getBatch(new Int32Array([2, 0])) // [[12, 10]]
   * ```
   */
  getBatch(indices: Int32Array): T {
    return this.tensors.map((t) => t.indexSelect(0, indices)) as T;
  }
}

/**
 * The samples of `dataset` at `indices`, in that order (PyTorch's Subset): what {@link randomSplit} returns.
 *
 * @example
 * ```ts
 * const evens = new data.Subset(new data.TensorDataset(arange(6)), [0, 2, 4]);
 * evens.length // 3
 * evens.get(2) // [4]
 * ```
 */
export class Subset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  /** The dataset the samples come from. */
  readonly dataset: Dataset<T>;
  /** The indices of the samples in `dataset`, in order. */
  readonly indices: Int32Array;

  /** The samples of `dataset` at `indices` (integers in [0, dataset.length); repeats allowed). */
  constructor(dataset: Dataset<T>, indices: ArrayLike<number>) {
    checkDataset('Subset', dataset);
    if (typeof indices !== 'object' || indices === null || !Number.isInteger(indices.length)) {
      throw new Error(`Subset: indices must be an array of integers, got ${what(indices)}`);
    }
    const n = dataset.length;
    this.indices = Int32Array.from({ length: indices.length }, (_, k) => {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`Subset: index ${show(i)} at position ${k} is out of range for a dataset of length ${n}`);
      return i;
    });
    this.dataset = dataset;
  }

  /** The number of samples, the number of indices. */
  get length(): number {
    return this.indices.length;
  }

  /** Sample `index` of the subset: the dataset's sample at indices[index]. */
  get(index: number): T {
    return this.dataset.get(this.indices[indexIn('Subset.get', index, this.length)]);
  }

  /** The subset's samples at `indices`, as the dataset gives them (getBatch, or get per index and stack). */
  getBatch(indices: Int32Array): T {
    return batchOf(this.dataset, indices.map((i) => this.indices[indexIn('Subset.getBatch', i, this.length)]));
  }
}

/**
 * Split `dataset` into non-overlapping random subsets, one per length (PyTorch's random_split): counts that
 * add up to its length, or fractions that add up to 1 (each part then gets floor(fraction · length) samples and the
 * remainder goes one by one to the first parts, as PyTorch shares it out). The order is one permutation drawn from
 * `opts.rng` (default the global generator), as NumPy's `RandomState.permutation` draws it.
 *
 * @example
 * ```ts
 * const [train, test] = data.randomSplit(new data.TensorDataset(arange(10)), [0.8, 0.2], { rng: new RandomState(0) });
 * [train.length, test.length] // [8, 2]
 * test.indices // [0, 5]
 * ```
 */
export function randomSplit<T extends Tensor[], const L extends readonly number[]>(dataset: Dataset<T>, lengths: L, opts?: { rng?: RandomState }): { -readonly [K in keyof L]: Subset<T> } {
  checkDataset('randomSplit', dataset);
  const rng = rngOf('randomSplit', optionsOf('randomSplit', opts).rng), n = dataset.length;
  if (!Array.isArray(lengths) || lengths.length === 0 || lengths.some((l) => typeof l !== 'number' || !(l >= 0))) {
    throw new Error(`randomSplit: lengths must be a non-empty array of counts or fractions (numbers ≥ 0), got ${show(lengths)}`);
  }
  const sum = lengths.reduce((s, l) => s + l, 0);
  const counts = Math.abs(sum - 1) <= 1e-9 && sum <= n ? fractions(lengths, n) : lengths;
  if (counts.some((c) => !Number.isInteger(c)) || counts.reduce((s, c) => s + c, 0) !== n) {
    throw new Error(`randomSplit: lengths ${show(lengths)} are neither counts that add up to the dataset's length ${n} nor fractions that add up to 1`);
  }
  const order = permutation(n, rng);
  let start = 0;
  return counts.map((c) => new Subset(dataset, order.subarray(start, (start += c)))) as { -readonly [K in keyof L]: Subset<T> };
}

/** Counts from fractions of n: floor(f·n) each, then the remainder one by one from the first part on (PyTorch's rule). */
function fractions(fs: readonly number[], n: number): number[] {
  const counts = fs.map((f) => Math.floor(n * f));
  const rest = n - counts.reduce((s, c) => s + c, 0);
  for (let i = 0; i < rest; i++) counts[i % counts.length]++;
  return counts;
}

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch (default 1): a positive integer. */
  batchSize?: number;
  /** Draw a new order of the samples at the start of each iteration (default false: in order). */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator the orders are drawn from; default the global one, as it is when an iteration starts. */
  rng?: RandomState;
}

/**
 * Batches of a dataset, as PyTorch's DataLoader: iterate it (`for (const [x, y] of loader)`) for one epoch of
 * batches, each the dataset's tuple with its tensors stacked along a new first axis (a TensorDataset of two tensors
 * gives `[Tensor, Tensor]`). With `shuffle`, each iteration draws a new permutation from `rng`, as NumPy's
 * `RandomState.permutation` draws it, so the same seed gives the same batches; every sample comes once per epoch.
 * The last batch is smaller when batchSize does not divide the length, unless `dropLast` leaves it out.
 *
 * @example
 * ```ts
 * const loader = new data.DataLoader(new data.TensorDataset(arange(5)), { batchSize: 2 });
 * loader.length // 3
 * [...loader].map(([x]) => x.toArray()) // [[0, 1], [2, 3], [4]]
 * const shuffled = new data.DataLoader(new data.TensorDataset(arange(5)), { batchSize: 5, shuffle: true, rng: new RandomState(0) });
 * [...shuffled][0][0] // [2, 0, 1, 3, 4]
 * ```
 */
export class DataLoader<T extends Tensor[] = Tensor[]> implements Iterable<T> {
  /** The dataset the batches come from. */
  readonly dataset: Dataset<T>;
  /** Samples per batch (the last batch may have fewer, unless dropLast). */
  readonly batchSize: number;
  /** Whether each iteration draws a new order of the samples. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than batchSize is left out. */
  readonly dropLast: boolean;
  /** The generator of the orders, or undefined for the global one. */
  readonly rng: RandomState | undefined;

  /** Batches of `dataset` (see {@link DataLoaderOptions} for the options and their defaults). */
  constructor(dataset: Dataset<T>, opts?: DataLoaderOptions) {
    checkDataset('DataLoader', dataset);
    const o = optionsOf('DataLoader', opts), batchSize = o.batchSize === undefined ? 1 : o.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${show(batchSize)}`);
    if (o.rng !== undefined) rngOf('DataLoader', o.rng); // refuses a non-generator now; the global one is read per epoch
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = flagOf('DataLoader', 'shuffle', o.shuffle, false);
    this.dropLast = flagOf('DataLoader', 'dropLast', o.dropLast, false);
    this.rng = o.rng;
  }

  /** The number of batches in an epoch: length / batchSize, rounded up (down with dropLast). */
  get length(): number {
    const batches = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(batches) : Math.ceil(batches);
  }

  /** One epoch of batches; with shuffle, its order is drawn now. */
  [Symbol.iterator](): IterableIterator<T> {
    const n = this.dataset.length, order = this.shuffle ? permutation(n, rngOf('DataLoader', this.rng)) : identity(n);
    return epoch(this.dataset, order, this.batchSize, this.length);
  }
}

/** `count` batches of `size` samples (the last may be short) of `dataset`, taken in `order`. */
function* epoch<T extends Tensor[]>(dataset: Dataset<T>, order: Int32Array, size: number, count: number): IterableIterator<T> {
  for (let b = 0; b < count; b++) yield batchOf(dataset, order.subarray(b * size, (b + 1) * size));
}

/** The samples at `indices`, stacked: the dataset's getBatch, or each sample's tensors stacked. */
function batchOf<T extends Tensor[]>(dataset: Dataset<T>, indices: Int32Array): T {
  if (typeof dataset.getBatch === 'function') return dataset.getBatch(indices);
  const samples = Array.from(indices, (i) => dataset.get(i));
  const arity = Array.isArray(samples[0]) ? samples[0].length : 0;
  samples.forEach((s, k) => {
    if (!Array.isArray(s) || s.length !== arity || arity === 0 || !s.every((t) => t instanceof Tensor)) {
      throw new Error(`DataLoader: dataset.get(${indices[k]}) returned ${what(s)}; every sample must be an array of ${arity || 'one or more'} tensors`);
    }
  });
  return samples[0].map((_, j) => stack(samples.map((s) => s[j]))) as T;
}

/** 0, 1, …, n − 1. */
function identity(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/**
 * A permutation of 0, …, n − 1 drawn as NumPy's legacy `RandomState.permutation(n)`: Fisher–Yates from the last
 * place down, each swap's partner j uniform in [0, i] by masked rejection (NumPy's random_interval).
 */
function permutation(n: number, rng: RandomState): Int32Array {
  const p = identity(n);
  for (let i = n - 1; i > 0; i--) {
    let mask = i; // the smallest all-ones mask covering i
    mask |= mask >>> 1; mask |= mask >>> 2; mask |= mask >>> 4; mask |= mask >>> 8; mask |= mask >>> 16;
    let j: number;
    do j = rng.next32() & mask; while (j > i);
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

// Making tensors: from nested arrays, constants, ranges and a seeded generator.
import { Tensor } from './tensor.ts';
import { TensorBase } from './tensor-base.ts';
import type { RandomState } from '../tensor/random.ts';
import { checkShape, fmt, MAX_DIMS, shapeArgs, sizeOf, type Shape } from '../tensor/shape.ts';
import { describe } from './op.ts';
import { batching, tape } from './state.ts';
import { decodeNpy } from '../tensor/npy.ts';
import { optionsOf, rngOf } from './options.ts';

/** Options of the functions that make a tensor. */
export interface TensorOptions {
  /** Make the tensor a leaf that requires grad, so that backward computes its `.grad` (default false). */
  requiresGrad?: boolean;
}
/** Options of rand and randn. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

function leaf(data: Float64Array, shape: number[], opts: TensorOptions | undefined, op: string): Tensor {
  const { requiresGrad } = optionsOf(op, opts);
  const t = new Tensor(data, shape);
  if (requiresGrad !== undefined) {
    if (typeof requiresGrad !== 'boolean') throw new Error(`${op}: requiresGrad must be true or false, got ${describe(requiresGrad)}`);
    t.requiresGrad = requiresGrad;
  }
  return t;
}

/**
 * A tensor from a number (0-d) or a nested array of numbers, which must be rectangular: its nesting gives the shape;
 * or from `{ shape, data }`, what JSON.stringify writes for a tensor (its toJSON), data holding the values row-major.
 * The values are copied into a new Float64Array.
 *
 * @example
 * ```ts
 * tensor([[1, 2, 3], [4, 5, 6]]).shape // [2, 3]
 * tensor(5).shape // []
 * tensor([1, 2], { requiresGrad: true }).requiresGrad // true
 * tensor({ shape: [2, 1], data: [1, 2] }) // [[1], [2]]
 * tensor([[1, 2], [3]]) // throws 'ragged'
 * ```
 */
export function tensor(values: number | readonly unknown[] | { shape: readonly number[]; data: readonly number[] }, opts?: TensorOptions): Tensor {
  optionsOf('tensor', opts); // before the values are walked
  if (typeof values === 'object' && values !== null && !Array.isArray(values)) return fromJSON(values, opts);
  const shape: number[] = [];
  for (let v: unknown = values; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (shape.length > MAX_DIMS) throw new Error(`tensor: nested more than ${MAX_DIMS} deep`);
  }
  checkShape('tensor', shape);
  const data = new Float64Array(sizeOf(shape));
  let n = 0;
  // Depth first with an explicit stack (no recursion): [array, dim, index] frames.
  const stack: [readonly unknown[], number, number][] = [];
  const visit = (v: unknown, dim: number, path: () => string): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') throw new Error(`tensor: expected a number at ${path()}, got ${Array.isArray(v) ? 'an array' : describe(v)}`);
      data[n++] = v;
    } else if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new Error(`tensor: ragged nested array: expected ${shape[dim]} entries at ${path()} (shape ${fmt(shape)}), got ${Array.isArray(v) ? v.length : describe(v)}`);
    } else {
      stack.push([v, dim, 0]);
    }
  };
  const where = (): string => `[${stack.map(([, , i]) => i - 1).join(',')}]`;
  visit(values, 0, () => '[]');
  while (stack.length > 0) {
    const top = stack[stack.length - 1], [arr, dim, i] = top;
    if (i === arr.length) { stack.pop(); continue; }
    top[2]++;
    if (!(i in arr)) throw new Error(`tensor: missing entry (a hole in a sparse array) at ${where()}`);
    visit(arr[i], dim + 1, where);
  }
  return leaf(data, shape, opts, 'tensor');
}

/** A tensor from `{ shape, data }` (a tensor's toJSON), checked. */
function fromJSON(v: object, opts: TensorOptions | undefined): Tensor {
  if (v instanceof TensorBase) {
    throw new Error(`tensor: expected a number, a nested array or { shape, data }, got a tensor of shape ${fmt(v.shape)}; copy a tensor with t.clone() (or t.detach() for one outside the graph)`);
  }
  if (ArrayBuffer.isView(v)) {
    throw new Error(`tensor: expected a number, a nested array or { shape, data }, got a ${v.constructor.name}; wrap a Float64Array with Tensor.from(data, shape), or pass Array.from(data)`);
  }
  const { shape, data } = v as { shape?: unknown; data?: unknown };
  if (shape === undefined || data === undefined) {
    throw new Error(`tensor: an object must be { shape, data } (what JSON.stringify writes for a tensor), got ${describe(v)} with keys ${Object.keys(v).slice(0, 8).join(', ') || 'none'}`);
  }
  const s = [...checkShape('tensor', shape)];
  if (!Array.isArray(data) && !(data instanceof Float64Array)) throw new Error(`tensor: data must be an array of numbers, got ${describe(data)}`);
  if (data.length !== sizeOf(s)) throw new Error(`tensor: data has ${data.length} values, but shape ${fmt(s)} holds ${sizeOf(s)}`);
  const values = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const d: unknown = data[i];
    if (typeof d !== 'number') {
      throw new Error(`tensor: data[${i}] is ${describe(d)}, not a number${d === null ? ' (JSON writes NaN and ±Infinity as null)' : ''}`);
    }
    values[i] = d;
  }
  return leaf(values, s, opts, 'tensor');
}

// `op` is the caller's name, so a bad shape in zeros([-1]) is reported as zeros, not full.
function filled(op: string, shape: Shape, value: number, opts?: TensorOptions): Tensor {
  if (typeof value !== 'number') throw new Error(`${op}: fill value must be a number, got ${describe(value)}`);
  const s = [...checkShape(op, shape)];
  return leaf(new Float64Array(sizeOf(s)).fill(value), s, opts, op);
}

/** Dims as f([2, 3]) or f(2, 3), then optional options. */
function dimsAndOptions<O extends object>(op: string, args: readonly unknown[]): [Shape, O | undefined] {
  const last = args[args.length - 1];
  const opts = args.length > 1 && typeof last === 'object' && last !== null && !Array.isArray(last) ? (last as O) : undefined;
  const dims = shapeArgs(opts === undefined ? args : args.slice(0, -1));
  return [checkShape(op, dims), opts];
}

/**
 * A tensor of zeros of `shape`, given as an array (then options may follow) or as numbers.
 *
 * @example
 * ```ts
 * zeros([2, 3]).shape // [2, 3]
 * zeros(2, 2) // [[0, 0], [0, 0]]
 * ```
 */
export function zeros(shape: Shape, opts?: TensorOptions): Tensor;
/** A tensor of zeros of the shape given as numbers: `zeros(2, 3)`. */
export function zeros(...dims: number[]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const [shape, opts] = dimsAndOptions<TensorOptions>('zeros', args);
  return filled('zeros', shape, 0, opts);
}
/**
 * A tensor of ones of `shape`, given as an array (then options may follow) or as numbers.
 *
 * @example
 * ```ts
 * ones([2]) // [1, 1]
 * ones(1, 2) // [[1, 1]]
 * ```
 */
export function ones(shape: Shape, opts?: TensorOptions): Tensor;
/** A tensor of ones of the shape given as numbers: `ones(2, 3)`. */
export function ones(...dims: number[]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const [shape, opts] = dimsAndOptions<TensorOptions>('ones', args);
  return filled('ones', shape, 1, opts);
}
/**
 * A tensor of `shape` with every value `value`.
 *
 * @example
 * ```ts
 * full([2, 2], 7) // [[7, 7], [7, 7]]
 * ```
 */
export const full = (shape: Shape, value: number, opts?: TensorOptions): Tensor => filled('full', shape, value, opts);

/**
 * start, start + step, start + 2·step, … up to but not including stop, as NumPy's arange; `arange(n)` is 0 … n − 1.
 * A 1-D tensor (empty when the range is).
 *
 * @example
 * ```ts
 * arange(4) // [0, 1, 2, 3]
 * arange(1, 2, 0.25) // [1, 1.25, 1.5, 1.75]
 * arange(3, 0, -1) // [3, 2, 1]
 * ```
 */
export function arange(start: number, stop?: number, step = 1, opts?: TensorOptions): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (typeof v !== 'number') throw new Error(`arange: ${name} must be a number, got ${describe(v)}`);
  }
  if (step === 0 || !Number.isFinite(start + stop + step)) throw new Error(`arange: invalid range (${start}, ${stop}, ${step})`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkShape('arange', [n]);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return leaf(data, [n], opts, 'arange');
}

/** A compiled step replays tensor ops, not JavaScript: draws made while it is traced would repeat forever. */
function noDrawsWhileTraced(op: string): void {
  if (tape !== null) throw new Error(`compile: the traced function draws random numbers (${op}), which a replay would repeat; pass them in as an argument`);
  // Nor inside vmap: one draw would serve every example, where a loop over them draws for each (dropout does).
  if (batching !== null) throw new Error(`vmap: ${op} inside vmap would draw the same values for every example; draw them for the whole batch outside and pass them in`);
}


/**
 * Values drawn uniformly from [0, 1), exactly as NumPy's `np.random.random(shape)` draws them from a generator in the
 * same state: `opts.rng`, or the global one (see {@link manualSeed}).
 *
 * @example
 * ```ts
 * rand([2], { rng: new RandomState(0) }) // [0.548814, 0.715189]
 * ```
 */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  noDrawsWhileTraced('rand');
  const s = [...checkShape('rand', shape)];
  return leaf(rngOf('rand', optionsOf('rand', opts).rng).random(s), s, opts, 'rand');
}

/**
 * Values drawn from the standard normal distribution, as NumPy's legacy `np.random.randn(*shape)` draws them
 * (Marsaglia's polar method; the same values to a few ulp) from `opts.rng`, or the global generator.
 *
 * @example
 * ```ts
 * randn([2], { rng: new RandomState(0) }) // [1.764052, 0.400157]
 * ```
 */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  noDrawsWhileTraced('randn');
  const s = [...checkShape('randn', shape)];
  return leaf(rngOf('randn', optionsOf('randn', opts).rng).randn(s), s, opts, 'randn');
}

/**
 * A tensor from the bytes of a NumPy .npy file (what `np.save` writes): little-endian float64 or float32 values
 * (`'<f8'`, `'<f4'`; float32 is read into float64), in C order; format version 1.0 or 2.0. In Node, read the file with
 * `fs.readFileSync`; in a browser, `new Uint8Array(await (await fetch(url)).arrayBuffer())`.
 *
 * @example
 * ```ts
 * fromNpy(tensor([[1.5, 2]]).toNpy()) // [[1.5, 2]]
 * ```
 */
export function fromNpy(bytes: Uint8Array, opts?: TensorOptions): Tensor {
  optionsOf('fromNpy', opts);
  const { data, shape } = decodeNpy(bytes);
  return leaf(data, [...shape], opts, 'fromNpy');
}

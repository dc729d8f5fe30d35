// Making tensors: from nested arrays, constants, ranges and a seeded generator.
import { Tensor } from './tensor.ts';
import { defaultRng, type RandomState } from '../tensor/random.ts';
import { checkShape, fmt, MAX_DIMS, shapeArgs, sizeOf, type Shape } from '../tensor/shape.ts';
import { describe } from './op.ts';
import { tape } from './state.ts';
import { decodeNpy } from '../tensor/npy.ts';

export interface TensorOptions {
  requiresGrad?: boolean;
}
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

function leaf(data: Float64Array, shape: number[], opts: TensorOptions | undefined, op: string): Tensor {
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) throw new Error(`${op}: options must be an object, got ${describe(opts)}`);
  const t = new Tensor(data, shape);
  if (opts?.requiresGrad !== undefined) t.requiresGrad = opts.requiresGrad;
  return t;
}

/** A tensor from a number or a nested array of numbers (rectangular), copied into a Float64Array. */
export function tensor(values: number | readonly unknown[], opts?: TensorOptions): Tensor {
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

export function zeros(shape: Shape, opts?: TensorOptions): Tensor;
export function zeros(...dims: number[]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const [shape, opts] = dimsAndOptions<TensorOptions>('zeros', args);
  return filled('zeros', shape, 0, opts);
}
export function ones(shape: Shape, opts?: TensorOptions): Tensor;
export function ones(...dims: number[]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const [shape, opts] = dimsAndOptions<TensorOptions>('ones', args);
  return filled('ones', shape, 1, opts);
}
export const full = (shape: Shape, value: number, opts?: TensorOptions): Tensor => filled('full', shape, value, opts);

/** start, start + step, … below stop (or arange(n) = 0 … n − 1), as NumPy. */
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
}


/** Uniform on [0, 1), drawn exactly as NumPy's np.random.random(shape) for the same RandomState. */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  noDrawsWhileTraced('rand');
  const s = [...checkShape('rand', shape)];
  return leaf((opts?.rng ?? defaultRng()).random(s), s, opts, 'rand');
}

/** Standard normal, drawn as NumPy's legacy np.random.randn (Marsaglia's polar method). */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  noDrawsWhileTraced('randn');
  const s = [...checkShape('randn', shape)];
  return leaf((opts?.rng ?? defaultRng()).randn(s), s, opts, 'randn');
}

/** A tensor from the bytes of a NumPy .npy file (float64 or float32, C order; version 1.0 or 2.0). */
export function fromNpy(bytes: Uint8Array, opts?: TensorOptions): Tensor {
  const { data, shape } = decodeNpy(bytes);
  return leaf(data, [...shape], opts, 'fromNpy');
}

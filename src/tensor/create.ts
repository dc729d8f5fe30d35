// Making tensors: from nested arrays, constants, ranges and a seeded generator.
import { Tensor } from './tensor.ts';
import { RandomState } from './random.ts';
import { checkShape, fmt, sizeOf, type Shape } from './shape.ts';
import { decodeNpy } from './npy.ts';

export interface TensorOptions {
  requiresGrad?: boolean;
}
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from; defaults to the global one (see manualSeed). */
  rng?: RandomState;
}

/** A tensor from a number or a nested array of numbers (rectangular), copied into a Float64Array. */
export function tensor(values: number | readonly unknown[], opts: TensorOptions = {}): Tensor {
  const shape: number[] = [];
  for (let v: unknown = values; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data = new Float64Array(sizeOf(shape));
  let n = 0;
  const fill = (v: unknown, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') throw new Error(`tensor: expected a number at [${path}], got ${Array.isArray(v) ? 'an array' : typeof v}`);
      data[n++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new Error(`tensor: ragged nested array: expected ${shape[dim]} entries at [${path}] (shape ${fmt(shape)}), got ${Array.isArray(v) ? v.length : typeof v}`);
    }
    v.forEach((u, i) => fill(u, dim + 1, [...path, i]));
  };
  fill(values, 0, []);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

// `op` is the caller's name, so a bad shape in zeros([-1]) is reported as zeros, not full.
function filled(op: string, shape: Shape, value: number, opts: TensorOptions): Tensor {
  const s = [...checkShape(op, shape)];
  return new Tensor(new Float64Array(sizeOf(s)).fill(value), s, opts.requiresGrad ?? false);
}
export const full = (shape: Shape, value: number, opts: TensorOptions = {}): Tensor => filled('full', shape, value, opts);
export const zeros = (shape: Shape, opts: TensorOptions = {}): Tensor => filled('zeros', shape, 0, opts);
export const ones = (shape: Shape, opts: TensorOptions = {}): Tensor => filled('ones', shape, 1, opts);

/** start, start + step, … below stop (or arange(n) = 0 … n − 1), as NumPy. */
export function arange(start: number, stop?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(start + stop + step)) throw new Error(`arange: invalid range (${start}, ${stop}, ${step})`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], opts.requiresGrad ?? false);
}

let globalRng = new RandomState(0);

/** Reseed the generator that rand/randn (and layer initializers) use by default. */
export function manualSeed(seed: number): void {
  globalRng = new RandomState(seed);
}
export const defaultRng = (): RandomState => globalRng;

/** Uniform on [0, 1), drawn exactly as NumPy's np.random.random(shape) for the same RandomState. */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  const s = [...checkShape('rand', shape)];
  return new Tensor((opts.rng ?? globalRng).random(s), s, opts.requiresGrad ?? false);
}

/** Standard normal, drawn as NumPy's legacy np.random.randn (Marsaglia's polar method). */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  const s = [...checkShape('randn', shape)];
  return new Tensor((opts.rng ?? globalRng).randn(s), s, opts.requiresGrad ?? false);
}

/** A tensor from the bytes of a NumPy .npy file (float64 or float32, C order; version 1.0 or 2.0). */
export function fromNpy(bytes: Uint8Array, opts: TensorOptions = {}): Tensor {
  const { data, shape } = decodeNpy(bytes);
  return Tensor.from(data, shape, opts);
}

// Shapes: sizes, row-major strides, NumPy broadcasting and axis checks.
import { MAX_SIZE } from './storage.ts';

/** The size of each dimension of a tensor, outermost first: `[]` for a single value, `[2, 3]` for 2 rows of 3. */
export type Shape = readonly number[];

/** As NumPy: more dims than this is refused. */
export const MAX_DIMS = 64;

export const fmt = (s: Shape): string => `[${s.join(', ')}]`;

/** A value as an error message shows it: strings quoted, arrays bracketed, plain objects and functions named. */
export const show = (v: unknown): string =>
  typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : typeof v === 'function' ? 'a function'
    : typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype ? 'an object' : String(v);

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides of a contiguous array of `shape`. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  for (let d = shape.length - 1, k = 1; d >= 0; d--) {
    s[d] = k;
    k *= shape[d];
  }
  return s;
}

export function checkShape(op: string, shape: unknown): Shape {
  if (!Array.isArray(shape)) throw new Error(`${op}: a shape must be an array of dimensions, got ${show(shape)}`);
  if (shape.length > MAX_DIMS) throw new Error(`${op}: shape has ${shape.length} dims, more than the ${MAX_DIMS} allowed`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: invalid shape ${show(shape)} (dimensions must be non-negative integers)`);
  }
  if (sizeOf(shape) > MAX_SIZE) throw new Error(`${op}: shape ${fmt(shape)} has ${sizeOf(shape)} elements, more than the ${MAX_SIZE} a Float64Array can hold`);
  return shape;
}

/** Dims given either as separate numbers, f(2, 3), or as one array, f([2, 3]). */
export function shapeArgs(args: readonly unknown[]): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? args[0] : [...args];
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting: align on the right, each pair of dims equal or one of them 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read an array of `shape` while walking `out` (0 along broadcast dims). */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, j = out.length - 1; i >= 0; i--, j--) {
    strides[j] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/** Resolve a possibly negative axis, or throw naming the op and shape. */
export function normalizeAxis(op: string, axis: unknown, shape: Shape): number {
  const nd = shape.length;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -nd || axis >= nd) {
    throw new Error(`${op}: axis ${show(axis)} is out of range for shape ${fmt(shape)}`);
  }
  return axis < 0 ? axis + nd : axis;
}

/** Axes to reduce (all when omitted), validated and sorted. */
export function reductionAxes(op: string, shape: Shape, axis?: number | readonly number[]): number[] {
  if (axis === undefined || axis === null) return shape.map((_, i) => i);
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a: unknown) => normalizeAxis(op, a, shape));
  if (new Set(axes).size !== axes.length) throw new Error(`${op}: repeated axis in ${show(axis)} for shape ${fmt(shape)}`);
  return axes.sort((p, q) => p - q);
}

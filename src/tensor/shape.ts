// Shapes: sizes, row-major strides, NumPy broadcasting and axis checks.

export type Shape = readonly number[];

export const fmt = (s: Shape): string => `[${s.join(', ')}]`;

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(op: string, shape: Shape): Shape {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: invalid shape ${fmt(shape)} (dimensions must be non-negative integers)`);
  }
  return shape;
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
export function normalizeAxis(op: string, axis: number, shape: Shape): number {
  const nd = shape.length;
  if (!Number.isInteger(axis) || axis < -nd || axis >= nd) {
    throw new Error(`${op}: axis ${axis} is out of range for shape ${fmt(shape)}`);
  }
  return axis < 0 ? axis + nd : axis;
}

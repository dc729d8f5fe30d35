// A readable toString, in the spirit of PyTorch's: aligned values, long dims elided.
import { sizeOf, type Shape } from './shape.ts';

const EDGE = 3; // a dim longer than 2·EDGE shows its first and last EDGE entries

function formatter(data: Float64Array): (v: number) => string {
  let big = 0, small = Infinity, ints = true;
  for (const v of data) {
    if (!Number.isFinite(v)) continue;
    const m = Math.abs(v);
    if (m > big) big = m;
    if (m > 0 && m < small) small = m;
    if (!Number.isInteger(v)) ints = false;
  }
  if (ints && big < 1e9) return (v) => String(v);
  if (big >= 1e4 || small < 1e-4) return (v) => (Number.isFinite(v) ? v.toExponential(4) : String(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
}

/** `tensor([[1, 2], [3, 4]]` and then `extra` (e.g. `, gradFn=mul`) and `)`. */
export function format(data: Float64Array, shape: Shape, extra: string): string {
  const show = formatter(data);
  const width = data.reduce((w, v) => Math.max(w, show(v).length), 0);
  const pad = (v: number): string => show(v).padStart(width);
  const indent = 'tensor('.length;
  const body = (dim: number, off: number): string => {
    if (dim === shape.length) return pad(data[off]);
    const n = shape[dim];
    const step = sizeOf(shape.slice(dim + 1));
    const idx = n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? '...' : body(dim + 1, off + i * step)));
    const sep = dim === shape.length - 1 ? ', ' : ',' + '\n'.repeat(shape.length - 1 - dim) + ' '.repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  return `tensor(${body(0, 0)}${extra})`;
}

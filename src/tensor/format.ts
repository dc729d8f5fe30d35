// A readable toString, in the spirit of PyTorch's: aligned values, long dims elided.
import type { Tensor } from './tensor.ts';
import { sizeOf } from './shape.ts';

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

export function format(t: Tensor): string {
  const show = formatter(t.data);
  const width = t.data.reduce((w, v) => Math.max(w, show(v).length), 0);
  const pad = (v: number): string => show(v).padStart(width);
  const indent = 'tensor('.length;
  const body = (dim: number, off: number): string => {
    if (dim === t.ndim) return pad(t.data[off]);
    const n = t.shape[dim];
    const step = sizeOf(t.shape.slice(dim + 1));
    const idx = n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? '...' : body(dim + 1, off + i * step)));
    const sep = dim === t.ndim - 1 ? ', ' : ',' + '\n'.repeat(t.ndim - 1 - dim) + ' '.repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const extra = t.node ? `, gradFn=${t.node.op}` : t.requiresGrad ? ', requiresGrad=true' : '';
  return `tensor(${body(0, 0)}${extra})`;
}

// Padding (PyTorch's F.pad): the output is the input with rows and columns added around its last dims, each new
// element a constant, a mirror image of the input (reflect) or its edge (replicate); negative padding crops. Every
// output element reads one input element or the constant, so the op is linear in x plus a constant, and its
// derivative is the adjoint: the gradient added back where each element was read from (several times, for a
// reflected or replicated edge). That adjoint is an op whose own rule is the padding again, with the constant 0.
import { padRows, unpadRows } from '../../tensor/kernels.ts';
import { fmt, show, sizeOf, stridesOf } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor } from '../op.ts';
import { what } from '../options.ts';

/** How {@link pad} fills: a constant value, the input mirrored at its edge (without repeating it), or the edge repeated. */
export type PadMode = 'constant' | 'reflect' | 'replicate';

/** Where each output element comes from: an offset into x for each output row and each column, −1 for the constant. */
interface Geometry { rows: Int32Array; cols: Int32Array; value: number }

const PAD: OpDef<Geometry> = makeOp({
  name: 'pad',
  forward: (out, [x], a) => padRows(x.buf, x.off, a.rows, a.cols, a.value, out.buf, out.off),
  grads: [(g, [x], _y, a) => apply(UNPAD, g, [g], x.shape, a)],
  tangent: ([t], _x, y, a) => apply(PAD, t!, [t!], y.shape, { ...a, value: 0 }), // linear: t padded, with 0 for the constant
  batch: ([x], _b, a, shape) => apply(PAD, x, [x], [x.shape[0], ...shape], batchOf(a, x.shape[0], sizeOf(x.shape.slice(1)))),
});
const UNPAD: OpDef<Geometry> = makeOp({
  name: 'padBackward',
  forward: (out, [g], a) => unpadRows(g.buf, g.off, a.rows, a.cols, out.buf, out.off),
  grads: [(gg, [g], _y, a) => apply(PAD, gg, [gg], g.shape, { ...a, value: 0 })],
  tangent: ([t], _g, y, a) => apply(UNPAD, t!, [t!], y.shape, a),
  batch: ([g], _b, a, shape) => apply(UNPAD, g, [g], [g.shape[0], ...shape], batchOf(a, g.shape[0], sizeOf(shape))),
});

/** The geometry for a batch of B examples of `size` values each (vmap): every example's rows, at its offset. */
function batchOf(a: Geometry, B: number, size: number): Geometry {
  const rows = new Int32Array(B * a.rows.length);
  for (let b = 0, k = 0; b < B; b++) for (const r of a.rows) rows[k++] = r < 0 ? -1 : r + b * size;
  return { ...a, rows };
}

const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate'];

/** Input index for each of the `size + l + r` output positions along one dim, or −1 where the constant goes. */
function sourceIndices(mode: PadMode, size: number, l: number, r: number): Int32Array {
  const at = new Int32Array(size + l + r);
  for (let o = 0; o < at.length; o++) {
    const i = o - l;
    at[o] = mode === 'constant' ? (i >= 0 && i < size ? i : -1)
      : mode === 'reflect' ? (i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i)
        : Math.min(Math.max(i, 0), size - 1);
  }
  return at;
}

/**
 * x padded around its last dims (PyTorch's `F.pad`): `pad` lists [left, right] for the last dim first, then [top,
 * bottom] for the one before, …, for as many dims as it has pairs. `mode` 'constant' fills with `value`; 'reflect'
 * mirrors the input at its edge without repeating the edge (each pad must be below that dim's size); 'replicate'
 * repeats the edge. A negative pad crops, in every mode, as PyTorch does; the output may be empty in constant
 * mode only. Unlike PyTorch 1.13, reflect and replicate take any tensor (no batch dim is required).
 *
 * @example
 * ```ts
 * pad(tensor([[1, 2, 3]]), [1, 2]) // [[0, 1, 2, 3, 0, 0]]
 * pad(tensor([[1, 2, 3]]), [2, 1], 'reflect') // [[3, 2, 1, 2, 3, 2]]
 * pad(tensor([[1, 2], [3, 4]]), [1, 0, 0, 1], 'replicate') // [[1, 1, 2], [3, 3, 4], [3, 3, 4]]
 * pad(tensor([[1, 2, 3]]), [-1, 0], 'constant', 9) // [[2, 3]]
 * ```
 */
export function pad<X extends TensorBase>(x: X, pad: readonly number[], mode: PadMode = 'constant', value = 0): X {
  expectTensor('pad', 'the input', x);
  if (!Array.isArray(pad) || pad.some((p) => !Number.isInteger(p))) throw new Error(`pad: pad must be an array of integers, got ${what(pad)}`);
  if (pad.length % 2 !== 0) throw new Error(`pad: pad must have an even length (a [before, after] pair per dim), got ${show(pad)}`);
  if (pad.length / 2 > x.ndim) throw new Error(`pad: pad ${show(pad)} pads ${pad.length / 2} dims, but the input of shape ${fmt(x.shape)} has ${x.ndim}`);
  if (!MODES.includes(mode)) throw new Error(`pad: mode must be 'constant', 'reflect' or 'replicate', got ${what(mode)}`);
  if (typeof value !== 'number') throw new Error(`pad: value must be a number, got ${what(value)}`);
  if (mode !== 'constant' && value !== 0) throw new Error(`pad: value ${value} is only used in constant mode, not '${mode}'`);

  const nd = x.ndim, shape = nd === 0 ? [1] : x.shape, strides = stridesOf(shape), maps: Int32Array[] = [];
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const k = nd - 1 - d, l = pad[2 * k] ?? 0, r = pad[2 * k + 1] ?? 0, size = shape[d], n = size + l + r; // pairs run from the last dim
    if (l !== 0 || r !== 0) {
      const where = `dim ${d} of size ${size} padded by (${l}, ${r})`;
      if (n < 0 || (n === 0 && mode !== 'constant')) throw new Error(`pad: ${where} would have ${n} elements (${mode} mode needs at least ${mode === 'constant' ? 0 : 1})`);
      if (mode === 'reflect' && (l >= size || r >= size)) throw new Error(`pad: ${where}: a reflect pad must be below the dim's size`);
      if (mode === 'replicate' && size === 0) throw new Error(`pad: ${where}: an empty dim has no edge to replicate`);
    }
    maps.push(sourceIndices(mode, size, l, r).map((i) => (i < 0 ? -1 : i * strides[d])));
    out.push(n);
  }
  // Each output row's offset into x, from the outer dims' maps: −1 where any of them is −1.
  let rows = Int32Array.of(0);
  for (let d = 0; d < maps.length - 1; d++) {
    const m = maps[d], next = new Int32Array(rows.length * m.length);
    for (let i = 0, k = 0; i < rows.length; i++) for (let j = 0; j < m.length; j++, k++) next[k] = rows[i] < 0 || m[j] < 0 ? -1 : rows[i] + m[j];
    rows = next;
  }
  return apply(PAD, x, [x], nd === 0 ? [] : out, { rows, cols: maps[maps.length - 1], value });
}

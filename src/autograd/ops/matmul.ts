// Matrix products over the last two dims, batched over broadcast leading dims; and linear (x·W + b), one op
// like PyTorch's addmm. Both run on one gemm kernel, where a transposed operand is just swapped strides.
import { DIRECT_MAX, gemm } from '../../tensor/gemm.ts';
import { broadcastShapes, broadcastStrides, fmt, sizeOf } from '../../tensor/shape.ts';
import { makeOp, type OpDef, type SourceIO, type TensorBase } from '../tensor-base.ts';
import { apply, expectTensor, IN_PLACE } from '../op.ts';
import { sumTo } from './broadcast.ts';
import { reshape } from './movement.ts';
import { tangentOf } from './elementwise.ts';

interface Product {
  M: number; N: number; K: number;
  /** Operands used transposed: C = op(A)·op(B). */
  ta: boolean; tb: boolean;
  /** Offset of each batch's matrix in A, in B (C's are consecutive). */
  ao: Int32Array; bo: Int32Array;
}

const SINGLE = new Int32Array(1); // a plain 2-D product: one matrix at offset 0 (never written)

/**
 * A product small enough for gemm's plain loop, written out for a replay with every index a literal: one line per
 * C[i, j], its old value (or 0) plus the k = 0, 1, … terms in that order, the same additions as the loop makes.
 */
function tinyProduct(io: SourceIO, { M, N, K, ta, tb }: { M: number; N: number; K: number; ta: boolean; tb: boolean }, assign: '=' | '+='): string | null {
  if (M * N * K > DIRECT_MAX) return null;
  const lines: string[] = [];
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const c = io.at(0, String(i * N + j)), terms = [assign === '=' ? '0' : c];
      for (let k = 0; k < K; k++) terms.push(`${io.at(1, String(ta ? k * M + i : i * K + k))} * ${io.at(2, String(tb ? j * K + k : k * N + j))}`);
      lines.push(`${c} = ${terms.join(' + ')};`);
    }
  }
  return lines.join('\n    ');
}

/** Offsets of each batch matrix of `shape` while walking the broadcast `batch` shape in order. */
function batchOffsets(shape: readonly number[], batch: number[], matrixSize: number): Int32Array {
  if (batch.length === 0) return SINGLE;
  const strides = broadcastStrides(shape.slice(0, -2), batch);
  const offs = new Int32Array(sizeOf(batch));
  for (let k = 0; k < offs.length; k++) {
    let rest = k, off = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      off += (rest % batch[d]) * strides[d];
      rest = Math.floor(rest / batch[d]);
    }
    offs[k] = off * matrixSize;
  }
  return offs;
}

// C = op(A)·op(B):  ∂op(A) = G·op(B)ᵀ,  ∂op(B) = op(A)ᵀ·G; for a transposed operand the transpose of that.
// sumTo adds up the batches over which an operand was broadcast.
const MATMUL: OpDef<Product> = makeOp({
  name: 'matmul',
  forward: (out, [a, b], p) => {
    const { M, N, K, ta, tb, ao, bo } = p;
    for (let k = 0; k < ao.length; k++) {
      gemm(M, N, K, a.buf, a.off + ao[k], ta ? 1 : K, ta ? M : 1, b.buf, b.off + bo[k], tb ? 1 : N, tb ? K : 1, out.buf, out.off + k * M * N);
    }
  },
  grads: [
    (g, [a, b], _c, { ta, tb }) => sumTo(ta ? mm(b, g, tb, true) : mm(g, b, false, !tb), a.shape),
    (g, [a, b], _c, { ta, tb }) => sumTo(tb ? mm(g, a, true, ta) : mm(a, g, !ta, false), b.shape),
  ],
  tangent: ([tA, tB], [a, b], c, { ta, tb }) => tangentOf([tA && mm(tA, b, ta, tb), tB && mm(a, tB, ta, tb)], c), // ∂(AB) = ∂A·B + A·∂B
  fast: {
    source: (io, p) => (p.ao.length === 1 ? tinyProduct(io, p, '=') : null),
    into: [ // the same products, added into a 2-D operand's .grad by the kernel itself
      (acc, g, [a, b], _c, { ta, tb, ao }) => ao === SINGLE && !!(ta ? addmm_(acc, b, g, tb, true) : addmm_(acc, g, b, false, !tb)),
      (acc, g, [a, b], _c, { ta, tb, bo }) => bo === SINGLE && !!(tb ? addmm_(acc, g, a, true, ta) : addmm_(acc, a, g, !ta, false)),
    ],
  },
});

/** op(a)·op(b), where op transposes the last two dims when asked (without copying). */
export function mm<T extends TensorBase>(a: T, b: TensorBase, ta: boolean, tb: boolean): T {
  expectTensor('matmul', 'the first operand', a);
  expectTensor('matmul', 'the second operand', b);
  const an = a.ndim, bn = b.ndim;
  if (an < 2 || bn < 2) throw new Error(`matmul: expects tensors of at least 2 dims, got ${fmt(a.shape)} @ ${fmt(b.shape)}`);
  const ar = a.shape[an - 2], ac = a.shape[an - 1], br = b.shape[bn - 2], bc = b.shape[bn - 1];
  const M = ta ? ac : ar, K = ta ? ar : ac, Kb = tb ? bc : br, N = tb ? br : bc;
  if (Kb !== K) throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)} @ ${fmt(b.shape)} (${K} vs ${Kb})`);
  if (an === 2 && bn === 2) return apply(MATMUL, a, [a, b], [M, N], { M, N, K, ta, tb, ao: SINGLE, bo: SINGLE });
  const batch = broadcastShapes(`matmul: batch dims of ${fmt(a.shape)} @ ${fmt(b.shape)}`, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const ao = batchOffsets(a.shape, batch, M * K), bo = batchOffsets(b.shape, batch, K * N);
  return apply(MATMUL, a, [a, b], [...batch, M, N], { M, N, K, ta, tb, ao, bo });
}

export const matmul = <T extends TensorBase>(a: T, b: TensorBase): T => mm(a, b, false, false);

interface Rows { rows: number; K: number; N: number }

// y = x·W + b for x [..., K] as `rows` rows:  ∂x = G·Wᵀ,  ∂W = xᵀ·G,  ∂b = Σ_rows G.
const LINEAR: OpDef<Rows> = makeOp({
  name: 'linear',
  forward: (out, [x, w, b], { rows, K, N }) => {
    const y = out.buf, yo = out.off, bias = b.buf, bo = b.off;
    for (let r = 0; r < rows; r++) for (let j = 0; j < N; j++) y[yo + r * N + j] = bias[bo + j]; // each row starts as b
    gemm(rows, N, K, x.buf, x.off, K, 1, w.buf, w.off, N, 1, y, yo); // and gemm adds x·W onto it
  },
  grads: [
    (g, [x, w]) => (x.ndim === 2 ? mm(g, w, false, true) : reshape(mm(asRows(g), w, false, true), x.shape)),
    (g, [x]) => mm(asRows(x), asRows(g), true, false),
    (g, [, , b]) => sumTo(g, b.shape),
  ],
  // ∂x·W + x·∂W + ∂b; with the input a constant (tangents of the weights only) that is linear(x, ∂W, ∂b), one op.
  tangent: ([tx, tw, tb], [x, w], y) => (tx === null && tw !== null && tb !== null ? linear(x, tw, tb)
    : tangentOf([tx && rowsTimes(tx, w), tw && rowsTimes(x, tw), tb], y)),
  fast: { into: [null, (acc, g, [x]) => !!addmm_(acc, asRows(x), asRows(g), true, false), null] },
});
const asRows = (t: TensorBase): TensorBase => (t.ndim === 2 ? t : reshape(t, [-1, t.shape[t.ndim - 1]]));
/** x·W for x [..., K] and W [K, N]: the product of linear without its bias. */
const rowsTimes = (x: TensorBase, w: TensorBase): TensorBase =>
  (x.ndim === 2 ? mm(x, w, false, false) : reshape(mm(asRows(x), w, false, false), [...x.shape.slice(0, -1), w.shape[1]]));

/**
 * x·W + b for x of shape [..., K], a weight W of shape [K, N] and a bias b of shape [N] (what {@link nn.Linear}
 * computes), in one op: the output has shape [..., N].
 *
 * @example
 * ```ts
 * linear(tensor([[1, 2]]), tensor([[1, 0], [0, 1]]), tensor([10, 20])) // [[11, 22]]
 * ```
 */
export function linear<T extends TensorBase>(x: T, w: TensorBase, b: TensorBase): T {
  expectTensor('linear', 'the input', x);
  expectTensor('linear', 'the weight', w);
  expectTensor('linear', 'the bias', b);
  const K = w.shape[0], N = w.shape[1];
  if (w.ndim !== 2 || b.ndim !== 1 || b.size !== N || x.ndim < 1 || x.shape[x.ndim - 1] !== K) {
    throw new Error(`linear: expects x [..., K], weight [K, N] and bias [N], got ${fmt(x.shape)}, ${fmt(w.shape)}, ${fmt(b.shape)}`);
  }
  return apply(LINEAR, x, [x, w, b], [...x.shape.slice(0, -1), N], { rows: x.size / K, K, N });
}

// In place, for the accumulating form of the product rules (RuleInto) and for users.
const ADDMM: OpDef<Pick<Product, 'M' | 'N' | 'K' | 'ta' | 'tb'>> = makeOp({
  name: 'addmm_',
  forward: (out, [a, b], { M, N, K, ta, tb }) =>
    gemm(M, N, K, a.buf, a.off, ta ? 1 : K, ta ? M : 1, b.buf, b.off, tb ? 1 : N, tb ? K : 1, out.buf, out.off),
  grads: [],
  fast: { source: (io, p) => tinyProduct(io, p, '+=') },
});

/** target ← target + op(a)·op(b) for 2-D a and b, op transposing where asked (as PyTorch's addmm_). */
export function addmm_<T extends TensorBase>(target: T, a: TensorBase, b: TensorBase, ta = false, tb = false): T {
  expectTensor('addmm_', 'the first operand', a);
  expectTensor('addmm_', 'the second operand', b);
  const M = a.shape[ta ? 1 : 0], K = a.shape[ta ? 0 : 1], Kb = b.shape[tb ? 1 : 0], N = b.shape[tb ? 0 : 1];
  if (a.ndim !== 2 || b.ndim !== 2 || target.ndim !== 2 || K !== Kb || target.shape[0] !== M || target.shape[1] !== N) {
    throw new Error(`addmm_: cannot add ${fmt(a.shape)}${ta ? 'ᵀ' : ''} @ ${fmt(b.shape)}${tb ? 'ᵀ' : ''} into ${fmt(target.shape)}`);
  }
  return apply(ADDMM, target, [a, b], IN_PLACE, { M, N, K, ta, tb });
}

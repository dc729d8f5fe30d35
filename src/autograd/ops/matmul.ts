// Matrix product over the last two dims, batched over broadcast leading dims.
// C = A·B;  dA += G·Bᵀ;  dB += Aᵀ·G. One gemm kernel serves all three: a transpose is just swapped strides,
// and because gemm accumulates, a batch-broadcast operand's gradient sums over the batch by itself.
import { alloc } from '../../tensor/alloc.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { gemm } from '../../tensor/gemm.ts';
import { broadcastShapes, broadcastStrides, fmt, sizeOf } from '../../tensor/shape.ts';
import { gradOf, record } from '../graph.ts';

const SINGLE = new Int32Array(1); // a plain 2-D product: one matrix at offset 0 (never written)

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

function batchShape(a: readonly number[], b: readonly number[]): number[] {
  return broadcastShapes(`matmul: batch dims of ${fmt(a)} @ ${fmt(b)}`, a.slice(0, -2), b.slice(0, -2));
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 2 || b.ndim < 2) throw new Error(`matmul: expects tensors of at least 2 dims, got ${fmt(a.shape)} @ ${fmt(b.shape)}`);
  const M = a.shape[a.ndim - 2], K = a.shape[a.ndim - 1], N = b.shape[b.ndim - 1];
  if (b.shape[b.ndim - 2] !== K) {
    throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)} @ ${fmt(b.shape)} (${K} vs ${b.shape[b.ndim - 2]})`);
  }
  const batch = a.ndim === 2 && b.ndim === 2 ? [] : batchShape(a.shape, b.shape);
  const ao = batchOffsets(a.shape, batch, M * K), bo = batchOffsets(b.shape, batch, K * N);
  const out = new Tensor(alloc(ao.length * M * N), batch.length === 0 ? [M, N] : [...batch, M, N]);
  for (let k = 0; k < ao.length; k++) gemm(M, N, K, a.data, ao[k], K, 1, b.data, bo[k], N, 1, out.data, k * M * N);
  return record(out, 'matmul', [a, b], (g) => {
    for (let k = 0; k < ao.length; k++) {
      const go = k * M * N;
      if (a.requiresGrad) gemm(M, K, N, g, go, N, 1, b.data, bo[k], 1, N, gradOf(a), ao[k]); // G·Bᵀ
      if (b.requiresGrad) gemm(K, N, M, a.data, ao[k], 1, K, g, go, N, 1, gradOf(b), bo[k]); // Aᵀ·G
    }
  });
}

/**
 * y = x·W + b for x [..., K], W [K, N], b [N]: nn.Linear in one op, like PyTorch's addmm. Each row of y starts
 * as b and gemm accumulates x·W onto it, so the bias costs no buffer or pass of its own.
 * dx += G·Wᵀ;  dW += xᵀ·G;  db += Σ_rows G.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const K = w.shape[0], N = w.shape[1];
  if (w.ndim !== 2 || b.ndim !== 1 || b.size !== N || x.ndim < 1 || x.shape[x.ndim - 1] !== K) {
    throw new Error(`linear: expects x [..., K], weight [K, N] and bias [N], got ${fmt(x.shape)}, ${fmt(w.shape)}, ${fmt(b.shape)}`);
  }
  const rows = x.size / K;
  const out = new Tensor(alloc(rows * N), [...x.shape.slice(0, -1), N]);
  for (let r = 0; r < rows; r++) out.data.set(b.data, r * N);
  gemm(rows, N, K, x.data, 0, K, 1, w.data, 0, N, 1, out.data, 0);
  return record(out, 'linear', [x, w, b], (g) => {
    if (x.requiresGrad) gemm(rows, K, N, g, 0, N, 1, w.data, 0, 1, N, gradOf(x), 0); // G·Wᵀ
    if (w.requiresGrad) gemm(K, N, rows, x.data, 0, 1, K, g, 0, N, 1, gradOf(w), 0); // xᵀ·G
    if (b.requiresGrad) {
      const gb = gradOf(b);
      for (let r = 0; r < rows; r++) for (let j = 0; j < N; j++) gb[j] += g[r * N + j];
    }
  });
}

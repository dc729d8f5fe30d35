/**
 * Dense float64 matrix multiply-accumulate: matmul's forward and both backward products, and linear's.
 *
 * Everything but tiny products runs in one WebAssembly module (gemm.wat) with SIMD (two float64 lanes per
 * instruction; JavaScript has none, and its typed-array loops run at ~1.5 ns per multiply-add here, slower than
 * copying the operands into the module, ~0.02 ns per value). Its memory holds three regions (A, B and C blocks).
 * - Matrix products (a scaled-down GotoBLAS/BLIS scheme): op(A) is packed in 4-row panels, k-major, zero-padded
 *   at the edge; op(B) likewise in 4-column panels. After packing every read is unit-stride, so transposed
 *   operands cost the same as normal ones, and the 4×4-tile kernel always computes whole tiles. When few rows
 *   share each B value (M < RAW_B_ROWS), packing B costs more than it saves: a row-major B is copied as it is and
 *   the kernel reads its rows in place. Blocks of KC along k, MC rows and NC columns bound the memory used (a
 *   packed A panel stays in L1 while it meets the packed B block in L2).
 * - C is copied in, the kernel adds the product to it, and it is copied back (a memcpy each way).
 * - A large block's tiles are split with a helper thread where the platform allows one (gemm-module.ts).
 * - Vector products have kernels of their own, without packing: each matrix value is used once, so packing it
 *   (or padding a single row to a 4-row tile) would cost more than the arithmetic. M = 1 (a row times a matrix:
 *   a batch of one) combines the matrix's rows or takes dot products with them, whichever is unit-stride; N = 1
 *   is the same with A and B swapped. K = 1, an outer product (a weight gradient of a batch of one), runs in
 *   place in JavaScript: each C value is used once, so the copies into the module would cost more than SIMD saves.
 * - Tiny products (≤ DIRECT_MAX multiply-adds) stay in a JavaScript loop: the calls and copies would dominate.
 */
import { A_AT, B_AT, C_AT, dots, heap, KC, MC, NC, packColumns, packRows, R, rows, tiles, V } from './gemm-module.ts';

/** Up to this many multiply-adds the plain loop beats the module's calls and copies (measured). */
export const DIRECT_MAX = 64;
/** Below this many rows of op(A), a row-major B is read in place instead of packed (crossover measured at ~16:
 *  packing costs ~0.7 ns a value, reading unpacked panels slows the kernel ~30%). */
const RAW_B_ROWS = 16;

/** C[M×N] += op(A)[M×K] · op(B)[K×N], all float64, row-major with explicit strides.
 *  Element (i,k) of op(A) is A[aOff + i*aRow + k*aCol]; element (k,j) of op(B) is B[bOff + k*bRow + j*bCol];
 *  C is contiguous row-major from cOff (C[cOff + i*N + j]). Transposition is just swapped strides.
 *  C must not overlap A or B. */
export function gemm(M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number): void {
  if (M <= 0 || N <= 0 || K <= 0) return;
  packedFor = null; // every path below may write region B
  if (M * N * K <= DIRECT_MAX) direct(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff);
  else if (K === 1) outerProduct(M, N, A, aOff, aRow, B, bOff, bCol, C, cOff);
  else if (M === 1 && bCol === 1) combineRows(N, K, A, aOff, aCol, B, bOff, bRow, C, cOff);
  else if (M === 1 && bRow === 1) dotRows(N, K, A, aOff, aCol, B, bOff, bCol, C, cOff);
  // c = A·b is cᵀ = bᵀ·Aᵀ: the same two vector paths, with A's rows and columns swapped
  else if (N === 1 && aRow === 1) combineRows(M, K, B, bOff, bRow, A, aOff, aCol, C, cOff);
  else if (N === 1 && aCol === 1) dotRows(M, K, B, bOff, bRow, A, aOff, aRow, C, cOff);
  else blocked(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff);
}

/**
 * C[i, j] += A[i, 0]·B[0, j]: an outer product, in place in JavaScript. Each C value is read and written once, so
 * copying C into the module and back costs more than its SIMD saves (784×128: 72 against 91 µs, measured). The
 * row loop is unrolled by 8: V8 unrolls nothing, and a one-line loop's counter, branch and interrupt check cost
 * more than its multiply-add. A B row with a stride (gemm takes any) is gathered into region B first, by blocks.
 */
function outerProduct(M: number, N: number, A: Float64Array, aOff: number, aRow: number,
  B: Float64Array, bOff: number, bCol: number, C: Float64Array, cOff: number): void {
  const nb = bCol === 1 ? N : KC * NC; // columns per block: all of a unit-stride row
  for (let n0 = 0; n0 < N; n0 += nb) {
    const nc = Math.min(nb, N - n0);
    let b: Float64Array;
    if (bCol === 1) {
      b = B.subarray(bOff + n0, bOff + n0 + nc);
    } else {
      for (let j = 0; j < nc; j++) heap[B_AT + j] = B[bOff + (n0 + j) * bCol];
      b = heap.subarray(B_AT, B_AT + nc);
    }
    const c = C.subarray(cOff + n0, cOff + (M - 1) * N + n0 + nc), end = nc - (nc & 7);
    for (let i = 0, r = 0; i < M; i++, r += N) {
      const a = A[aOff + i * aRow];
      let j = 0;
      for (; j < end; j += 8) {
        const k = r + j;
        c[k] += a * b[j]; c[k + 1] += a * b[j + 1]; c[k + 2] += a * b[j + 2]; c[k + 3] += a * b[j + 3];
        c[k + 4] += a * b[j + 4]; c[k + 5] += a * b[j + 5]; c[k + 6] += a * b[j + 6]; c[k + 7] += a * b[j + 7];
      }
      for (; j < nc; j++) c[r + j] += a * b[j];
    }
  }
}

/**
 * c[j] += Σ_k x[k]·Y[k, j] for j < N, with x[k] = X[xOff + k*xs] and Y[k, j] = Y[yOff + k*yRow + j] (unit column
 * stride), c contiguous from cOff: a row vector times a matrix, in the module without packing. Y's rows are
 * copied in as they are (a memcpy when they are contiguous) and each value is used once.
 */
function combineRows(N: number, K: number, X: Float64Array, xOff: number, xs: number,
  Y: Float64Array, yOff: number, yRow: number, C: Float64Array, cOff: number): void {
  for (let n0 = 0; n0 < N; n0 += NC) {
    const nc = Math.min(NC, N - n0), np = Math.ceil(nc / V) * V;
    const kb = Math.min(MC * KC, Math.floor((KC * NC) / nc)); // rows of Y per block: x fills region A, Y region B
    heap.set(C.subarray(cOff + n0, cOff + n0 + nc), C_AT);
    heap.fill(0, C_AT + nc, C_AT + np);
    for (let k0 = 0; k0 < K; k0 += kb) {
      const kc = Math.min(kb, K - k0), s = yOff + k0 * yRow + n0;
      for (let k = 0; k < kc; k++) heap[A_AT + k] = X[xOff + (k0 + k) * xs];
      copyRows(heap, B_AT, nc, Y, s, yRow, kc, nc);
      rows(np, kc, 8 * A_AT, 8 * B_AT, 8 * nc, 8 * C_AT);
    }
    C.set(heap.subarray(C_AT, C_AT + nc), cOff + n0);
  }
}

/**
 * c[j] += Σ_k x[k]·Y[j, k] for j < N, with x[k] = X[xOff + k*xs] and Y[j, k] = Y[yOff + j*yRow + k] (unit k
 * stride), c contiguous from cOff: dot products of x with Y's rows, in the module without packing.
 */
function dotRows(N: number, K: number, X: Float64Array, xOff: number, xs: number,
  Y: Float64Array, yOff: number, yRow: number, C: Float64Array, cOff: number): void {
  const kb = Math.min(K, MC * KC), nb = Math.floor((KC * NC) / kb); // x fills region A, Y's rows region B
  for (let k0 = 0; k0 < K; k0 += kb) {
    const kc = Math.min(kb, K - k0);
    for (let k = 0; k < kc; k++) heap[A_AT + k] = X[xOff + (k0 + k) * xs];
    for (let n0 = 0; n0 < N; n0 += nb) {
      const nc = Math.min(nb, N - n0);
      copyRows(heap, B_AT, kc, Y, yOff + n0 * yRow + k0, yRow, nc, kc);
      heap.set(C.subarray(cOff + n0, cOff + n0 + nc), C_AT);
      dots(nc, kc, 8 * A_AT, 8 * B_AT, 8 * kc, 8 * C_AT);
      C.set(heap.subarray(C_AT, C_AT + nc), cOff + n0);
    }
  }
}

/** The WebAssembly path: blocks of op(B) and op(A) packed (or copied), C copied in and out around the kernel. */
function blocked(M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number): void {
  const rawB = bCol === 1 && M < RAW_B_ROWS;
  for (let n0 = 0; n0 < N; n0 += NC) {
    const nc = Math.min(NC, N - n0), nt = Math.ceil(nc / R);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      let bts = 8 * R * kc, bks = 8 * R;
      if (rawB) { // B's rows as they are
        copyRows(heap, B_AT, nc, B, bOff + k0 * bRow + n0, bRow, kc, nc);
        bts = 8 * R; bks = 8 * nc;
      } else {
        panels(nt, nc, kc, B, bOff + k0 * bRow + n0 * bCol, bCol, bRow, B_AT);
      }
      againstB(M, N, kc, nc, A, aOff + k0 * aCol, aRow, aCol, 8 * B_AT, bts, bks, C, cOff + n0);
    }
  }
}

/** C[:, n0 .. n0 + nc) += op(A)[:, k0 .. k0 + kc) · a B block in region B at byte b, by blocks of MC rows (A from aOff
 *  at k0, C from cOff at n0; bts, bks: the B block's layout, as the tile kernel takes it). */
function againstB(M: number, N: number, kc: number, nc: number, A: Float64Array, aOff: number, aRow: number, aCol: number,
  b: number, bts: number, bks: number, C: Float64Array, cOff: number): void {
  const nt = Math.ceil(nc / R), ldc = nt * R;
  for (let m0 = 0; m0 < M; m0 += MC) {
    const mc = Math.min(MC, M - m0), mt = Math.ceil(mc / R);
    panels(mt, mc, kc, A, aOff + m0 * aRow, aRow, aCol, A_AT);
    const c = cOff + m0 * N;
    copyRows(heap, C_AT, ldc, C, c, N, mc, nc);
    clearPadding(mt * R, mc, ldc, nc);
    tiles(mt, nt, kc, 8 * A_AT, b, bts, bks, 8 * C_AT, 8 * ldc);
    copyRows(C, c, N, heap, C_AT, ldc, mc, nc);
  }
}

/** The packing that region B holds, for the products of {@link packedProduct}; null once another product wrote it. */
let packedFor: object | null = null;

/**
 * The product C[M×N] += op(A)·op(B) for one op(B) [K×N] (element (k,j) at B[bOff + k*bRow + j*bCol], read when a
 * product runs) and many A's, as a recurrence's W_hh at each step: op(B) is packed into the module at the first
 * product, its blocks of KC rows one after another, and the next products reuse the packing until another product
 * writes over it (then it is packed again). B's values must not change while the products run. A B wider than a
 * block (N > NC) or larger than region B, and a single row of A, are a gemm each time.
 */
export function packedProduct(N: number, K: number, B: Float64Array, bOff: number, bRow: number, bCol: number):
  (M: number, A: Float64Array, aOff: number, aRow: number, aCol: number, C: Float64Array, cOff: number) => void {
  const nt = Math.ceil(N / R);
  if (N > NC || nt * R * K > KC * NC || N * K <= DIRECT_MAX) {
    return (M, A, aOff, aRow, aCol, C, cOff) => gemm(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff);
  }
  const mine = {};
  return (M, A, aOff, aRow, aCol, C, cOff) => {
    if (M === 1) return gemm(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff); // a vector product: no panels
    if (M <= 0) return;
    if (packedFor !== mine) {
      for (let k0 = 0; k0 < K; k0 += KC) panels(nt, N, Math.min(KC, K - k0), B, bOff + k0 * bRow, bCol, bRow, B_AT + k0 * nt * R);
      packedFor = mine;
    }
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      againstB(M, N, kc, N, A, aOff + k0 * aCol, aRow, aCol, 8 * (B_AT + k0 * nt * R), 8 * R * kc, 8 * R, C, cOff);
    }
  };
}

/**
 * Packs `count` ≤ 4·np rows of X (element (t,k) at X[s + t*ts + k*ks], k < kc) as np 4-row panels at `at`.
 * When rows or columns are unit-stride the block is first copied in as it is, into region C (free until C's
 * block is copied in), and packed there by the module; other strides are gathered value by value.
 */
function panels(np: number, count: number, kc: number, X: Float64Array, s: number, ts: number, ks: number, at: number): void {
  if (ks === 1) {
    copyRows(heap, C_AT, kc, X, s, ts, count, kc);
    packRows(np, kc, 8 * C_AT, 8 * kc, 8 * at);
  } else if (ts === 1) {
    copyRows(heap, C_AT, count, X, s, ks, kc, count);
    packColumns(np, kc, 8 * C_AT, 8 * count, 8 * at);
  } else {
    for (let p = 0; p < np; p++) pack(heap, at + p * R * kc, Math.min(R, count - p * R), kc, X, s + p * R * ts, ts, ks);
  }
}

/** Zeroes the C block's padding (columns nc..ldc, rows mc..rows): values left there by earlier products would
 *  otherwise keep accumulating (never read back, but they could drift into slow denormals or infinities). */
function clearPadding(rows: number, mc: number, ldc: number, nc: number): void {
  if (ldc > nc) for (let r = 0, d = C_AT; r < mc; r++, d += ldc) heap.fill(0, d + nc, d + ldc);
  heap.fill(0, C_AT + mc * ldc, C_AT + rows * ldc);
}

/** dst[d + r*ds + j] = src[s + r*ss + j] for r < rows, j < cols: one memcpy when both are contiguous, else by row. */
function copyRows(dst: Float64Array, d: number, ds: number, src: Float64Array, s: number, ss: number, rows: number, cols: number): void {
  if (ds === cols && ss === cols) dst.set(src.subarray(s, s + rows * cols), d);
  else if (cols >= 16) for (let r = 0; r < rows; r++, d += ds, s += ss) dst.set(src.subarray(s, s + cols), d);
  else for (let r = 0; r < rows; r++, d += ds, s += ss) for (let j = 0; j < cols; j++) dst[d + j] = src[s + j];
}

/**
 * Packs a panel of `rows` ≤ 4 rows of X (element (t,k) at X[s + t*ts + k*ks]) k-major into dst[d .. d + 4kc),
 * zero-filling missing rows. Unrolled: a generic row loop is ~2.5× slower, so only the ragged edge takes it.
 */
function pack(dst: Float64Array, d: number, rows: number, kc: number, X: Float64Array, s: number, ts: number, ks: number): void {
  if (rows < R) {
    for (let k = 0; k < kc; k++, s += ks) for (let r = 0; r < R; r++) dst[d++] = r < rows ? X[s + r * ts] : 0;
    return;
  }
  for (let k = 0; k < kc; k++, s += ks, d += 4) {
    dst[d] = X[s]; dst[d + 1] = X[s + ts]; dst[d + 2] = X[s + 2 * ts]; dst[d + 3] = X[s + 3 * ts];
  }
}

/** Plain loops for products too small to repay the module's calls and copies. */
function direct(M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number): void {
  // One dot product per element of C, summed in a register in the order k = 0, 1, … (the additions of the
  // i-k-j loop, and of a replay's written-out products): a load of A and B per multiply-add and nothing else.
  for (let i = 0, c = cOff; i < M; i++) {
    const ai = aOff + i * aRow;
    for (let j = 0; j < N; j++, c++) {
      let s = C[c];
      for (let k = 0, a = ai, b = bOff + j * bCol; k < K; k++, a += aCol, b += bRow) s += A[a] * B[b];
      C[c] = s;
    }
  }
}

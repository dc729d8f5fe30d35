/**
 * Dense float64 matrix multiply-accumulate used by matmul forward and both backward products.
 *
 * Design (a scaled-down GotoBLAS/BLIS scheme):
 * - K is split into blocks of KC so the packed panels of one block stay in L1/L2 cache.
 * - Within a K block, op(B) is packed into column panels of width NR=4 and op(A) into row panels
 *   of height MR=4, both stored k-major and zero-padded at the edges. After packing every operand
 *   is read with unit stride, so transposed inputs cost the same as normal ones.
 * - A 4×4 micro-kernel keeps the C tile in 16 local variables (V8 keeps them in registers) and
 *   streams one A panel against one B panel; only the valid part of the tile is added to C.
 * - Tiny products skip packing, whose fixed cost would dominate.
 */

const MR = 4;
const NR = 4;
const KC = 256;
/** Below this many multiply-adds the packing overhead outweighs the faster kernel. */
const DIRECT_MAX = 4096;

// Module-level scratch for the packed panels, grown on demand and reused across calls.
let packA = new Float64Array(MR * KC * 16);
let packB = new Float64Array(NR * KC * 16);

/** C[M×N] += op(A)[M×K] · op(B)[K×N], all float64, row-major with explicit strides.
 *  Element (i,k) of op(A) is A[aOff + i*aRow + k*aCol]; element (k,j) of op(B) is B[bOff + k*bRow + j*bCol];
 *  C is contiguous row-major from cOff (C[cOff + i*N + j]). Transposition is just swapped strides. */
export function gemm(M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number): void {
  if (M <= 0 || N <= 0 || K <= 0) return;
  if (M * N * K <= DIRECT_MAX) {
    direct(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff);
    return;
  }
  const mPanels = Math.ceil(M / MR);
  const nPanels = Math.ceil(N / NR);
  const kc0 = Math.min(K, KC);
  if (packA.length < mPanels * MR * kc0) packA = new Float64Array(mPanels * MR * kc0);
  if (packB.length < nPanels * NR * kc0) packB = new Float64Array(nPanels * NR * kc0);
  const pa = packA;
  const pb = packB;

  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    pack(pb, N, NR, kc, B, bOff + k0 * bRow, bCol, bRow);
    pack(pa, M, MR, kc, A, aOff + k0 * aCol, aRow, aCol);
    for (let ip = 0; ip < mPanels; ip++) {
      const i0 = ip * MR;
      const mr = Math.min(MR, M - i0);
      for (let jp = 0; jp < nPanels; jp++) {
        const j0 = jp * NR;
        kernel4x4(kc, pa, ip * MR * kc, pb, jp * NR * kc, C, cOff + i0 * N + j0, N, mr, Math.min(NR, N - j0));
      }
    }
  }
}

/**
 * Packs a len×kc slice of a strided matrix (element (t,k) at X[off + t*tStride + k*kStride]) into
 * panels of `w` consecutive t-indices, each stored k-major: dst[p*w*kc + k*w + r] = X(p*w + r, k).
 * Rows past `len` are zero so the micro-kernel never needs an edge case in its inner loop.
 */
function pack(dst: Float64Array, len: number, w: number, kc: number,
  X: Float64Array, off: number, tStride: number, kStride: number): void {
  const panels = Math.ceil(len / w);
  for (let p = 0; p < panels; p++) {
    const base = p * w * kc;
    for (let r = 0; r < w; r++) {
      const t = p * w + r;
      let d = base + r;
      if (t < len) {
        let s = off + t * tStride;
        for (let k = 0; k < kc; k++, d += w, s += kStride) dst[d] = X[s];
      } else {
        for (let k = 0; k < kc; k++, d += w) dst[d] = 0;
      }
    }
  }
}

/** C tile (mr×nr valid of a 4×4 tile, row stride ldc) += A panel (4×kc) · B panel (kc×4). */
function kernel4x4(kc: number, pa: Float64Array, ia: number, pb: Float64Array, ib: number,
  C: Float64Array, ic: number, ldc: number, mr: number, nr: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < kc; k++, ia += 4, ib += 4) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (mr === 4 && nr === 4) {
    C[ic] += c00; C[ic + 1] += c01; C[ic + 2] += c02; C[ic + 3] += c03; ic += ldc;
    C[ic] += c10; C[ic + 1] += c11; C[ic + 2] += c12; C[ic + 3] += c13; ic += ldc;
    C[ic] += c20; C[ic + 1] += c21; C[ic + 2] += c22; C[ic + 3] += c23; ic += ldc;
    C[ic] += c30; C[ic + 1] += c31; C[ic + 2] += c32; C[ic + 3] += c33;
    return;
  }
  // Edge tile: add only the valid rows/columns (no arrays, so nothing is allocated).
  for (let r = 0; r < mr; r++, ic += ldc) {
    const x0 = r === 0 ? c00 : r === 1 ? c10 : r === 2 ? c20 : c30;
    const x1 = r === 0 ? c01 : r === 1 ? c11 : r === 2 ? c21 : c31;
    const x2 = r === 0 ? c02 : r === 1 ? c12 : r === 2 ? c22 : c32;
    const x3 = r === 0 ? c03 : r === 1 ? c13 : r === 2 ? c23 : c33;
    C[ic] += x0;
    if (nr > 1) C[ic + 1] += x1;
    if (nr > 2) C[ic + 2] += x2;
    if (nr > 3) C[ic + 3] += x3;
  }
}

/** Straight i-k-j loop for tiny products; row i of C is accumulated in place. */
function direct(M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number): void {
  for (let i = 0; i < M; i++) {
    const ci = cOff + i * N;
    for (let k = 0; k < K; k++) {
      const a = A[aOff + i * aRow + k * aCol];
      const bk = bOff + k * bRow;
      for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j * bCol];
    }
  }
}

/**
 * Dense float64 matrix multiply-accumulate used by matmul forward and both backward products.
 *
 * Design (a scaled-down GotoBLAS/BLIS scheme):
 * - K is split into blocks of KC so that the packed op(B) block (KC×N) stays in L2 cache and one
 *   packed op(A) panel (MR×KC) stays in L1 while it is streamed against every op(B) panel.
 * - op(A) is packed MR=4 rows at a time and op(B) NR=3 columns at a time, both k-major and
 *   zero-padded at the edges. After packing every read is unit-stride, so transposed operands
 *   cost the same as normal ones, and the micro-kernel always computes a full tile: edge tiles go
 *   to a scratch tile of which only the valid part is added to C.
 * - The 4×3 micro-kernel keeps its C tile in 12 locals that V8 holds in registers. It measured ~10%
 *   faster than 4×4 here (x64 has 16 FP registers: 16 accumulators plus operands do not fit).
 * - Tiny products skip packing, whose fixed cost would dominate, and so do single-row products
 *   (M=1), where padding the row to MR=4 would quadruple the work.
 */

const MR = 4;
const NR = 3;
const KC = 256;
/** Up to this many multiply-adds the plain loop beats packing (measured). */
const DIRECT_MAX = 64;

// Module-level scratch, grown on demand and reused across calls.
let packA = new Float64Array(MR * KC);
let packB = new Float64Array(NR * KC);
/** Receives the full 4×3 tile at the ragged right/bottom edge; only its valid part reaches C. */
const edgeTile = new Float64Array(MR * NR);

/** C[M×N] += op(A)[M×K] · op(B)[K×N], all float64, row-major with explicit strides.
 *  Element (i,k) of op(A) is A[aOff + i*aRow + k*aCol]; element (k,j) of op(B) is B[bOff + k*bRow + j*bCol];
 *  C is contiguous row-major from cOff (C[cOff + i*N + j]). Transposition is just swapped strides.
 *  C must not overlap A or B. */
export function gemm(M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number): void {
  if (M <= 0 || N <= 0 || K <= 0) return;
  if (M === 1 || M * N * K <= DIRECT_MAX) {
    direct(M, N, K, A, aOff, aRow, aCol, B, bOff, bRow, bCol, C, cOff);
    return;
  }
  const kc0 = Math.min(K, KC);
  const bSize = Math.ceil(N / NR) * NR * kc0;
  if (packA.length < MR * kc0) packA = new Float64Array(MR * kc0);
  if (packB.length < bSize) packB = new Float64Array(bSize);
  const pa = packA;
  const pb = packB;

  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    for (let j0 = 0; j0 < N; j0 += NR) {
      pack3(pb, j0 * kc, Math.min(NR, N - j0), kc, B, bOff + k0 * bRow + j0 * bCol, bCol, bRow);
    }
    for (let i0 = 0; i0 < M; i0 += MR) {
      const mr = Math.min(MR, M - i0);
      pack4(pa, mr, kc, A, aOff + i0 * aRow + k0 * aCol, aRow, aCol);
      for (let j0 = 0; j0 < N; j0 += NR) {
        const nr = Math.min(NR, N - j0);
        const ic = cOff + i0 * N + j0;
        if (mr === MR && nr === NR) {
          kernel4x3(kc, pa, pb, j0 * kc, C, ic, N);
        } else {
          edgeTile.fill(0);
          kernel4x3(kc, pa, pb, j0 * kc, edgeTile, 0, NR);
          for (let r = 0; r < mr; r++) {
            for (let c = 0; c < nr; c++) C[ic + r * N + c] += edgeTile[r * NR + c];
          }
        }
      }
    }
  }
}

/**
 * Packs one panel of `rows` ≤ 4 rows of X (element (t,k) at X[s + t*ts + k*ks]) k-major into
 * dst[0 .. 4*kc), zero-filling missing rows. Unrolled: a generic row loop here is ~2.5× slower.
 */
function pack4(dst: Float64Array, rows: number, kc: number,
  X: Float64Array, s: number, ts: number, ks: number): void {
  if (rows < 4) {
    packEdge(dst, 0, rows, 4, kc, X, s, ts, ks);
    return;
  }
  for (let k = 0, d = 0; k < kc; k++, s += ks, d += 4) {
    dst[d] = X[s]; dst[d + 1] = X[s + ts]; dst[d + 2] = X[s + 2 * ts]; dst[d + 3] = X[s + 3 * ts];
  }
}

/** As pack4 for 3-column panels of op(B), written at dst[d ..). */
function pack3(dst: Float64Array, d: number, rows: number, kc: number,
  X: Float64Array, s: number, ts: number, ks: number): void {
  if (rows < 3) {
    packEdge(dst, d, rows, 3, kc, X, s, ts, ks);
    return;
  }
  for (let k = 0; k < kc; k++, s += ks, d += 3) {
    dst[d] = X[s]; dst[d + 1] = X[s + ts]; dst[d + 2] = X[s + 2 * ts];
  }
}

/** Generic (slower) packer for the single ragged panel at the edge. */
function packEdge(dst: Float64Array, d: number, rows: number, w: number, kc: number,
  X: Float64Array, s: number, ts: number, ks: number): void {
  for (let k = 0; k < kc; k++, s += ks) {
    for (let r = 0; r < w; r++) dst[d++] = r < rows ? X[s + r * ts] : 0;
  }
}

/** C tile (4×3, row stride ldc, from ic) += packed A panel (4×kc) · packed B panel (kc×3 from ib). */
function kernel4x3(kc: number, pa: Float64Array, pb: Float64Array, ib: number,
  C: Float64Array, ic: number, ldc: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
  for (let ia = 0, end = 4 * kc; ia < end; ia += 4, ib += 3) {
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2];
    let a = pa[ia];
    c00 += a * b0; c01 += a * b1; c02 += a * b2;
    a = pa[ia + 1];
    c10 += a * b0; c11 += a * b1; c12 += a * b2;
    a = pa[ia + 2];
    c20 += a * b0; c21 += a * b1; c22 += a * b2;
    a = pa[ia + 3];
    c30 += a * b0; c31 += a * b1; c32 += a * b2;
  }
  C[ic] += c00; C[ic + 1] += c01; C[ic + 2] += c02; ic += ldc;
  C[ic] += c10; C[ic + 1] += c11; C[ic + 2] += c12; ic += ldc;
  C[ic] += c20; C[ic + 1] += c21; C[ic + 2] += c22; ic += ldc;
  C[ic] += c30; C[ic + 1] += c31; C[ic + 2] += c32;
}

/** Plain i-k-j loop for products too small (or too thin) to repay packing. */
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

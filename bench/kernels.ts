// Plain-loop float64 kernels for the hand-written floors. Deliberately independent of src/: the floors must
// not move when the engine's own kernels change.
//
// Both gemms have the engine's gemm signature:
//   C[M×N] += op(A)[M×K] · op(B)[K×N]
// where element (i,k) of op(A) is A[aOff + i*aRow + k*aCol], element (k,j) of op(B) is B[bOff + k*bRow + j*bCol],
// and C is contiguous row-major from cOff. A transposed operand is just swapped strides.

/** Stable logistic function, the same formula the engine uses (exp of a non-positive number only). */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The textbook i-k-j loop (unit stride over C and, for a row-major B, over B). The reference, not a floor. */
export function gemmNaive(M: number, N: number, K: number,
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

// The blocked gemm: GotoBLAS-style packing plus a register-blocked micro-kernel.
//
// Micro-kernel shape, measured on this machine (AMD EPYC, Node 20; 256³ forward / the MLP step's two big products):
//   4×4 6.3 GFLOP/s · 4.2 ms;  4×3 6.6 · 4.0;  3×4 6.7 · 4.0;  5×2 6.6 · 4.0;  2×6 6.6 · 4.1;  6×2 6.4 · 4.2;
//   4×2 5.3 · 4.9;  3×3 5.9 · 4.5.  KC 128/256/512 made no measurable difference.
// V8 uses the 16 SSE/AVX registers for doubles: 4×4 needs 16 accumulators + 4 + 1 operands and spills, 4×3 fits
// exactly (12 + 3 + 1). 4×3 and 3×4 tie; 4×3 is used. Unrolled packers are ~5% faster overall than a generic one.
const MR = 4;
const NR = 3;
const KC = 256;

let packA = new Float64Array(MR * KC);
let packB = new Float64Array(NR * KC * 64);
const edgeTile = new Float64Array(MR * NR);

export function gemmBlocked(M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number): void {
  if (M <= 0 || N <= 0 || K <= 0) return;
  const kc0 = Math.min(K, KC);
  const bSize = Math.ceil(N / NR) * NR * kc0;
  if (packA.length < MR * kc0) packA = new Float64Array(MR * kc0);
  if (packB.length < bSize) packB = new Float64Array(bSize);
  const pa = packA, pb = packB;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    // Pack the KC×N block of op(B) once, as NR-wide k-major panels (the L2-resident operand).
    for (let j0 = 0; j0 < N; j0 += NR) {
      const cols = Math.min(NR, N - j0), s = bOff + k0 * bRow + j0 * bCol;
      if (cols === NR) packB3(pb, j0 * kc, kc, B, s, bCol, bRow);
      else packEdge(pb, j0 * kc, cols, NR, kc, B, s, bCol, bRow);
    }
    for (let i0 = 0; i0 < M; i0 += MR) {
      // One MR×KC panel of op(A) (L1-resident), streamed against every B panel.
      const rows = Math.min(MR, M - i0), s = aOff + i0 * aRow + k0 * aCol;
      if (rows === MR) packA4(pa, kc, A, s, aRow, aCol);
      else packEdge(pa, 0, rows, MR, kc, A, s, aRow, aCol);
      for (let j0 = 0; j0 < N; j0 += NR) {
        const cols = Math.min(NR, N - j0), ic = cOff + i0 * N + j0;
        if (rows === MR && cols === NR) {
          kernel4x3(kc, pa, pb, j0 * kc, C, ic, N);
        } else {
          edgeTile.fill(0);
          kernel4x3(kc, pa, pb, j0 * kc, edgeTile, 0, NR);
          for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) C[ic + r * N + c] += edgeTile[r * NR + c];
        }
      }
    }
  }
}

function packA4(dst: Float64Array, kc: number, X: Float64Array, s: number, ts: number, ks: number): void {
  for (let k = 0, d = 0; k < kc; k++, s += ks, d += 4) {
    dst[d] = X[s]; dst[d + 1] = X[s + ts]; dst[d + 2] = X[s + 2 * ts]; dst[d + 3] = X[s + 3 * ts];
  }
}

function packB3(dst: Float64Array, d: number, kc: number, X: Float64Array, s: number, ts: number, ks: number): void {
  for (let k = 0; k < kc; k++, s += ks, d += 3) {
    dst[d] = X[s]; dst[d + 1] = X[s + ts]; dst[d + 2] = X[s + 2 * ts];
  }
}

function packEdge(dst: Float64Array, d: number, rows: number, w: number, kc: number,
  X: Float64Array, s: number, ts: number, ks: number): void {
  for (let k = 0; k < kc; k++, s += ks) for (let r = 0; r < w; r++) dst[d++] = r < rows ? X[s + r * ts] : 0;
}

function kernel4x3(kc: number, pa: Float64Array, pb: Float64Array, ib: number, C: Float64Array, ic: number, ldc: number): void {
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

export type Gemm = typeof gemmBlocked;

/**
 * Dense float64 matrix multiply-accumulate: matmul's forward and both backward products, and linear's.
 *
 * Design (a scaled-down GotoBLAS/BLIS scheme):
 * - The arithmetic runs in a WebAssembly SIMD micro-kernel (gemm.wat, 4×4 tiles, two float64 lanes per
 *   instruction): about 16 GFLOP/s at 256³ here, against 6.5 for the best plain-JavaScript kernel measured
 *   (a packed 4×3 register-blocked loop), since JavaScript itself has no SIMD.
 * - op(A) and op(B) are packed into the module's memory in 4-row and 4-column panels, k-major and
 *   zero-padded at the edges. After packing every read is unit-stride, so transposed operands cost the
 *   same as normal ones, and the kernel always computes whole tiles.
 * - Blocks of KC along k, MC rows and NC columns bound the memory used (a packed A panel stays in L1 while
 *   it meets the whole packed B block in L2). The kernel writes each C block; JavaScript adds it to C.
 * - Tiny products skip packing, whose fixed cost would dominate, and so do single-row products
 *   (M = 1), where padding the row to a whole tile would quadruple the work.
 */
import { GEMM_WASM } from './gemm-wasm.ts';

const R = 4; // tile rows = tile columns = panel width
const KC = 256, MC = 256, NC = 1024;
/** Up to this many multiply-adds the plain loop beats packing (measured). */
export const DIRECT_MAX = 64;

// The few WebAssembly types used here (TypeScript declares them only in its DOM library).
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: { kernel: Kernel; memory: { buffer: ArrayBuffer; grow(pages: number): number } } };
}
type Kernel = (mp: number, np: number, kc: number, a: number, b: number, c: number, ldc: number) => void;
const { Module, Instance } = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
const { kernel, memory } = new Instance(new Module(Uint8Array.from(atob(GEMM_WASM), (ch) => ch.charCodeAt(0)))).exports;
// Regions of the module's memory, in float64s: packed A block, packed B block, C block.
const A_AT = 0, B_AT = MC * KC, C_AT = B_AT + KC * NC, END = C_AT + MC * NC;
let heap = new Float64Array(memory.buffer);

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
  if (heap.length < END) { // once: the memory the blocks need
    memory.grow(Math.ceil((END * 8 - memory.buffer.byteLength) / 65536));
    heap = new Float64Array(memory.buffer);
  }
  for (let n0 = 0; n0 < N; n0 += NC) {
    const nc = Math.min(NC, N - n0), np = Math.ceil(nc / R), ldc = np * R;
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      for (let q = 0; q < np; q++) {
        pack(heap, B_AT + q * R * kc, Math.min(R, nc - q * R), kc, B, bOff + k0 * bRow + (n0 + q * R) * bCol, bCol, bRow);
      }
      for (let m0 = 0; m0 < M; m0 += MC) {
        const mc = Math.min(MC, M - m0), mp = Math.ceil(mc / R);
        for (let p = 0; p < mp; p++) {
          pack(heap, A_AT + p * R * kc, Math.min(R, mc - p * R), kc, A, aOff + (m0 + p * R) * aRow + k0 * aCol, aRow, aCol);
        }
        kernel(mp, np, kc, A_AT * 8, B_AT * 8, C_AT * 8, ldc);
        for (let i = 0; i < mc; i++) {
          for (let j = 0, src = C_AT + i * ldc, dst = cOff + (m0 + i) * N + n0; j < nc; j++) C[dst + j] += heap[src + j];
        }
      }
    }
  }
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

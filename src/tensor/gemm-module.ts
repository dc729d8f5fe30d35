// The WebAssembly module behind gemm (gemm.wat): its memory and regions, its kernels, and the tile kernel split
// between this thread and a helper thread when a block is large enough.
import { GEMM_WASM, GEMM_WASM_SHARED } from './gemm-wasm.ts';
import { helperReady, measured, SHARED, split, splitNext } from './gemm-thread.ts';
import { exportsOf, memoryOf, moduleOf } from './wasm.ts';

/** Tile rows = tile columns = panel width of the tile kernel; V: the row kernel's column chunk. */
export const R = 4, V = 16;
/** Block sizes along k, M and N: a packed A panel stays in L1 while it meets the packed B block in L2. */
export const KC = 256, MC = 256, NC = 1024;
// Regions of the memory, in float64s: A block, B block (with slack: kernels read whole panels or chunks, past
// the last column of an unpacked B), C block. Fixed, so the memory never grows and views of it stay valid.
export const A_AT = 0, B_AT = MC * KC, C_AT = B_AT + KC * NC + V;
const END = C_AT + MC * NC;
/** A block of at least this many tile steps (4×4 multiply-adds each; ~70 µs on one thread) may be split with the
 *  helper thread. */
const SPLIT_MIN = 1 << 16;
/** A split block's chunks: enough that a helper waking late, or running slower, still takes its share (at 2^16
 *  tile steps, a chunk is ~4 µs of work). */
const CHUNKS = 16;

interface Exports {
  kernel(mt: number, nt: number, kc: number, a: number, b: number, bts: number, bks: number, c: number, ldc: number): void;
  rows(n: number, kc: number, x: number, y: number, ldy: number, c: number): void;
  dots(n: number, kc: number, x: number, y: number, ldy: number, c: number): void;
  packRows(np: number, kc: number, src: number, lds: number, dst: number): void;
  packColumns(nt: number, kc: number, src: number, lds: number, dst: number): void;
}
const memory = memoryOf(Math.ceil((END * 8) / 65536), SHARED);
const module = moduleOf(SHARED ? GEMM_WASM_SHARED : GEMM_WASM);
export const { kernel, rows, dots, packRows, packColumns } = exportsOf<Exports>(module, memory);
/** The memory as float64s; kernels take byte offsets (8 × an index into it). */
export const heap = new Float64Array(memory.buffer);

/**
 * The tile kernel over mt×nt tiles (arguments as gemm.wat's `kernel`, A panels 32·kc bytes apart). A large block
 * is cut along its longer side into up to CHUNKS chunks, which this thread and the helper thread (gemm-thread.ts)
 * take in turn until none is left, while splitting is measured to pay (splitNext).
 */
export function tiles(mt: number, nt: number, kc: number, a: number, b: number, bts: number, bks: number, c: number, ldc: number): void {
  const steps = mt * nt * kc;
  if (steps < SPLIT_MIN || !helperReady(module, memory)) return kernel(mt, nt, kc, a, b, bts, bks, c, ldc);
  const both = splitNext(), start = performance.now();
  if (both) {
    const byRows = mt >= nt, n = byRows ? mt : nt, step = Math.ceil(n / CHUNKS);
    split(kernel, mt, nt, kc, a, b, bts, bks, c, ldc, byRows, step, Math.ceil(n / step));
  } else {
    kernel(mt, nt, kc, a, b, bts, bks, c, ldc);
  }
  measured(both, performance.now() - start, steps);
}

/** Starts the helper thread and resolves once it is ready (true) or known unavailable (false): for tests and
 *  measurements, which otherwise could not tell when products start being split. */
export async function startHelper(): Promise<boolean> {
  for (let waited = 0; waited < 10_000; waited += 5) {
    if (helperReady(module, memory)) return true;
    if (!SHARED) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

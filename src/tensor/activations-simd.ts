// The WebAssembly module of activations.wat: σ and tanh over runs of values written into its memory, two lanes
// at a time (the recurrent layers' gate arithmetic; Math.exp and Math.tanh cost 9–28 ns a value here), and an
// LSTM step whole, forward and back.
import { ACTIVATIONS_WASM } from './activations-wasm.ts';
import { exportsOf, memoryOf, moduleOf } from './wasm.ts';

interface Exports {
  sigmoid(n: number, at: number): void;
  tanh(n: number, at: number): void;
  lstmStep(rows: number, H: number, a: number, x: number, b: number, p: number, stride: number): void;
  lstmStepBack(rows: number, H: number, p: number, stride: number, out: number): void;
}
const PAGE = 8192; // float64s in a 64 KiB page
const memory = memoryOf(16, false, 65536);
const kernels = exportsOf<Exports>(moduleOf(ACTIVATIONS_WASM), memory);

/** The module's memory as float64s: values are written here, then mapped in place. Replaced when it grows (see
 *  reserveLanes): read it again after a call that may grow it. */
export let lanes = new Float64Array(memory.buffer);

/** Grows the lanes to at least n (an LSTM step needs some 24 for every unit of its hidden size). */
export function reserveLanes(n: number): void {
  const more = Math.ceil((n - lanes.length) / PAGE);
  if (more > 0) {
    memory.grow(more);
    lanes = new Float64Array(memory.buffer);
  }
}

/** lanes[at .. at + n) = σ of themselves. The lane after them must be free (an odd n maps it too). */
export const sigmoidLanes = (at: number, n: number): void => kernels.sigmoid(n, 8 * at);
/** lanes[at .. at + n) = tanh of themselves, as sigmoidLanes. */
export const tanhLanes = (at: number, n: number): void => kernels.tanh(n, 8 * at);

/**
 * An LSTM step over `rows` rows of H values: a and x [rows, 4H] at lanes `a` and `x`, b [4H] at `b`; planes of
 * rows·H values from lane p, `stride` lanes apart: i, f, g, o (written), c_prev (read), c, tanh(c), h (written).
 * Every region needs a free lane after it (pairs of lanes again), and starts at an even lane.
 */
export const lstmStepLanes = (rows: number, H: number, a: number, x: number, b: number, p: number, stride: number): void =>
  kernels.lstmStep(rows, H, 8 * a, 8 * x, 8 * b, 8 * p, 8 * stride);

/**
 * An LSTM step of backpropagation through time over `rows` rows of H values: twenty planes of rows·H values from
 * lane p, `stride` lanes apart: i, f, g, o, tanh c, c_prev, the gradients arriving at h, c, i, f, g, o and tanh c,
 * dh and dc (read); the four gates' gradients, on their way to `out`, and dc for the step before (written). The
 * gates' gradients [rows, 4H] at lane `out`. Every region needs a free lane after it, and starts at an even lane.
 */
export const lstmStepBackLanes = (rows: number, H: number, p: number, stride: number, out: number): void =>
  kernels.lstmStepBack(rows, H, 8 * p, 8 * stride, 8 * out);
